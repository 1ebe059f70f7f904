import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { externalIdField, nameField, optionalRefField, schoolIdField, uniqueExternalId } from "./fields";

/** A learning group or stream (e.g. the English subgroup of 7Б); collection `groups`. */
export const groupSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    name: nameField(),
    /** The class the group belongs to; absent for streams across classes. */
    classId: optionalRefField("SchoolClass"),
    subjectId: optionalRefField("Subject"),
  },
  { collection: "groups", timestamps: true },
);

uniqueExternalId(groupSchema);

export const Group = model("Group", groupSchema);
export type Group = InferSchemaType<typeof groupSchema>;
export type GroupDocument = HydratedDocument<Group>;
export type GroupModel = typeof Group;
