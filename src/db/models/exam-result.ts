import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { GRADE_VALUES } from "./enums";
import { dayField, externalIdField, nameField, refField, schoolIdField, uniqueExternalId } from "./fields";

/** An exam result (ОГЭ, ЕГЭ, school exams; regulation 6); collection `exam_results`. */
export const examResultSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    studentId: refField("Student"),
    name: nameField(),
    date: dayField(),
    score: { type: Number, required: true, min: 0 },
    maxScore: { type: Number, min: 0 },
    /** The grade the score converts to, when the exam has one. */
    value: { type: String, enum: GRADE_VALUES },
    /** When the result was obtained: the 24-hour delivery limit counts from here. */
    resultsAt: { type: Date, required: true },
  },
  { collection: "exam_results", timestamps: true },
);

uniqueExternalId(examResultSchema);
examResultSchema.index({ schoolId: 1, studentId: 1, date: 1 });

export const ExamResult = model("ExamResult", examResultSchema);
export type ExamResult = InferSchemaType<typeof examResultSchema>;
export type ExamResultDocument = HydratedDocument<ExamResult>;
export type ExamResultModel = typeof ExamResult;
