/**
 * Field definitions shared by the models. Each helper returns a fresh object (mongoose keeps
 * references to option objects) typed with literal `required` so that `InferSchemaType` knows which
 * paths are optional.
 */
import { Schema } from "mongoose";
import { DAY_RE, TIME_RE } from "./enums";

export const ObjectId = Schema.Types.ObjectId;

/** Collation-free string limits used across the models. */
export const MAX = {
  externalId: 128,
  name: 200,
  fullName: 300,
  short: 100,
  comment: 1000,
  text: 10_000,
  url: 2000,
} as const;

export function schoolIdField() {
  return { type: ObjectId, ref: "School", required: true as const };
}

/** The journal's id of a record; unique per school (see `uniqueExternalId`). */
export function externalIdField() {
  return { type: String, required: true as const, trim: true, minlength: 1, maxlength: MAX.externalId };
}

export function refField(ref: string) {
  return { type: ObjectId, ref, required: true as const };
}

export function optionalRefField(ref: string) {
  return { type: ObjectId, ref };
}

export function refArrayField(ref: string) {
  return { type: [{ type: ObjectId, ref }], default: () => [] };
}

export function dayField() {
  return { type: String, required: true as const, match: DAY_RE };
}

export function optionalDayField() {
  return { type: String, match: DAY_RE };
}

export function timeField(defaultValue?: string) {
  return defaultValue === undefined
    ? { type: String, required: true as const, match: TIME_RE }
    : { type: String, required: true as const, match: TIME_RE, default: defaultValue };
}

export function nameField(maxlength: number = MAX.name) {
  return { type: String, required: true as const, trim: true, minlength: 1, maxlength };
}

export function optionalTextField(maxlength: number) {
  return { type: String, trim: true, maxlength };
}

/** An integer within [min, max]. */
export function intField(min: number, max: number, defaultValue?: number) {
  const base = {
    type: Number,
    required: true as const,
    min,
    max,
    validate: { validator: Number.isInteger, message: "{PATH} must be an integer" },
  };
  return defaultValue === undefined ? base : { ...base, default: defaultValue };
}

/** `{schoolId: 1, externalId: 1}` unique: the key of everything the journal sends. */
export function uniqueExternalId(schema: Schema): void {
  schema.index({ schoolId: 1, externalId: 1 }, { unique: true });
}
