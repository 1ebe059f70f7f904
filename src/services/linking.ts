/**
 * Redeeming an invite code: the preview a guardian confirms ("Иванова М., 7Б"), then the atomic
 * one-time use and what it grants: a guardian link to the child (several guardians may link to one
 * child, one guardian to children in several schools), or a student, teacher or admin role.
 */
import { Types } from "mongoose";
import { Guardian, GuardianLink, InviteCode, School, SchoolClass, Student, Teacher, Account, type Role } from "../db/models";
import { maskName } from "../domain/codes";
import { consentState } from "./access";
import { childrenWithGuardianConsent } from "./people";
import { recordAudit } from "./audit";
import { inForce, isStaffRole, roleSnapshot, staffRoleExpiry } from "./staff";

/** What the user sees before confirming (masked: the code may have reached the wrong person). */
export interface CodePreview {
  role: Role;
  schoolId: string;
  schoolName: string;
  studentId?: string;
  /** "Иванова М." */
  childName?: string;
  className?: string;
  teacherName?: string;
}

export async function previewCode(codeId: string): Promise<CodePreview | null> {
  if (!Types.ObjectId.isValid(codeId)) return null;
  const code = await InviteCode.findById(codeId).lean();
  if (!code) return null;
  const school = await School.findById(code.schoolId, { name: 1 }).lean();
  const preview: CodePreview = { role: code.role, schoolId: String(code.schoolId), schoolName: school?.name ?? "" };
  if (code.studentId) {
    const student = await Student.findById(code.studentId, { fullName: 1, classId: 1 }).lean();
    const schoolClass = student ? await SchoolClass.findById(student.classId, { name: 1 }).lean() : null;
    preview.studentId = String(code.studentId);
    preview.childName = student ? maskName(student.fullName) : undefined;
    preview.className = schoolClass?.name;
  }
  if (code.teacherId) {
    const teacher = await Teacher.findById(code.teacherId, { fullName: 1 }).lean();
    preview.teacherName = teacher ? maskName(teacher.fullName) : undefined;
  }
  return preview;
}

/** Whether redeeming this code needs the account's consent to the school first (guardians only). */
export function needsConsent(role: Role): boolean {
  return role === "guardian";
}

export type RedeemResult =
  | { status: "linked"; role: Role; schoolId: string; studentId?: string; alreadyLinked?: boolean }
  | { status: "consent-required"; schoolId: string }
  /** A student code, while no guardian of the student has consent in force (the code stays unused). */
  | { status: "guardian-consent-required"; schoolId: string }
  | { status: "gone" };

/**
 * Uses the code once (atomically: of two people confirming the same code, one wins) and grants
 * what it is for. A guardian code needs the account's current consent to the code's school.
 */
export async function redeemCode(input: { accountId: Types.ObjectId; codeId: string; now: Date }): Promise<RedeemResult> {
  const { accountId, now } = input;
  if (!Types.ObjectId.isValid(input.codeId)) return { status: "gone" };
  const pending = await InviteCode.findById(input.codeId, { role: 1, schoolId: 1, studentId: 1 }).lean();
  if (!pending) return { status: "gone" };
  if (needsConsent(pending.role) && (await consentState(accountId, pending.schoolId)) !== "granted") {
    return { status: "consent-required", schoolId: String(pending.schoolId) };
  }
  if (pending.role === "student" && pending.studentId && !(await childrenWithGuardianConsent(pending.schoolId, [pending.studentId])).size) {
    return { status: "guardian-consent-required", schoolId: String(pending.schoolId) };
  }
  const code = await InviteCode.findOneAndUpdate(
    { _id: pending._id, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now, usedByAccountId: accountId } },
    { returnDocument: "after" },
  ).lean();
  if (!code) return { status: "gone" };
  const account = await Account.findById(accountId, { roles: 1 }).lean();
  const roles = account?.roles ?? [];
  const base = { status: "linked" as const, role: code.role, schoolId: String(code.schoolId) };

  if (code.role === "guardian" && code.studentId) {
    // The journal's guardian when the code names one, else the guardian record this account already
    // has in the school, else a new one for this account.
    const ownGuardian = roles.find((r) => r.role === "guardian" && r.schoolId.equals(code.schoolId))?.guardianId;
    const guardianId = code.guardianId ?? ownGuardian ?? (await Guardian.create({ schoolId: code.schoolId, studentIds: [code.studentId] }))._id;
    await Guardian.updateOne({ _id: guardianId }, { $addToSet: { studentIds: code.studentId } });
    if (!roles.some((r) => r.role === "guardian" && r.guardianId?.equals(guardianId))) {
      await Account.updateOne({ _id: accountId }, { $push: { roles: { role: "guardian", schoolId: code.schoolId, guardianId, grantedAt: now, codeId: code._id } } });
    }
    const link = await GuardianLink.updateOne(
      { accountId, studentId: code.studentId },
      { $setOnInsert: { guardianId, schoolId: code.schoolId, linkedAt: now, codeId: code._id } },
      { upsert: true },
    );
    await Account.updateOne({ _id: accountId, selectedStudentId: null }, { $set: { selectedStudentId: code.studentId } });
    return { ...base, studentId: String(code.studentId), alreadyLinked: link.upsertedCount === 0 };
  }
  const staff = isStaffRole(code.role);
  const grant = {
    role: code.role,
    schoolId: code.schoolId,
    ...(code.studentId ? { studentId: code.studentId } : {}),
    ...(code.teacherId ? { teacherId: code.teacherId } : {}),
    grantedAt: now,
    codeId: code._id,
    // Staff roles last to the end of the school year unless renewed (src/services/staff.ts).
    ...(staff ? { expiresAt: await staffRoleExpiry(code.schoolId, now, "grant") } : {}),
  };
  const isGrant = (r: (typeof roles)[number]) =>
    r.role === grant.role && r.schoolId.equals(grant.schoolId) && String(r.studentId ?? r.teacherId ?? "") === String(grant.studentId ?? grant.teacherId ?? "");
  const same = roles.some((r) => isGrant(r) && inForce(r, now));
  if (!same) {
    // An expired role the upkeep job has not removed yet makes way for the new one.
    if (roles.some(isGrant)) await Account.updateOne({ _id: accountId }, { $pull: { roles: { role: grant.role, schoolId: grant.schoolId, expiresAt: { $lte: now } } } });
    await Account.updateOne({ _id: accountId }, { $push: { roles: grant } });
    if (staff) {
      await recordAudit([{
        at: now, schoolId: code.schoolId, action: "role.granted", target: { kind: "account", id: accountId }, after: roleSnapshot(grant), reason: "invite code redeemed",
        // The admin who issued the code granted the role; codes from the command line name no one.
        actor: code.issuedBy ? { kind: "account", accountId: code.issuedBy } : { kind: "cli", name: "codes" },
      }]);
    }
  }
  return { ...base, ...(code.studentId ? { studentId: String(code.studentId) } : {}), alreadyLinked: same };
}
