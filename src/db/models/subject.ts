import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { externalIdField, nameField, schoolIdField, uniqueExternalId } from "./fields";

/** A school subject; collection `subjects`. */
export const subjectSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    name: nameField(),
  },
  { collection: "subjects", timestamps: true },
);

uniqueExternalId(subjectSchema);

export const Subject = model("Subject", subjectSchema);
export type Subject = InferSchemaType<typeof subjectSchema>;
export type SubjectDocument = HydratedDocument<Subject>;
export type SubjectModel = typeof Subject;
