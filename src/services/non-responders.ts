/**
 * Non-responders (issue 10.3): guardians linked in the journal (a guardian record with a child) who
 * have neither consented nor refused — no person of the family has answered the consent question and
 * no written decision is registered for the record — `settings.nonResponderDays` (default 7) days
 * after the record appeared. Until a decision exists nothing electronic is sent to them (the consent
 * gate, src/services/notify/consent.ts); the class teacher and the admins see them in /consents and
 * in a school-morning message, with a paper consent form to print for them.
 */
import type { Types } from "mongoose";
import { Guardian, School, SchoolClass, Student } from "../db/models";
import { schoolDay } from "../domain/time";
import type { Translate } from "../i18n";
import { renderConsentForms } from "../print/consent-form";
import { consentFullText, consentSchool } from "./consent";
import { familiesOf } from "./people";
import { byName } from "./reports/school-data";

export interface NonResponder {
  studentId: Types.ObjectId;
  studentName: string;
  guardianId: Types.ObjectId;
  guardianName: string | null;
  /** When the record appeared (the days are counted from it). */
  since: Date;
}

/** The family has not answered: nobody in it granted, declined or withdrew (nor an older text), and nothing in writing. */
const undecided = (f: { persons: Array<{ consent: string }>; written: unknown }) => !f.written && f.persons.every((p) => p.consent === "none");

/** The class's non-responders as of `now`, by student and guardian name. */
export async function nonRespondersOfClass(schoolId: Types.ObjectId, classId: Types.ObjectId, now: Date): Promise<NonResponder[]> {
  const school = await School.findById(schoolId, { settings: 1 }).lean();
  if (!school) return [];
  const cutoff = new Date(now.getTime() - (school.settings.nonResponderDays ?? 7) * 86400_000);
  const students = await Student.find({ schoolId, classId, left: null }, { fullName: 1 }).lean();
  const families = await familiesOf(schoolId, students.map((s) => s._id));
  const records = new Map(
    (await Guardian.find({ schoolId, studentIds: { $in: students.map((s) => s._id) } }, { createdAt: 1 }).lean()).map((g) => [String(g._id), (g as { createdAt?: Date }).createdAt ?? now]),
  );
  const out: NonResponder[] = [];
  for (const student of students) {
    for (const f of families.get(String(student._id)) ?? []) {
      const since = records.get(String(f.guardianId)) ?? now;
      if (undecided(f) && since <= cutoff) out.push({ studentId: student._id, studentName: student.fullName, guardianId: f.guardianId, guardianName: f.guardianName, since });
    }
  }
  return out.sort((a, b) => byName(a.studentName, b.studentName) || byName(a.guardianName ?? "", b.guardianName ?? ""));
}

/** Every class of the school with its non-responders (classes without any left out), by grade and name. */
export async function nonRespondersOfSchool(schoolId: Types.ObjectId, now: Date) {
  const classes = (await SchoolClass.find({ schoolId }).lean()).sort((a, b) => a.grade - b.grade || byName(a.name, b.name));
  const out: Array<{ schoolClass: (typeof classes)[number]; list: NonResponder[] }> = [];
  for (const schoolClass of classes) {
    const list = await nonRespondersOfClass(schoolId, schoolClass._id, now);
    if (list.length) out.push({ schoolClass, list });
  }
  return out;
}

/** The class's paper consent forms for its non-responders (null when there are none). */
export async function consentFormsOfClass(schoolId: Types.ObjectId, classId: Types.ObjectId, now: Date, t: Translate, lang: string): Promise<{ fileName: string; pdf: Buffer; count: number } | null> {
  const [school, schoolClass, list] = await Promise.all([
    consentSchool(schoolId),
    SchoolClass.findById(classId, { name: 1 }).lean(),
    nonRespondersOfClass(schoolId, classId, now),
  ]);
  if (!school || !schoolClass || !list.length) return null;
  const timezone = (await School.findById(schoolId, { timezone: 1 }).lean())!.timezone;
  const pdf = await renderConsentForms(
    { schoolName: school.name, className: schoolClass.name, day: schoolDay(now, timezone), text: consentFullText(t, school), forms: list.map((n) => ({ studentName: n.studentName, guardianName: n.guardianName })) },
    t,
    lang,
  );
  return { fileName: t("consents:form.fileName", { className: schoolClass.name }), pdf, count: list.length };
}
