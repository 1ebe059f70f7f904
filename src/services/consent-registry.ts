/**
 * The consent registry of a class (issue 13, the school's console): every guardian record the
 * journal knows for the class's students, and every person of it (the accounts acting for it, each
 * with its own decision, and the record person when the school knows it on paper), with the
 * decision in force — its state, form, date, who registered it and the written statement behind it
 * — and the contacts the school holds for the person with their sources. Pure data out, from the
 * one reading of a child's persons (src/services/people.ts) plus a fixed number of queries.
 * The caller has checked that the viewer may see the class (src/web/console/access.ts).
 */
import type { Types } from "mongoose";
import { Account, ConsentRecord, Guardian, Student, Teacher, type ConsentForm, type ContactSource } from "../db/models";
import type { ConsentState } from "../domain/consent";
import { familiesOf } from "./people";
import { byName } from "./reports/school-data";

export const REGISTRY_STATES = ["granted", "declined", "withdrawn", "outdated", "none"] as const satisfies readonly ConsentState[];
/** The forms a decision can have, and "none" for a person who has not decided. */
export const REGISTRY_FORMS = ["telegram", "max", "paper", "edoc", "none"] as const;
export type RegistryForm = (typeof REGISTRY_FORMS)[number];

export interface RegistryContact {
  kind: "email" | "phone";
  /** Shown in full only when the school received it (journal or a written statement); a person's own is masked. */
  value: string;
  source: ContactSource;
}

export interface RegistryRow {
  studentId: Types.ObjectId;
  studentName: string;
  guardianId: Types.ObjectId;
  guardianName: string | null;
  /** The journal's record itself, or an account acting for it (`accountTail`: the Telegram id's last digits). */
  person: { kind: "record" } | { kind: "account"; accountId: Types.ObjectId; accountTail: string | null };
  state: ConsentState;
  form: RegistryForm;
  decidedAt: Date | null;
  /** Who registered a written decision: a teacher's name, or an admin account (`admin`, with the Telegram id's last digits). */
  registeredBy: StaffLabel | null;
  document: { number: string; date: string; fileHash: string | null } | null;
  note: string | null;
  contacts: RegistryContact[];
}

/** A member of staff as the console names them: a teacher's name, or an admin by the last digits of their Telegram id. */
export type StaffLabel = { teacher: string } | { admin: string | null };

export interface RegistryFilter {
  state?: ConsentState;
  form?: RegistryForm;
}

type RecordLean = {
  accountId?: Types.ObjectId | null; guardianId?: Types.ObjectId | null; form: ConsentForm; recordedAt: Date;
  recordedBy?: Types.ObjectId | null; note?: string | null; document?: { number: string; date: string; fileHash?: string | null } | null;
};
type ContactLean = { kind: "email" | "phone"; value: string; source: ContactSource };

const tail = (telegramId: number | null | undefined) => (telegramId ? String(telegramId).slice(-4) : null);
const SCHOOL_SOURCES: readonly ContactSource[] = ["journal", "school-paper", "school-edoc"];

/** A person's own contact, masked: the school did not receive it and has no need to read it here. */
export function maskContact(kind: "email" | "phone", value: string): string {
  if (kind === "phone") return `${value.slice(0, 2)}•••••${value.slice(-2)}`;
  const [name, domain] = value.split("@");
  return `${name.slice(0, 1)}•••@${domain ?? ""}`;
}

function contactsOf(list: readonly ContactLean[] | undefined): RegistryContact[] {
  return (list ?? []).map((c) => ({ kind: c.kind, source: c.source, value: SCHOOL_SOURCES.includes(c.source) ? c.value : maskContact(c.kind, c.value) }));
}

