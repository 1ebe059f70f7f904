/**
 * The consent status of a class for its teachers and the school's admins (/consents): per student,
 * the state of each guardian record — its family (accounts in the bot, each with its own consent,
 * a consent or refusal given on paper or by e-document, the family's paper and why) — and totals.
 * Pure data out, from the one reading of a child's persons (src/services/people.ts), in a fixed
 * number of queries whatever the size of the class; the text is the bot's business.
 *
 * Who may see a class: the admins of its school, its homeroom teacher (as for /printouts) and the
 * teachers who teach in it (as for /recommend). Always checked here, on the server.
 */
import { Types } from "mongoose";
import { SchoolClass, Student, type ConsentDecision, type DeliveryMode, type DeliveryReason } from "../db/models";
import type { ConsentState } from "../domain/consent";
import { familiesOf } from "./people";
import { managedClasses, type Staff } from "./printouts";
import { teachingScope } from "./recommendations";
import { byName } from "./reports/school-data";

export interface ConsentClass {
  _id: Types.ObjectId;
  schoolId: Types.ObjectId;
  name: string;
  grade: number;
}

/** The classes whose consent status this member of staff may see at `now`, by grade and name. */
export async function consentClasses(staff: Staff, now: Date): Promise<ConsentClass[]> {
  const managed = await managedClasses(staff);
  const taught = (await Promise.all(staff.teacherRoles.map((r) => teachingScope(r.schoolId, r.teacherId, now)))).flat().map((s) => s.classId);
  const known = new Set(managed.map((c) => String(c._id)));
  const missing = [...new Set(taught.map(String).filter((id) => !known.has(id)))].map((id) => new Types.ObjectId(id));
  const extra = missing.length ? await SchoolClass.find({ _id: { $in: missing } }).lean() : [];
  return [...managed, ...extra]
    .map((c) => ({ _id: c._id, schoolId: c.schoolId, name: c.name, grade: c.grade }))
    .sort((a, b) => a.grade - b.grade || byName(a.name, b.name) || String(a.schoolId).localeCompare(String(b.schoolId)));
}

/** The class if this member of staff may see its consent status now, else null (whatever the reason). */
export async function consentClassIfAllowed(staff: Staff, classId: string, now: Date): Promise<ConsentClass | null> {
  if (!Types.ObjectId.isValid(classId)) return null;
  return (await consentClasses(staff, now)).find((c) => String(c._id) === classId) ?? null;
}

export interface GuardianConsentStatus {
  guardianId: Types.ObjectId;
  fullName: string | null;
  /** The active accounts linked to the student through this record (each its own person), by their consent to the school's current text. */
  accounts: Record<ConsentState, number>;
  /** The newest decision registered on paper or by e-document for this record (the record person's). */
  document: { decision: ConsentDecision; form: "paper" | "edoc" } | null;
  /** The family's paper: "paper" when any person of it (or the record itself) is informed on paper. */
  delivery: DeliveryMode;
  deliveryReason: DeliveryReason | null;
}

/**
 * One word per student, for the totals: in the bot (some guardian's account has consented), on
 * paper (some guardian gets paper printouts), consent on paper only, waiting (joined but has not
 * agreed to the current text), or nobody has joined yet. The first that applies wins.
 */
export const STUDENT_CATEGORIES = ["bot", "paper", "document", "waiting", "none"] as const;
export type StudentCategory = (typeof STUDENT_CATEGORIES)[number];

export interface StudentConsentStatus {
  studentId: Types.ObjectId;
  fullName: string;
  category: StudentCategory;
  guardians: GuardianConsentStatus[];
}

export interface ClassConsentStatus {
  classId: Types.ObjectId;
  className: string;
  students: StudentConsentStatus[];
  totals: Record<StudentCategory, number>;
}

const noAccounts = (): Record<ConsentState, number> => ({ granted: 0, declined: 0, withdrawn: 0, outdated: 0, none: 0 });

function categoryOf(guardians: readonly GuardianConsentStatus[]): StudentCategory {
  if (guardians.some((g) => g.accounts.granted > 0)) return "bot";
  if (guardians.some((g) => g.delivery === "paper")) return "paper";
  if (guardians.some((g) => g.document?.decision === "granted")) return "document";
  if (guardians.some((g) => g.accounts.outdated + g.accounts.none + g.accounts.declined + g.accounts.withdrawn > 0)) return "waiting";
  return "none";
}

/** The consent status of one class (the caller has checked that the sender may see it). */
export async function classConsentStatus(schoolClass: ConsentClass): Promise<ClassConsentStatus> {
  const { schoolId, _id: classId } = schoolClass;
  const students = await Student.find({ schoolId, classId, left: null }, { fullName: 1 }).lean();
  const families = await familiesOf(schoolId, students.map((s) => s._id));
  const result: StudentConsentStatus[] = students.map((student) => {
    const own = (families.get(String(student._id)) ?? [])
      .map((f): GuardianConsentStatus => {
        const counts = noAccounts();
        // Each account is its own person: counted by its own consent (a blocked account is not counted).
        for (const p of f.persons) if (p.accountId && p.telegram) counts[p.consent] += 1;
        return {
          guardianId: f.guardianId,
          fullName: f.guardianName,
          accounts: counts,
          document: f.written ? { decision: f.written.decision, form: f.written.form } : null,
          delivery: f.paper ? "paper" : "electronic",
          deliveryReason: f.paperReason,
        };
      })
      .sort((a, b) => byName(a.fullName ?? "", b.fullName ?? ""));
    return { studentId: student._id, fullName: student.fullName, category: categoryOf(own), guardians: own };
  });
  result.sort((a, b) => byName(a.fullName, b.fullName));
  const totals = Object.fromEntries(STUDENT_CATEGORIES.map((c) => [c, 0])) as Record<StudentCategory, number>;
  for (const s of result) totals[s.category] += 1;
  return { classId, className: schoolClass.name, students: result, totals };
}
