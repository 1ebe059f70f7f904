/**
 * The consent status of a class for its teachers and the school's admins (/consents): per student,
 * the state of each guardian (accounts in the bot and their consent, a consent or refusal given on
 * paper or by e-document, paper delivery and why), and totals. Pure data out, in a fixed number of
 * queries whatever the size of the class; the text is the bot's business.
 *
 * Who may see a class: the admins of its school, its homeroom teacher (as for /printouts) and the
 * teachers who teach in it (as for /recommend). Always checked here, on the server.
 */
import { Types } from "mongoose";
import { ConsentRecord, Guardian, GuardianLink, School, SchoolClass, Student, Account, type ConsentDecision, type DeliveryMode, type DeliveryReason } from "../db/models";
import { consentVersionOf } from "../domain/consent";
import { consentStateOf, type ConsentState } from "./access";
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
  /** This guardian's active Telegram accounts linked to the student, by their consent to the school's current text. */
  accounts: Record<ConsentState, number>;
  /** The newest decision registered on paper or by e-document for this guardian. */
  document: { decision: ConsentDecision; form: "paper" | "edoc" } | null;
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

/** Newest first in, first kept: the record in force per key. */
function newestBy<T extends { recordedAt: Date }>(records: readonly T[], key: (r: T) => string | null): Map<string, T> {
  const out = new Map<string, T>();
  for (const r of records) {
    const k = key(r);
    if (k && !out.has(k)) out.set(k, r);
  }
  return out;
}

/** The consent status of one class (the caller has checked that the sender may see it). */
export async function classConsentStatus(schoolClass: ConsentClass): Promise<ClassConsentStatus> {
  const { schoolId, _id: classId } = schoolClass;
  const [school, students] = await Promise.all([
    School.findById(schoolId, { settings: 1 }).lean(),
    Student.find({ schoolId, classId }, { fullName: 1 }).lean(),
  ]);
  const studentIds = students.map((s) => s._id);
  const [guardians, links] = studentIds.length
    ? await Promise.all([
        Guardian.find({ schoolId, studentIds: { $in: studentIds } }, { fullName: 1, studentIds: 1, delivery: 1, deliveryReason: 1 }).lean(),
        GuardianLink.find({ schoolId, studentId: { $in: studentIds } }, { accountId: 1, guardianId: 1, studentId: 1 }).lean(),
      ])
    : [[], []];
  const accountIds = [...new Set(links.map((l) => String(l.accountId)))].map((id) => new Types.ObjectId(id));
  const guardianIds = guardians.map((g) => g._id);
  const [accounts, records] = await Promise.all([
    accountIds.length ? Account.find({ _id: { $in: accountIds } }, { active: 1 }).lean() : [],
    accountIds.length || guardianIds.length
      ? ConsentRecord.find(
          { $or: [{ schoolId, accountId: { $in: accountIds } }, { guardianId: { $in: guardianIds }, form: { $in: ["paper", "edoc"] } }] },
          { accountId: 1, guardianId: 1, decision: 1, form: 1, textVersion: 1, recordedAt: 1, schoolId: 1 },
        )
          .sort({ recordedAt: -1, _id: -1 })
          .lean()
      : [],
  ]);
  const version = school ? consentVersionOf(school) : "";
  const active = new Set(accounts.filter((a) => a.active !== false).map((a) => String(a._id)));
  const byAccount = newestBy(records.filter((r) => r.accountId && r.schoolId?.equals(schoolId)), (r) => String(r.accountId));
  const byGuardian = newestBy(records.filter((r) => r.guardianId && (r.form === "paper" || r.form === "edoc")), (r) => String(r.guardianId));

  const result: StudentConsentStatus[] = students.map((student) => {
    const own = guardians
      .filter((g) => g.studentIds.some((id) => id.equals(student._id)))
      .map((g): GuardianConsentStatus => {
        const counts = noAccounts();
        for (const link of links) {
          if (!link.guardianId.equals(g._id) || !link.studentId.equals(student._id) || !active.has(String(link.accountId))) continue;
          counts[consentStateOf(byAccount.get(String(link.accountId)), version)] += 1;
        }
        const doc = byGuardian.get(String(g._id));
        return {
          guardianId: g._id,
          fullName: g.fullName ?? null,
          accounts: counts,
          document: doc ? { decision: doc.decision, form: doc.form as "paper" | "edoc" } : null,
          delivery: g.delivery,
          deliveryReason: g.deliveryReason ?? null,
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