/** The class's registry rows (by student, guardian, then the record before its accounts), filtered. */
export async function classConsentRegistry(schoolId: Types.ObjectId, classId: Types.ObjectId, filter: RegistryFilter = {}): Promise<RegistryRow[]> {
  const students = await Student.find({ schoolId, classId, left: null }, { fullName: 1 }).lean();
  const families = await familiesOf(schoolId, students.map((s) => s._id));
  const all = [...families.values()].flat();
  const guardianIds = [...new Set(all.map((f) => String(f.guardianId)))];
  const accountIds = [...new Set(all.flatMap((f) => f.persons.filter((p) => p.accountId).map((p) => String(p.accountId))))];
  const [guardians, accounts, records] = await Promise.all([
    Guardian.find({ _id: { $in: guardianIds } }, { contacts: 1 }).lean(),
    Account.find({ _id: { $in: accountIds } }, { telegramId: 1, contacts: 1 }).lean(),
    ConsentRecord.find(
      { schoolId, $or: [{ accountId: { $in: accountIds } }, { guardianId: { $in: guardianIds }, form: { $in: ["paper", "edoc"] } }] },
      { accountId: 1, guardianId: 1, form: 1, recordedAt: 1, recordedBy: 1, note: 1, document: 1 },
    ).sort({ recordedAt: -1, _id: -1 }).lean<RecordLean[]>(),
  ]);
  const newest = new Map<string, RecordLean>();
  for (const r of records) {
    const keys = [r.accountId ? `a${String(r.accountId)}` : null, r.form === "paper" || r.form === "edoc" ? `g${String(r.guardianId)}` : null];
    for (const k of keys) if (k && !newest.has(k)) newest.set(k, r);
  }
  const registeredBy = await staffLabels(schoolId, [...new Set(records.map((r) => (r.recordedBy ? String(r.recordedBy) : "")).filter(Boolean))]);
  const guardianById = new Map(guardians.map((g) => [String(g._id), g]));
  const accountById = new Map(accounts.map((a) => [String(a._id), a]));

  const rows: RegistryRow[] = [];
  for (const student of [...students].sort((a, b) => byName(a.fullName, b.fullName))) {
    const own = [...(families.get(String(student._id)) ?? [])].sort((a, b) => byName(a.guardianName ?? "", b.guardianName ?? ""));
    for (const family of own) {
      const persons = [...family.persons].sort((a, b) => Number(!!a.accountId) - Number(!!b.accountId));
      for (const p of persons) {
        const record = newest.get(p.accountId ? `a${String(p.accountId)}` : `g${String(family.guardianId)}`) ?? null;
        const account = p.accountId ? accountById.get(String(p.accountId)) : undefined;
        rows.push({
          studentId: student._id, studentName: student.fullName, guardianId: family.guardianId, guardianName: family.guardianName,
          person: p.accountId ? { kind: "account", accountId: p.accountId, accountTail: tail(account?.telegramId) } : { kind: "record" },
          state: p.consent,
          form: record ? record.form : "none",
          decidedAt: record?.recordedAt ?? null,
          registeredBy: record?.recordedBy ? (registeredBy.get(String(record.recordedBy)) ?? { admin: null }) : null,
          document: record?.document ? { number: record.document.number, date: record.document.date, fileHash: record.document.fileHash ?? null } : null,
          note: record?.note ?? null,
          contacts: contactsOf((p.accountId ? account?.contacts : guardianById.get(String(family.guardianId))?.contacts) as ContactLean[] | undefined),
        });
      }
    }
  }
  return rows.filter((r) => (!filter.state || r.state === filter.state) && (!filter.form || r.form === filter.form));
}

/** Staff accounts by id as the console names them: a teacher's name when the account is a teacher of this school, else an admin. */
export async function staffLabels(schoolId: Types.ObjectId, accountIds: string[]): Promise<Map<string, StaffLabel>> {
  const out = new Map<string, StaffLabel>();
  if (!accountIds.length) return out;
  const accounts = await Account.find({ _id: { $in: accountIds } }, { telegramId: 1, roles: 1 }).lean();
  const teacherOf = new Map<string, Types.ObjectId>();
  for (const a of accounts) {
    const role = a.roles.find((r) => r.role === "teacher" && r.teacherId && String(r.schoolId) === String(schoolId));
    if (role?.teacherId) teacherOf.set(String(a._id), role.teacherId);
  }
  const teachers = new Map((await Teacher.find({ _id: { $in: [...teacherOf.values()] } }, { fullName: 1 }).lean()).map((t) => [String(t._id), t.fullName]));
  for (const a of accounts) {
    const teacher = teacherOf.get(String(a._id));
    out.set(String(a._id), teacher && teachers.has(String(teacher)) ? { teacher: teachers.get(String(teacher))! } : { admin: tail(a.telegramId) });
  }
  return out;
}

/** The guardian record if it belongs to a student of this class (what the forms accept), else null. */
export async function guardianOfClass(schoolId: Types.ObjectId, classId: Types.ObjectId, guardianId: string) {
  if (!/^[0-9a-f]{24}$/.test(guardianId)) return null;
  const students = await Student.find({ schoolId, classId, left: null }, { _id: 1 }).lean();
  return Guardian.findOne({ _id: guardianId, schoolId, studentIds: { $in: students.map((s) => s._id) } }, { fullName: 1, studentIds: 1 }).lean();
}
