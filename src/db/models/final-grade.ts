import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { FINAL_GRADE_STATUSES, GRADE_VALUES } from "./enums";
import {
  optionalDayField,
  externalIdField,
  optionalTextField,
  refField,
  schoolIdField,
  uniqueExternalId,
} from "./fields";

/**
 * A final grade for a period (regulation 5, 6); collection `final_grades`. `value` is absent when
 * the status is `deferred` (sick student, until `deferredUntil`) or `not_attested`.
 */
export const finalGradeSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    studentId: refField("Student"),
    subjectId: refField("Subject"),
    periodId: refField("Period"),
    value: { type: String, enum: GRADE_VALUES },
    status: { type: String, enum: FINAL_GRADE_STATUSES, required: true },
    deferredUntil: optionalDayField(),
    reason: optionalTextField(500),
    /** When the result was obtained: the 24-hour delivery limit counts from here. */
    resultsAt: { type: Date, required: true },
  },
  { collection: "final_grades", timestamps: true },
);

uniqueExternalId(finalGradeSchema);
finalGradeSchema.index({ schoolId: 1, studentId: 1, periodId: 1 });
finalGradeSchema.index({ schoolId: 1, resultsAt: 1 });

export const FinalGrade = model("FinalGrade", finalGradeSchema);
export type FinalGrade = InferSchemaType<typeof finalGradeSchema>;
export type FinalGradeDocument = HydratedDocument<FinalGrade>;
export type FinalGradeModel = typeof FinalGrade;
