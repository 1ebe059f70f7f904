import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { GRADE_VALUES, GRADE_WEIGHT_MAX, GRADE_WEIGHT_MIN } from "./enums";
import {
  MAX,
  dayField,
  externalIdField,
  intField,
  nameField,
  optionalRefField,
  optionalTextField,
  refField,
  schoolIdField,
  uniqueExternalId,
} from "./fields";

/** One grade of a student; collection `grades`. */
export const gradeSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    studentId: refField("Student"),
    subjectId: refField("Subject"),
    date: dayField(),
    value: { type: String, enum: GRADE_VALUES, required: true },
    /** The grade's own weight, 1..10; School.settings.workTypeWeights may override it by work type. */
    weight: intField(GRADE_WEIGHT_MIN, GRADE_WEIGHT_MAX, 1),
    /** The journal's work type ("контрольная работа", "ответ на уроке", ...). */
    workType: nameField(MAX.short),
    lessonId: optionalRefField("Lesson"),
    comment: optionalTextField(MAX.comment),
  },
  { collection: "grades", timestamps: true },
);

uniqueExternalId(gradeSchema);
gradeSchema.index({ schoolId: 1, studentId: 1, date: 1 });
gradeSchema.index({ schoolId: 1, studentId: 1, subjectId: 1, date: 1 });

export const Grade = model("Grade", gradeSchema);
export type Grade = InferSchemaType<typeof gradeSchema>;
export type GradeDocument = HydratedDocument<Grade>;
export type GradeModel = typeof Grade;
