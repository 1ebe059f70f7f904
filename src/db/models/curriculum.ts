import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { externalIdField, intField, refField, schoolIdField, uniqueExternalId } from "./fields";

/** Lessons planned for a class, subject and period (regulation 5: lessons held are checked against it). */
export const curriculumSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    classId: refField("SchoolClass"),
    subjectId: refField("Subject"),
    periodId: refField("Period"),
    plannedLessons: intField(0, 10_000),
  },
  { collection: "curriculum", timestamps: true },
);

uniqueExternalId(curriculumSchema);
curriculumSchema.index({ schoolId: 1, classId: 1, periodId: 1 });

export const Curriculum = model("Curriculum", curriculumSchema);
export type Curriculum = InferSchemaType<typeof curriculumSchema>;
export type CurriculumDocument = HydratedDocument<Curriculum>;
export type CurriculumModel = typeof Curriculum;
