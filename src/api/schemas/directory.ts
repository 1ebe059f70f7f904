/** Item schemas of the school's directory: classes, subjects, teachers, groups, students, guardians. */
import { CLASS_GRADE_MAX, CLASS_GRADE_MIN, DELIVERY_MODES, EMAIL_RE, PHONE_RE } from "../../db/models/enums";
import { z } from "zod";
import { MAX, flag, integer, itemSchemas, oneOf, optional, reference, references, text } from "./common";

export const classes = itemSchemas({
  name: text(MAX.short),
  grade: integer(CLASS_GRADE_MIN, CLASS_GRADE_MAX),
  homeroomTeacherId: optional(reference),
});

export const subjects = itemSchemas({
  name: text(MAX.name),
});

export const teachers = itemSchemas({
  fullName: text(MAX.fullName),
  subjectIds: optional(references(100)),
});

/** Extension of the contract: learning groups (subgroups, streams) that students, lessons and homework refer to. */
export const groups = itemSchemas({
  name: text(MAX.name),
  classId: optional(reference),
  subjectId: optional(reference),
});

export const students = itemSchemas({
  fullName: text(MAX.fullName),
  classId: reference,
  groupIds: optional(references(100)),
  individualPlan: optional(flag),
  /** Extension: the teachers of an individual plan (regulation 2). */
  individualTeacherIds: optional(references(50)),
});

/** "+7 (916) 123-45-67" → "+79161234567"; the model stores phones normalized. */
export function normalizePhone(value: string): string {
  return value.replace(/[\s()\-.]/g, "");
}

const email = z
  .string({ error: "must be a string" })
  .trim()
  .max(254, "must be at most 254 characters")
  .refine((v) => EMAIL_RE.test(v), "must be an e-mail address")
  .transform((v) => v.toLowerCase());

const phone = z
  .string({ error: "must be a string" })
  .trim()
  .max(40, "must be at most 40 characters")
  .transform(normalizePhone)
  .refine((v) => PHONE_RE.test(v), "must be a phone number like +79161234567");

export const guardians = itemSchemas({
  fullName: text(MAX.fullName),
  studentIds: references(20).min(1, "must name at least one student"),
  email: optional(email),
  phone: optional(phone),
  delivery: optional(oneOf(DELIVERY_MODES)),
});

