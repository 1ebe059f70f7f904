/**
 * What one update of a guardian needs to know, read in one round trip (issue 11: the common views
 * cost at most four database commands): the account, its dialog state, its links and consent records,
 * the linked children with their classes and schools, and those schools' calendars, subjects and
 * teachers — one `aggregate` on `accounts` with one-level `$lookup`s (the forms both MongoDB and the
 * tests' stand-in know).
 *
 * A snapshot is what was true when the update arrived. The consent gate and the data views read it;
 * anything that changes links or consent (onboarding, /privacy) asks `accessibleChildren` again
 * (src/services/access.ts), so no change is ever judged by an older snapshot.
 */
import type { Types } from "mongoose";
import { Account, type AccountDocument, type ConsentDecision, type SchoolSettings } from "../db/models";
import { consentStateOf, consentVersionOf, type ConsentState } from "../domain/consent";
import type { AccessibleChild } from "./access";

type Id = Types.ObjectId;
type Lean<T> = T & { _id: Id };

export interface SnapshotLink { accountId: Id; guardianId: Id; studentId: Id; schoolId: Id; linkedAt?: Date }
export interface SnapshotConsent { schoolId?: Id | null; decision: ConsentDecision; form: string; textVersion: string; recordedAt: Date; _id: Id }
export type SnapshotSchool = Lean<{ name?: string; timezone: string; settings?: SchoolSettings | null; schoolYear?: { current: string } | null }>;
export type SnapshotStudent = Lean<{ schoolId: Id; classId: Id; fullName: string; groupIds?: Id[]; individualPlan?: boolean | null; individualTeacherIds?: Id[]; classHistory?: Array<{ year: string; classId: Id; className: string }> }>;
export type SnapshotClass = Lean<{ schoolId: Id; name: string; homeroomTeacherId?: Id | null }>;
export type SnapshotPeriod = Lean<{ schoolId: Id; name: string; kind: string; start: string; end: string }>;
export type SnapshotHoliday = Lean<{ schoolId: Id; name: string; start: string; end: string; classIds?: Id[] }>;

/** A school's reference data as the views use it (names by id, the calendar). */
export interface SchoolReference {
  periods: SnapshotPeriod[];
  holidays: SnapshotHoliday[];
  subjects: Map<string, string>;
  teachers: Map<string, string>;
}

export interface AccessSnapshot {
  links: SnapshotLink[];
  consents: SnapshotConsent[];
  schools: Map<string, SnapshotSchool>;
  students: Map<string, SnapshotStudent>;
  classes: Map<string, SnapshotClass>;
  reference: Map<string, SchoolReference>;
  /** The dialog state stored under `dialog:<telegram id>` (read with the account: src/bot/session.ts). */
  dialog: { value: unknown; expiresAt?: Date | null } | null;
}

type Row = Record<string, unknown> & { _id: Id };

const byId = <T extends { _id: Id }>(items: readonly T[]) => new Map(items.map((i) => [String(i._id), i]));

