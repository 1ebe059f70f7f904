import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { MAX, externalIdField, optionalDayField, nameField, refArrayField, refField, schoolIdField, uniqueExternalId } from "./fields";

/** A class the student was in during an earlier school year, kept when the year rolls over (issue 15). */
const classHistorySchema = new Schema(
  {
    /** "2026/27". */
    year: { type: String, required: true, match: /^\d{4}\/\d{2}$/ },
    classId: refField("SchoolClass"),
    /** The class's name then (the journal may rename or reuse the class record later). */
    className: nameField(MAX.name),
  },
  { _id: false },
);

/** A student; collection `students`. */
export const studentSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    fullName: nameField(MAX.fullName),
    classId: refField("SchoolClass"),
    groupIds: refArrayField("Group"),
    /** Learns on an individual plan (regulation 2: the teachers working with them are listed). */
    individualPlan: { type: Boolean, required: true, default: false },
    /** Teachers of the individual plan; empty otherwise. */
    individualTeacherIds: refArrayField("Teacher"),
    /** The day the student left the school (the new school year's rollover: src/services/school-year.ts); null while at school. */
    left: optionalDayField(),
    /** Earlier school years' classes, oldest first (src/services/school-year.ts). */
    classHistory: { type: [classHistorySchema], default: () => [] },
  },
  { collection: "students", timestamps: true },
);

uniqueExternalId(studentSchema);
studentSchema.index({ schoolId: 1, classId: 1 });

export const Student = model("Student", studentSchema);
export type Student = InferSchemaType<typeof studentSchema>;
export type StudentDocument = HydratedDocument<Student>;
export type StudentModel = typeof Student;
