/**
 * Invite codes: issuing (per class, student, teacher, admin; a new guardian or student code revokes
 * the earlier unused ones it replaces), revoking (one code, or all of a student or class), and
 * checking what a user typed, with the brute-force lockout. The clear code exists only in the return value of the
 * issuing functions; the database keeps HMAC(CODE_PEPPER, code). Redeeming is in linking.ts.
 */
import { randomInt } from "node:crypto";
import { Types } from "mongoose";
import { Guardian, InviteCode, School, SchoolClass, Student, Teacher, Account, type Role, type AccountDocument } from "../db/models";
import { formatCode, generateCode, hashCode, isWellFormedCode, normalizeCode } from "../domain/codes";
import type { Logger } from "../logger";
import type { CodeAlarm } from "./code-alarm";
import { childrenWithGuardianConsent } from "./people";
import { findClassByName } from "./schools";

export const MAX_WRONG_CODES = 5;
export const WRONG_CODE_WINDOW_MS = 60 * 60 * 1000;
export const CODE_LOCKOUT_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A mistake in what was asked for (unknown class, student, teacher): one clear line for the admin. */
export class CodeRequestError extends Error {}

export interface IssuedCode {
  role: Role;
  /** The code in clear, grouped ("ABCD-EFGH-JK"): shown or printed once, never stored. */
  code: string;
  expiresAt: Date;
  studentExternalId?: string;
  studentName?: string;
  className?: string;
  teacherExternalId?: string;
  /**
   * Guardian and student codes: how many earlier unused, unexpired codes of the same student, role
   * and guardian binding this one replaced (they are revoked: a lost slip stops working).
   */
  revokedEarlier?: number;
}

interface IssueInput {
  schoolId: Types.ObjectId;
  role: Role;
  pepper: string;
  now: Date;
  studentId?: Types.ObjectId;
  guardianId?: Types.ObjectId;
  teacherId?: Types.ObjectId;
  issuedBy?: Types.ObjectId;
  batch?: string;
}

async function schoolTtlDays(schoolId: Types.ObjectId): Promise<number> {
  const school = await School.findById(schoolId, { settings: 1 }).lean();
  if (!school) throw new CodeRequestError(`School ${String(schoolId)} not found`);
  return school.settings?.codeTtlDays ?? 30;
}

/** What still lets someone in: neither used nor revoked, and not expired at `now`. */
const redeemable = (now: Date) => ({ usedAt: null, revokedAt: null, expiresAt: { $gt: now } });

async function issueOne(input: IssueInput, ttlDays: number): Promise<{ code: string; expiresAt: Date; revokedEarlier: number }> {
  const expiresAt = new Date(input.now.getTime() + ttlDays * DAY_MS);
  // A collision of two random 10-character codes is next to impossible; the unique index decides.
  for (let attempt = 0; ; attempt++) {
    const code = generateCode(randomInt);
    try {
      const created = await InviteCode.create({
        schoolId: input.schoolId, codeHash: hashCode(input.pepper, code), role: input.role, studentId: input.studentId,
        guardianId: input.guardianId, teacherId: input.teacherId, expiresAt, issuedBy: input.issuedBy, batch: input.batch,
      });
      const revokedEarlier = await revokeReplaced(input, created);
      return { code: formatCode(code), expiresAt, revokedEarlier };
    } catch (error) {
      if ((error as { code?: number }).code !== 11000 || attempt >= 3) throw error;
    }
  }
}

/**
 * A new guardian or student code replaces the student's earlier unused ones of the same role and
 * guardian binding (a lost slip stops working once a replacement is printed). Only codes created
 * before this one are revoked (by `createdAt`, the id breaking a tie: ids alone are not ordered
 * across processes within a second), so of two issued at once exactly one stays valid.
 * Used codes stay as they are (the record of who gained access), and other bindings are untouched
 * (a second parent's code stays valid).
 */
async function revokeReplaced(input: IssueInput, created: { _id: Types.ObjectId; createdAt: Date }): Promise<number> {
  if ((input.role !== "guardian" && input.role !== "student") || !input.studentId) return 0;
  const result = await InviteCode.updateMany(
    {
      schoolId: input.schoolId, role: input.role, studentId: input.studentId, guardianId: input.guardianId ?? null,
      $or: [{ createdAt: { $lt: created.createdAt } }, { createdAt: created.createdAt, _id: { $lt: created._id } }],
      ...redeemable(input.now),
    },
    { $set: { revokedAt: input.now } },
  );
  return result.modifiedCount;
}

export interface IssueCommon {
  schoolId: Types.ObjectId;
  pepper: string;
  now: Date;
  issuedBy?: Types.ObjectId;
}

/**
 * One guardian code per student of the class (one slip each). A code names the guardian record
 * when the journal sent exactly one guardian for the student; otherwise the redeemer gets their own.
 */
