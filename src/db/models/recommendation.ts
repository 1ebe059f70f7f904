import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { ObjectId, optionalRefField, refField, schoolIdField } from "./fields";

/** A teacher's recommendation to a class or one student (regulation 2); collection `recommendations`. */
export const recommendationSchema = new Schema(
  {
    schoolId: schoolIdField(),
    teacherId: refField("Teacher"),
    /** The teacher's Telegram account that posted it. */
    authorAccountId: { type: ObjectId, ref: "Account", required: true },
    classId: refField("SchoolClass"),
    /** Absent: the recommendation is for the whole class. */
    studentId: optionalRefField("Student"),
    subjectId: refField("Subject"),
    /** Fits one Telegram message (4096 characters) with room for a header. */
    text: { type: String, required: true, trim: true, minlength: 1, maxlength: 3500 },
  },
  { collection: "recommendations", timestamps: true },
);

recommendationSchema.index({ schoolId: 1, studentId: 1, createdAt: -1 });
recommendationSchema.index({ schoolId: 1, classId: 1, createdAt: -1 });

export const Recommendation = model("Recommendation", recommendationSchema);
export type Recommendation = InferSchemaType<typeof recommendationSchema>;
export type RecommendationDocument = HydratedDocument<Recommendation>;
export type RecommendationModel = typeof Recommendation;
