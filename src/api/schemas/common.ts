/**
 * Building blocks of the exchange API's item schemas: strict, with the limits of the models
 * (src/db/models/fields.ts) and messages a journal vendor can act on.
 */
import { z } from "zod";
import { MAX } from "../../db/models/fields";
import { TIME_RE } from "../../db/models/enums";
import { isCalendarDay } from "../../domain/time";

export { MAX };

/** The journal's id of a record: 1..128 printable characters. */
export const externalId = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, "must not be empty")
  .max(MAX.externalId, `must be at most ${MAX.externalId} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

/** A reference to another record by its externalId (resolved by the import, not here). */
export const reference = externalId;

/** A list of references; repeats are dropped by the import. */
export const references = (max: number) =>
  z.array(reference, { error: "must be an array of externalIds" }).max(max, `must have at most ${max} entries`);

export const day = z.string({ error: "must be a date YYYY-MM-DD" }).refine(isCalendarDay, "must be a real calendar date YYYY-MM-DD");

export const time = z.string({ error: "must be a time HH:mm" }).regex(TIME_RE, "must be a time HH:mm (00:00..23:59)");

/**
 * An instant: `YYYY-MM-DDTHH:mm[:ss[.sss]]` with `Z` or `±HH:mm`, or without an offset (then the
 * school's time zone). Kept as a string here; the import turns it into a Date.
 */
const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
export const instant = z
  .string({ error: "must be a date-time like 2026-10-30T14:00:00+03:00" })
  .refine((v) => INSTANT_RE.test(v) && isCalendarDay(v.slice(0, 10)), "must be a date-time like 2026-10-30T14:00:00+03:00");

/** A required text: trimmed, not empty, at most `max` characters. */
export const text = (max: number) =>
  z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** An optional text: `null`, absent and "" all mean "not set". */
export const optionalText = (max: number) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : undefined));

/** `null` and absent both mean "not set". */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `must be one of: ${values.join(", ")}` });

export const integer = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be ${min}..${max}`)
    .max(max, `must be ${min}..${max}`);

export const number = (min: number, max: number) =>
  z.number({ error: "must be a number" }).min(min, `must be ${min}..${max}`).max(max, `must be ${min}..${max}`);

export const flag = z.boolean({ error: "must be true or false" });

type Shape = Record<string, z.ZodType>;

/**
 * The two forms of an item of a resource: an upsert (every contract field, strict, with the
 * cross-field rules) and a deletion (`"deleted": true`; the other fields may be present and must
 * still have the right types, but only `externalId` counts).
 */
export interface ItemSchemas {
  upsert: z.ZodType<Record<string, unknown>>;
  deletion: z.ZodType<Record<string, unknown>>;
  /** Field names besides externalId/deleted, in contract order. */
  fields: string[];
}

export function itemSchemas(shape: Shape, rules?: (item: Record<string, unknown>, ctx: z.RefinementCtx) => void): ItemSchemas {
  const upsertObject = z.strictObject({ externalId, deleted: z.literal(false, { error: "must be true or false" }).optional(), ...shape });
  const upsert = (rules ? upsertObject.superRefine((item, ctx) => rules(item as Record<string, unknown>, ctx)) : upsertObject) as z.ZodType<
    Record<string, unknown>
  >;
  const deletion = z
    .strictObject({ externalId, deleted: z.literal(true) })
    .extend(Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()]))) as unknown as z.ZodType<
    Record<string, unknown>
  >;
  return { upsert, deletion, fields: Object.keys(shape) };
}

/** Adds an issue at `path` (relative to the item). */
export function issue(ctx: z.RefinementCtx, path: string, message: string): void {
  ctx.addIssue({ code: "custom", path: path.split("."), message });
}
