import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { dayField, externalIdField, nameField, refArrayField, schoolIdField, uniqueExternalId } from "./fields";

/** Holidays (каникулы), `start`..`end` inclusive; collection `holidays`. */
export const holidaySchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    name: nameField(),
    start: dayField(),
    end: dayField(),
    /** Extra holidays of some classes only; empty = the whole school. */
    classIds: refArrayField("SchoolClass"),
  },
  { collection: "holidays", timestamps: true },
);

uniqueExternalId(holidaySchema);
holidaySchema.index({ schoolId: 1, start: 1 });

export const Holiday = model("Holiday", holidaySchema);
export type Holiday = InferSchemaType<typeof holidaySchema>;
export type HolidayDocument = HydratedDocument<Holiday>;
export type HolidayModel = typeof Holiday;
