import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { CLASS_GRADE_MAX, CLASS_GRADE_MIN } from "./enums";
import { MAX, externalIdField, intField, nameField, optionalRefField, schoolIdField, uniqueExternalId } from "./fields";

/** A class of the school ("7Б"); collection `classes`. */
export const schoolClassSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    name: nameField(MAX.short),
    /** Year of study, 1..11. */
    grade: intField(CLASS_GRADE_MIN, CLASS_GRADE_MAX),
    homeroomTeacherId: optionalRefField("Teacher"),
  },
  { collection: "classes", timestamps: true },
);

uniqueExternalId(schoolClassSchema);
schoolClassSchema.index({ schoolId: 1, name: 1 });

export const SchoolClass = model("SchoolClass", schoolClassSchema);
export type SchoolClass = InferSchemaType<typeof schoolClassSchema>;
export type SchoolClassDocument = HydratedDocument<SchoolClass>;
export type SchoolClassModel = typeof SchoolClass;
