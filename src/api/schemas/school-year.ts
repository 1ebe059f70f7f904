/**
 * The new school year's rollover (issue 15): `PUT /api/v1/schoolYear` (docs/exchange-api.md). The
 * journal first sends the new year's periods and classes as usual, then this: every student of the
 * old year either moves to a class of the new year (staying in the same class is a move too) or
 * leaves. Strict, with the limits of the other resources.
 */
import { z } from "zod";
import { day, reference } from "./common";

/** "2027/28": the second number is the year after the first. */
export const schoolYearLabel = z
  .string({ error: "must be a school year like 2027/28" })
  .regex(/^\d{4}\/\d{2}$/, "must be a school year like 2027/28")
  .refine((v) => (Number(v.slice(0, 4)) + 1) % 100 === Number(v.slice(5)), "must be two consecutive years like 2027/28");

/** At most this many students in one rollover (a district's biggest school is far smaller). */
export const MAX_ROLLOVER_STUDENTS = 20_000;

export const schoolYearRollover = z.strictObject({
  year: schoolYearLabel,
  movers: z
    .array(z.strictObject({ studentId: reference, classId: reference }), { error: "must be an array of {studentId, classId}" })
    .max(MAX_ROLLOVER_STUDENTS, `must have at most ${MAX_ROLLOVER_STUDENTS} entries`),
  leavers: z
    .array(z.strictObject({ studentId: reference, left: day.nullish().transform((v) => v ?? undefined) }), { error: "must be an array of {studentId, left?}" })
    .max(MAX_ROLLOVER_STUDENTS, `must have at most ${MAX_ROLLOVER_STUDENTS} entries`)
    .default([]),
});

export type SchoolYearRollover = z.infer<typeof schoolYearRollover>;
