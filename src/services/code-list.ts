/**
 * The school's invite codes as the console lists them (issue 13): for whom (a student's guardian or
 * the student, a teacher, an admin), their state (active, used, revoked, expired), who issued them
 * and when, and who used them. Only hashes are stored (src/services/codes.ts); the list never holds
 * a code in clear. Revoking by id is the console's button (the CLI and the bot revoke by the code).
 */
import { Types } from "mongoose";
import { Account, InviteCode, SchoolClass, Student, Teacher, type Role } from "../db/models";
import { staffLabels, type StaffLabel } from "./consent-registry";

export const CODE_STATES = ["active", "used", "revoked", "expired"] as const;
export type CodeState = (typeof CODE_STATES)[number];

export interface ListedCode {
  id: string;
  role: Role;
  state: CodeState;
  studentName: string | null;
  className: string | null;
  teacherName: string | null;
  /** The batch label: the class name of a class's codes, or whom a staff code is for. */
  label: string | null;
  issuedAt: Date | null;
  issuedBy: StaffLabel | null;
  expiresAt: Date;
  usedAt: Date | null;
  /** The last digits of the Telegram id of the account that used it. */
  usedByTail: string | null;
}

/** A code's state at `now`: used and revoked win over expiry (they are final). */
export function codeState(code: { usedAt?: Date | null; revokedAt?: Date | null; expiresAt: Date }, now: Date): CodeState {
  if (code.usedAt) return "used";
  if (code.revokedAt) return "revoked";
  return code.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
}

const stateFilter = (state: CodeState, now: Date) =>
  state === "used" ? { usedAt: { $ne: null } }
    : state === "revoked" ? { usedAt: null, revokedAt: { $ne: null } }
      : state === "expired" ? { usedAt: null, revokedAt: null, expiresAt: { $lte: now } }
        : { usedAt: null, revokedAt: null, expiresAt: { $gt: now } };

const tail = (telegramId: number | null | undefined) => (telegramId ? String(telegramId).slice(-4) : null);

/** The newest codes of the school (of one class's students, or of staff: `classId: "staff"`), at most `limit`. */
export async function listCodes(input: { schoolId: Types.ObjectId; now: Date; classId?: Types.ObjectId | "staff"; state?: CodeState; limit?: number }): Promise<ListedCode[]> {
  const filter: Record<string, unknown> = { schoolId: input.schoolId, ...(input.state ? stateFilter(input.state, input.now) : {}) };
  if (input.classId === "staff") filter.role = { $in: ["teacher", "admin"] };
  else if (input.classId) filter.studentId = { $in: (await Student.find({ schoolId: input.schoolId, classId: input.classId }, { _id: 1 }).lean()).map((s) => s._id) };
  const codes = await InviteCode.find(filter, { codeHash: 0 }).sort({ createdAt: -1, _id: -1 }).limit(input.limit ?? 300).lean();
  const ids = (key: "studentId" | "teacherId" | "usedByAccountId" | "issuedBy") => [...new Set(codes.map((c) => c[key]).filter(Boolean).map(String))];
  const [students, teachers, users, issuers] = await Promise.all([
    Student.find({ _id: { $in: ids("studentId") } }, { fullName: 1, classId: 1 }).lean(),
    Teacher.find({ _id: { $in: ids("teacherId") } }, { fullName: 1 }).lean(),
    Account.find({ _id: { $in: ids("usedByAccountId") } }, { telegramId: 1 }).lean(),
    staffLabels(input.schoolId, ids("issuedBy")),
  ]);
  const classes = new Map((await SchoolClass.find({ _id: { $in: [...new Set(students.map((s) => String(s.classId)))] } }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
  const studentOf = new Map(students.map((s) => [String(s._id), s]));
  const teacherOf = new Map(teachers.map((t) => [String(t._id), t.fullName]));
  const userOf = new Map(users.map((u) => [String(u._id), u.telegramId]));
  return codes.map((c) => {
    const student = c.studentId ? studentOf.get(String(c.studentId)) : undefined;
    return {
      id: String(c._id), role: c.role, state: codeState(c, input.now),
      studentName: student?.fullName ?? null, className: student ? (classes.get(String(student.classId)) ?? null) : null,
      teacherName: c.teacherId ? (teacherOf.get(String(c.teacherId)) ?? null) : null, label: c.batch ?? null,
      issuedAt: (c as { createdAt?: Date }).createdAt ?? null, issuedBy: c.issuedBy ? (issuers.get(String(c.issuedBy)) ?? { admin: null }) : null,
      expiresAt: c.expiresAt, usedAt: c.usedAt ?? null, usedByTail: c.usedByAccountId ? tail(userOf.get(String(c.usedByAccountId))) : null,
    };
  });
}

/** Revokes one unused code of the school by its id: "revoked", or why not. */
export async function revokeCodeById(input: { schoolId: Types.ObjectId; codeId: string; now: Date }): Promise<"revoked" | "unknown" | "used" | "already-revoked"> {
  if (!Types.ObjectId.isValid(input.codeId)) return "unknown";
  const revoked = await InviteCode.findOneAndUpdate({ _id: input.codeId, schoolId: input.schoolId, usedAt: null, revokedAt: null }, { $set: { revokedAt: input.now } });
  if (revoked) return "revoked";
  const existing = await InviteCode.findOne({ _id: input.codeId, schoolId: input.schoolId }, { usedAt: 1 }).lean();
  return !existing ? "unknown" : existing.usedAt ? "used" : "already-revoked";
}
