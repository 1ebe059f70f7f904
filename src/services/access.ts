/**
 * Who may see whose data; every handler asks here, on the server, for every update. A guardian sees
 * a child only through a link made with a code AND while their consent to that school's current
 * text is in force; a student sees only themselves, and only while a guardian of theirs has consent
 * in force. Callback data never carries a permission.
 */
import type { Types } from "mongoose";
import { GuardianLink, School, latestConsent, type AccountDocument } from "../db/models";
import { consentStateOf, consentVersionOf, type ConsentState } from "../domain/consent";
import { childrenWithGuardianConsent } from "./people";
import { snapshotGuardianChildren, snapshotOutdatedSchools, type AccessSnapshot } from "./access-snapshot";

export { consentStateOf, type ConsentState };

export interface AccessibleChild {
  studentId: Types.ObjectId;
  schoolId: Types.ObjectId;
  /** How the account reaches the child: as their guardian or as the student themselves. */
  via: "guardian" | "student";
  guardianId?: Types.ObjectId;
}

/**
 * The account's consent to the school's current text: only "granted" lets data through. The newest
 * record of the account in the school decides, given in the bot or in writing (a statement whose
 * signer the admin named as this account).
 */
export async function consentState(accountId: Types.ObjectId, schoolId: Types.ObjectId): Promise<ConsentState> {
  const [record, school] = await Promise.all([latestConsent({ accountId, schoolId }), School.findById(schoolId, { settings: 1 }).lean()]);
  if (!school) return "none";
  return consentStateOf(record, consentVersionOf(school));
}

export async function accessibleChildren(account: AccountDocument | null): Promise<AccessibleChild[]> {
  if (!account) return [];
  // A student sees themselves only while a guardian's consent covers their account (docs/decisions.md, "Students' own accounts").
  const children: AccessibleChild[] = [];
  for (const role of account.roles.filter((r) => r.role === "student" && r.studentId)) {
    if ((await childrenWithGuardianConsent(role.schoolId, [role.studentId!])).size) children.push({ studentId: role.studentId!, schoolId: role.schoolId, via: "student" });
  }
  const links = await GuardianLink.find({ accountId: account._id }).sort({ linkedAt: 1 }).lean();
  const consent = new Map<string, ConsentState>();
  for (const link of links) {
    const key = String(link.schoolId);
    if (!consent.has(key)) consent.set(key, await consentState(account._id, link.schoolId));
    if (consent.get(key) !== "granted") continue;
    if (children.some((c) => c.studentId.equals(link.studentId))) continue;
    children.push({ studentId: link.studentId, schoolId: link.schoolId, via: "guardian", guardianId: link.guardianId });
  }
  return children;
}

/** Why an account sees a school's children or not: the state, the version agreed to and the school's own. */
export interface AccessDiagnosis {
  links: number;
  schools: Array<{ schoolId: string; state: ConsentState; agreedVersion: string | null; schoolVersion: string | null }>;
}

/**
 * For the log when an account sees no child where it should (ids, states and versions only, no
 * personal data): a rare e2e failure showed "no child" right after a redeemed code and left
 * nothing to tell a missing link from a consent that did not count (docs/decisions.md).
 */
export async function accessDiagnosis(accountId: Types.ObjectId): Promise<AccessDiagnosis> {
  const links = await GuardianLink.find({ accountId }, { schoolId: 1 }).lean();
  const schools: AccessDiagnosis["schools"] = [];
  for (const schoolId of new Map(links.map((l) => [String(l.schoolId), l.schoolId])).values()) {
    const [record, school] = await Promise.all([latestConsent({ accountId, schoolId }), School.findById(schoolId, { settings: 1 }).lean()]);
    const schoolVersion = school ? consentVersionOf(school) : null;
    schools.push({ schoolId: String(schoolId), state: school ? consentStateOf(record, schoolVersion!) : "none", agreedVersion: record?.textVersion ?? null, schoolVersion });
  }
  return { links: links.length, schools };
}

/**
 * `accessibleChildren` from the update's snapshot when there is one (src/services/access-snapshot.ts);
 * a student's own account still asks its guardians' consent of the database.
 */
export async function childrenOf(account: AccountDocument | null, access?: AccessSnapshot | null): Promise<AccessibleChild[]> {
  if (!account || !access || account.roles.some((r) => r.role === "student")) return accessibleChildren(account);
  return snapshotGuardianChildren(access);
}

/** The child if this account may see them now, else null ("not available", whatever the reason). */
export async function childIfAccessible(account: AccountDocument | null, studentId: unknown): Promise<AccessibleChild | null> {
  if (typeof studentId !== "string" && typeof studentId !== "object") return null;
  const wanted = String(studentId);
  return (await accessibleChildren(account)).find((c) => String(c.studentId) === wanted) ?? null;
}

export function hasRole(account: AccountDocument | null, role: "guardian" | "student" | "teacher" | "admin", schoolId?: Types.ObjectId): boolean {
  return !!account?.roles.some((r) => r.role === role && (!schoolId || r.schoolId.equals(schoolId)));
}

/**
 * The schools this Telegram user administers: every school for the bootstrap admins named in
 * ADMIN_TELEGRAM_IDS, otherwise those where the account holds an admin role (from an admin code).
 */
export async function adminSchoolIds(account: AccountDocument | null, telegramId: number | undefined, bootstrapAdmins: readonly number[]): Promise<Types.ObjectId[]> {
  if (telegramId !== undefined && bootstrapAdmins.includes(telegramId)) {
    return (await School.find({}, { _id: 1 }).sort({ name: 1 }).lean()).map((s) => s._id);
  }
  const ids = (account?.roles ?? []).filter((r) => r.role === "admin").map((r) => r.schoolId);
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}

/** Whether the user may administer this school (issue codes, register paper consents). */
export async function isSchoolAdmin(account: AccountDocument | null, telegramId: number | undefined, bootstrapAdmins: readonly number[], schoolId: unknown): Promise<boolean> {
  return (await adminSchoolIds(account, telegramId, bootstrapAdmins)).some((id) => String(id) === String(schoolId));
}

/** Schools the account has children in whose consent text changed since the account agreed. */
export async function schoolsWithOutdatedConsent(account: AccountDocument | null, access?: AccessSnapshot | null): Promise<Types.ObjectId[]> {
  if (!account) return [];
  if (access) return snapshotOutdatedSchools(access);
  const schoolIds = [...new Map((await GuardianLink.find({ accountId: account._id }, { schoolId: 1 }).lean()).map((l) => [String(l.schoolId), l.schoolId])).values()];
  const outdated: Types.ObjectId[] = [];
  for (const schoolId of schoolIds) if ((await consentState(account._id, schoolId)) === "outdated") outdated.push(schoolId);
  return outdated;
}