export async function issueClassCodes(input: IssueCommon & { className: string }): Promise<IssuedCode[]> {
  const schoolClass = await findClassByName(input.schoolId, input.className);
  if (!schoolClass) throw new CodeRequestError(`Class "${input.className}" not found`);
  const students = await Student.find({ schoolId: input.schoolId, classId: schoolClass._id, left: null }).sort({ fullName: 1 }).lean();
  const guardians = await Guardian.find({ schoolId: input.schoolId, studentIds: { $in: students.map((s) => s._id) }, externalId: { $exists: true } }, { studentIds: 1 }).lean();
  const ttl = await schoolTtlDays(input.schoolId);
  const issued: IssuedCode[] = [];
  for (const student of students) {
    const own = guardians.filter((g) => g.studentIds.some((id) => id.equals(student._id)));
    const { code, expiresAt, revokedEarlier } = await issueOne(
      { ...input, role: "guardian", studentId: student._id, guardianId: own.length === 1 ? own[0]._id : undefined, batch: schoolClass.name },
      ttl,
    );
    issued.push({ role: "guardian", code, expiresAt, studentExternalId: student.externalId, studentName: student.fullName, className: schoolClass.name, revokedEarlier });
  }
  return issued;
}

/** A guardian code (optionally for a journal guardian) or the student's own code. */
export async function issueStudentCode(
  input: IssueCommon & { studentExternalId: string; role: "guardian" | "student"; guardianExternalId?: string },
): Promise<IssuedCode> {
  const student = await Student.findOne({ schoolId: input.schoolId, externalId: input.studentExternalId }).lean();
  if (!student) throw new CodeRequestError(`Student "${input.studentExternalId}" not found`);
  let guardianId: Types.ObjectId | undefined;
  if (input.role === "guardian" && input.guardianExternalId === undefined) {
    // As for a class: the journal's guardian when it sent exactly one for the student.
    const own = await Guardian.find({ schoolId: input.schoolId, studentIds: student._id, externalId: { $exists: true } }, { _id: 1 }).lean();
    if (own.length === 1) guardianId = own[0]._id;
  } else if (input.guardianExternalId !== undefined) {
    const guardian = await Guardian.findOne({ schoolId: input.schoolId, externalId: input.guardianExternalId }).lean();
    if (!guardian || !guardian.studentIds.some((id) => id.equals(student._id))) {
      throw new CodeRequestError(`Guardian "${input.guardianExternalId}" not found for student "${input.studentExternalId}"`);
    }
    guardianId = guardian._id;
  }
  if (input.role === "student" && !(await childrenWithGuardianConsent(input.schoolId, [student._id])).size) {
    // docs/decisions.md, "Students' own accounts": a guardian's consent is the basis of a pupil's own account.
    throw new CodeRequestError(`Student "${input.studentExternalId}" has no guardian with consent in force: a student code needs a guardian's consent first (152-FZ art. 9)`);
  }
  const schoolClass = await SchoolClass.findById(student.classId, { name: 1 }).lean();
  const { code, expiresAt, revokedEarlier } = await issueOne({ ...input, role: input.role, studentId: student._id, guardianId }, await schoolTtlDays(input.schoolId));
  return { role: input.role, code, expiresAt, studentExternalId: student.externalId, studentName: student.fullName, className: schoolClass?.name, revokedEarlier };
}

/** Staff codes may carry a label (who the code is for: "завуч Петрова"), shown by `staff --list`. */
type StaffCodeInput = IssueCommon & { label?: string };

export async function issueTeacherCode(input: StaffCodeInput & { teacherExternalId: string }): Promise<IssuedCode> {
  const teacher = await Teacher.findOne({ schoolId: input.schoolId, externalId: input.teacherExternalId }).lean();
  if (!teacher) throw new CodeRequestError(`Teacher "${input.teacherExternalId}" not found`);
  const { code, expiresAt } = await issueOne({ ...input, role: "teacher", teacherId: teacher._id, batch: input.label }, await schoolTtlDays(input.schoolId));
  return { role: "teacher", code, expiresAt, teacherExternalId: teacher.externalId };
}

export async function issueAdminCode(input: StaffCodeInput): Promise<IssuedCode> {
  const { code, expiresAt } = await issueOne({ ...input, role: "admin", batch: input.label }, await schoolTtlDays(input.schoolId));
  return { role: "admin", code, expiresAt };
}

export type RevokeResult = "revoked" | "unknown" | "used" | "already-revoked";

/** Revokes a code that was lost or handed to the wrong person; a used code stays as it is. */
export async function revokeCode(input: { code: string; pepper: string; now: Date; schoolId?: Types.ObjectId }): Promise<RevokeResult> {
  const codeHash = hashCode(input.pepper, normalizeCode(input.code));
  const scope = input.schoolId ? { schoolId: input.schoolId } : {};
  const revoked = await InviteCode.findOneAndUpdate({ codeHash, ...scope, usedAt: null, revokedAt: null }, { $set: { revokedAt: input.now } });
  if (revoked) return "revoked";
  const existing = await InviteCode.findOne({ codeHash, ...scope }, { usedAt: 1, revokedAt: 1 }).lean();
  if (!existing) return "unknown";
  return existing.usedAt ? "used" : "already-revoked";
}

