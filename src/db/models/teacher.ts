import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { MAX, externalIdField, nameField, refArrayField, schoolIdField, uniqueExternalId } from "./fields";

/** A member of the teaching staff; collection `teachers`. */
export const teacherSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    fullName: nameField(MAX.fullName),
    subjectIds: refArrayField("Subject"),
  },
  { collection: "teachers", timestamps: true },
);

uniqueExternalId(teacherSchema);

export const Teacher = model("Teacher", teacherSchema);
export type Teacher = InferSchemaType<typeof teacherSchema>;
export type TeacherDocument = HydratedDocument<Teacher>;
export type TeacherModel = typeof Teacher;
