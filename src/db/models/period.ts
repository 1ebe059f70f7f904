import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { PERIOD_KINDS } from "./enums";
import { dayField, externalIdField, nameField, schoolIdField, uniqueExternalId } from "./fields";

/** A reporting period ("1 четверть") or the year; collection `periods`. `start`/`end` inclusive. */
export const periodSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    name: nameField(),
    kind: { type: String, enum: PERIOD_KINDS, required: true },
    start: dayField(),
    end: dayField(),
  },
  { collection: "periods", timestamps: true },
);

uniqueExternalId(periodSchema);
periodSchema.index({ schoolId: 1, start: 1 });

export const Period = model("Period", periodSchema);
export type Period = InferSchemaType<typeof periodSchema>;
export type PeriodDocument = HydratedDocument<Period>;
export type PeriodModel = typeof Period;