/** The account with the given Telegram id and its snapshot; null when there is no such account. */
export async function loadAccountWithAccess(telegramId: number): Promise<{ account: AccountDocument; access: AccessSnapshot } | null> {
  const [row] = await Account.aggregate<Row>([
    { $match: { telegramId } },
    { $limit: 1 },
    { $addFields: { __dialogKey: `dialog:${telegramId}` } },
    { $lookup: { from: "sessions", localField: "__dialogKey", foreignField: "key", as: "__dialog" } },
    { $lookup: { from: "guardian_links", localField: "_id", foreignField: "accountId", as: "__links" } },
    { $lookup: { from: "consent_records", localField: "_id", foreignField: "accountId", as: "__consents" } },
    { $addFields: { __studentIds: "$__links.studentId", __schoolIds: "$__links.schoolId" } },
    { $lookup: { from: "students", localField: "__studentIds", foreignField: "_id", as: "__students" } },
    { $addFields: { __classIds: "$__students.classId" } },
    { $lookup: { from: "classes", localField: "__classIds", foreignField: "_id", as: "__classes" } },
    { $lookup: { from: "schools", localField: "__schoolIds", foreignField: "_id", as: "__schools" } },
    { $lookup: { from: "periods", localField: "__schoolIds", foreignField: "schoolId", as: "__periods" } },
    { $lookup: { from: "holidays", localField: "__schoolIds", foreignField: "schoolId", as: "__holidays" } },
    { $lookup: { from: "subjects", localField: "__schoolIds", foreignField: "schoolId", as: "__subjects" } },
    { $lookup: { from: "teachers", localField: "__schoolIds", foreignField: "schoolId", as: "__teachers" } },
  ]);
  if (!row) return null;
  const take = <T>(key: string): T[] => {
    const value = (row[key] ?? []) as T[];
    delete row[key];
    return value;
  };
  const links = take<SnapshotLink>("__links").sort((a, b) => (a.linkedAt?.getTime() ?? 0) - (b.linkedAt?.getTime() ?? 0));
  const consents = take<SnapshotConsent>("__consents");
  const students = take<SnapshotStudent>("__students");
  const classes = take<SnapshotClass>("__classes");
  const schools = take<SnapshotSchool>("__schools");
  const periods = take<SnapshotPeriod>("__periods");
  const holidays = take<SnapshotHoliday>("__holidays");
  const subjects = take<Lean<{ schoolId: Id; name: string }>>("__subjects");
  const teachers = take<Lean<{ schoolId: Id; fullName: string }>>("__teachers");
  const [dialog] = take<{ value: unknown; expiresAt?: Date | null }>("__dialog");
  for (const key of ["__dialogKey", "__studentIds", "__schoolIds", "__classIds"]) delete row[key];

  const reference = new Map<string, SchoolReference>();
  for (const school of schools) {
    const id = String(school._id);
    const mine = <T extends { schoolId: Id }>(items: readonly T[]) => items.filter((i) => String(i.schoolId) === id);
    reference.set(id, {
      periods: mine(periods).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)),
      holidays: mine(holidays).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)),
      subjects: new Map(mine(subjects).map((s) => [String(s._id), s.name])),
      teachers: new Map(mine(teachers).map((t) => [String(t._id), t.fullName])),
    });
  }
  return {
    account: Account.hydrate(row) as AccountDocument,
    access: { links, consents, schools: byId(schools), students: byId(students), classes: byId(classes), reference, dialog: dialog ?? null },
  };
}

/** The account's consent state in a school, by the snapshot (the same rule as `consentState`). */
export function snapshotConsentState(access: AccessSnapshot, schoolId: Id): ConsentState {
  const school = access.schools.get(String(schoolId));
  if (!school) return "none";
  const newest = access.consents
    .filter((c) => c.schoolId && c.schoolId.equals(schoolId))
    .sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || (String(b._id) < String(a._id) ? -1 : 1))[0];
  return consentStateOf(newest ?? null, consentVersionOf(school));
}

/** The children a guardian account reaches through its links, by the snapshot (students' own roles: access.ts). */
export function snapshotGuardianChildren(access: AccessSnapshot): AccessibleChild[] {
  const children: AccessibleChild[] = [];
  const states = new Map<string, ConsentState>();
  for (const link of access.links) {
    const key = String(link.schoolId);
    if (!states.has(key)) states.set(key, snapshotConsentState(access, link.schoolId));
    if (states.get(key) !== "granted" || children.some((c) => c.studentId.equals(link.studentId))) continue;
    children.push({ studentId: link.studentId, schoolId: link.schoolId, via: "guardian", guardianId: link.guardianId });
  }
  return children;
}

/** Schools the account has children in whose consent text changed since it agreed. */
export function snapshotOutdatedSchools(access: AccessSnapshot): Id[] {
  const schools = new Map(access.links.map((l) => [String(l.schoolId), l.schoolId]));
  return [...schools.values()].filter((id) => snapshotConsentState(access, id) === "outdated");
}
