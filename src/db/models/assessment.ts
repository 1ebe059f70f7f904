import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { ASSESSMENT_KINDS } from "./enums";
import { dayField, externalIdField, optionalTextField, refField, schoolIdField, uniqueExternalId } from "./fields";

/** A scheduled test (контрольная, диктант, ...): the tests schedule; collection `assessments`. */
export const assessmentSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    classId: refField("SchoolClass"),
    subjectId: refField("Subject"),
    date: dayField(),
    kind: { type: String, enum: ASSESSMENT_KINDS, required: true },
    topic: optionalTextField(500),
  },
  { collection: "assessments", timestamps: true },
);

uniqueExternalId(assessmentSchema);
assessmentSchema.index({ schoolId: 1, classId: 1, date: 1 });

export const Assessment = model("Assessment", assessmentSchema);
export type Assessment = InferSchemaType<typeof assessmentSchema>;
export type AssessmentDocument = HydratedDocument<Assessment>;
export type AssessmentModel = typeof Assessment;