/**
 * Revokes every unused, unexpired code of one student (guardian and student codes, any binding):
 * when the slips went astray or the family asks for it. Returns how many were revoked.
 */
export async function revokeStudentCodes(input: { schoolId: Types.ObjectId; studentExternalId: string; now: Date }): Promise<number> {
  const student = await Student.findOne({ schoolId: input.schoolId, externalId: input.studentExternalId }, { _id: 1 }).lean();
  if (!student) throw new CodeRequestError(`Student "${input.studentExternalId}" not found`);
  const result = await InviteCode.updateMany({ schoolId: input.schoolId, studentId: student._id, ...redeemable(input.now) }, { $set: { revokedAt: input.now } });
  return result.modifiedCount;
}

/** The same for every student of a class (e.g. a whole batch of slips was lost). */
export async function revokeClassCodes(input: { schoolId: Types.ObjectId; className: string; now: Date }): Promise<number> {
  const schoolClass = await findClassByName(input.schoolId, input.className);
  if (!schoolClass) throw new CodeRequestError(`Class "${input.className}" not found`);
  const students = await Student.find({ schoolId: input.schoolId, classId: schoolClass._id, left: null }, { _id: 1 }).lean();
  if (!students.length) return 0;
  const result = await InviteCode.updateMany(
    { schoolId: input.schoolId, studentId: { $in: students.map((s) => s._id) }, ...redeemable(input.now) },
    { $set: { revokedAt: input.now } },
  );
  return result.modifiedCount;
}

/** The outcome of checking a typed code, before anything is redeemed. Plain data (dialogs store it). */
export type CodeCheck =
  | { status: "ok"; codeId: string; schoolId: string; role: Role }
  | { status: "malformed" }
  | { status: "wrong"; attemptsLeft: number }
  | { status: "locked"; until: string }
  | { status: "expired" | "used" | "revoked" };

/** The instant until which the account may not enter codes, or null. */
export function lockedUntil(account: Pick<AccountDocument, "codeAttempts">, now: Date): Date | null {
  const until = account.codeAttempts?.lockedUntil;
  return until && until.getTime() > now.getTime() ? until : null;
}

/**
 * Counts a wrong code; the fifth within an hour locks code entry for an hour. The alarm counts it
 * across all users too. Logs ids only.
 */
async function countWrongCode(accountId: Types.ObjectId, now: Date, logger?: Logger, alarm?: CodeAlarm): Promise<CodeCheck> {
  await alarm?.wrongCode(now);
  const updated = await Account.findOneAndUpdate(
    { _id: accountId },
    { $push: { "codeAttempts.failures": { $each: [now], $slice: -MAX_WRONG_CODES } } },
    { returnDocument: "after" },
  ).lean();
  const recent = (updated?.codeAttempts?.failures ?? []).filter((at) => now.getTime() - new Date(at).getTime() < WRONG_CODE_WINDOW_MS);
  if (recent.length >= MAX_WRONG_CODES) {
    const until = new Date(now.getTime() + CODE_LOCKOUT_MS);
    await Account.updateOne({ _id: accountId }, { $set: { "codeAttempts.lockedUntil": until, "codeAttempts.failures": [] } });
    logger?.warn({ accountId: String(accountId), failures: recent.length, lockedUntil: until.toISOString() }, "invite code entry locked");
    return { status: "locked", until: until.toISOString() };
  }
  logger?.info({ accountId: String(accountId), failures: recent.length }, "wrong invite code");
  return { status: "wrong", attemptsLeft: MAX_WRONG_CODES - recent.length };
}

/** Checks what the user typed as a code: nothing is consumed here (the guardian confirms first). */
export async function checkCode(input: { account: AccountDocument; typed: string; pepper: string; now: Date; logger?: Logger; alarm?: CodeAlarm }): Promise<CodeCheck> {
  const { account, now } = input;
  const locked = lockedUntil(account, now);
  if (locked) return { status: "locked", until: locked.toISOString() };
  const normalized = normalizeCode(input.typed);
  if (!isWellFormedCode(normalized)) return { status: "malformed" };
  const code = await InviteCode.findOne({ codeHash: hashCode(input.pepper, normalized) }).lean();
  if (!code) return countWrongCode(account._id, now, input.logger, input.alarm);
  const outcome = code.usedAt ? "used" : code.revokedAt ? "revoked" : code.expiresAt.getTime() <= now.getTime() ? "expired" : "ok";
  input.logger?.info({ accountId: String(account._id), codeId: String(code._id), outcome }, "invite code checked");
  if (outcome !== "ok") return { status: outcome };
  return { status: "ok", codeId: String(code._id), schoolId: String(code.schoolId), role: code.role };
}
