/**
 * The invite-code service against MongoDB: issuing per class (one per student, bound to the sole
 * journal guardian), only hashes stored, the school's TTL, revoking, checking what was typed, and
 * the lockout counting.
 */
import { Types } from "mongoose";
import pino from "pino";
import { Guardian, InviteCode, School, SchoolClass, Student, Teacher, TelegramAccount } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { checkCode, issueAdminCode, issueClassCodes, issueStudentCode, issueTeacherCode, revokeCode, CodeRequestError } from "../../src/services/codes";
import { useTestDb } from "../support/db";

useTestDb();

const PEPPER = "integration-test-pepper-0123";
const NOW = new Date("2026-11-20T09:00:00Z");

async function school(ttl?: number) {
  const s = await School.create({ name: "Школа", ...(ttl ? { settings: { codeTtlDays: ttl } } : {}) });
  const c = await SchoolClass.create({ schoolId: s._id, externalId: "c", name: "5А", grade: 5 });
  const a = await Student.create({ schoolId: s._id, externalId: "a", fullName: "Белова Ася", classId: c._id });
  const b = await Student.create({ schoolId: s._id, externalId: "b", fullName: "Антонов Борис", classId: c._id });
  const mom = await Guardian.create({ schoolId: s._id, externalId: "ga1", fullName: "Белова Вера", studentIds: [a._id] });
  await Guardian.create({ schoolId: s._id, externalId: "gb1", fullName: "Антонова Галина", studentIds: [b._id] });
  await Guardian.create({ schoolId: s._id, externalId: "gb2", fullName: "Антонов Дмитрий", studentIds: [b._id] });
  return { s, c, a, b, mom };
}

describe("codes service", () => {
  test("a class: one guardian code per student by name; bound only to a sole journal guardian; hashes only", async () => {
    const { s, a, mom } = await school(7);
    const codes = await issueClassCodes({ schoolId: s._id, className: " 5а ", pepper: PEPPER, now: NOW });
    expect(codes.map((c) => c.studentName)).toEqual(["Антонов Борис", "Белова Ася"]);
    expect(codes.every((c) => c.className === "5А" && c.role === "guardian")).toBe(true);
    expect(codes[0].expiresAt.toISOString()).toBe("2026-11-27T09:00:00.000Z");
    const stored = await InviteCode.find({ schoolId: s._id }).lean();
    for (const c of codes) {
      const doc = stored.find((d) => d.codeHash === hashCode(PEPPER, normalizeCode(c.code)))!;
      expect(doc).toBeDefined();
      expect(JSON.stringify(doc)).not.toContain(c.code.replace(/-/g, ""));
    }
    const asya = stored.find((d) => d.studentId!.equals(a._id))!;
    expect(String(asya.guardianId)).toBe(String(mom._id));
    expect(stored.find((d) => !d.studentId!.equals(a._id))!.guardianId).toBeUndefined();
    await expect(issueClassCodes({ schoolId: s._id, className: "6Б", pepper: PEPPER, now: NOW })).rejects.toThrow(CodeRequestError);
  });

  test("student, guardian-of-student, teacher and admin codes; unknown records are refused", async () => {
    const { s } = await school();
    expect((await issueStudentCode({ schoolId: s._id, studentExternalId: "b", role: "guardian", guardianExternalId: "gb2", pepper: PEPPER, now: NOW })).expiresAt.toISOString()).toBe("2026-12-20T09:00:00.000Z");
    const own = await issueStudentCode({ schoolId: s._id, studentExternalId: "a", role: "student", pepper: PEPPER, now: NOW });
    expect(own).toMatchObject({ role: "student", studentName: "Белова Ася", className: "5А" });
    await Teacher.create({ schoolId: s._id, externalId: "t1", fullName: "Петрова Анна" });
    expect((await issueTeacherCode({ schoolId: s._id, teacherExternalId: "t1", pepper: PEPPER, now: NOW })).role).toBe("teacher");
    expect((await issueAdminCode({ schoolId: s._id, pepper: PEPPER, now: NOW })).role).toBe("admin");
    await expect(issueStudentCode({ schoolId: s._id, studentExternalId: "zz", role: "guardian", pepper: PEPPER, now: NOW })).rejects.toThrow('Student "zz" not found');
    await expect(issueStudentCode({ schoolId: s._id, studentExternalId: "a", role: "guardian", guardianExternalId: "gb1", pepper: PEPPER, now: NOW })).rejects.toThrow("not found for student");
    await expect(issueTeacherCode({ schoolId: s._id, teacherExternalId: "nobody", pepper: PEPPER, now: NOW })).rejects.toThrow(CodeRequestError);
  });

  test("check: ok / expired / used / revoked / malformed, and revoke's answers", async () => {
    const { s } = await school();
    const account = await TelegramAccount.create({ telegramId: 501, chatId: 501 });
    const [one, two, three] = await issueClassCodes({ schoolId: s._id, className: "5А", pepper: PEPPER, now: NOW }).then(async (c) => [...c, await issueAdminCode({ schoolId: s._id, pepper: PEPPER, now: NOW })]);
    const check = (typed: string, now = NOW) => checkCode({ account, typed, pepper: PEPPER, now });
    expect(await check(one.code.toLowerCase())).toMatchObject({ status: "ok", role: "guardian", schoolId: String(s._id) });
    expect(await check(one.code, new Date(one.expiresAt.getTime()))).toEqual({ status: "expired" });
    await InviteCode.updateOne({ codeHash: hashCode(PEPPER, normalizeCode(two.code)) }, { $set: { usedAt: NOW } });
    expect(await check(two.code)).toEqual({ status: "used" });
    expect(await revokeCode({ code: two.code, pepper: PEPPER, now: NOW })).toBe("used");
    expect(await revokeCode({ code: three.code, pepper: PEPPER, now: NOW, schoolId: new Types.ObjectId() })).toBe("unknown");
    expect(await revokeCode({ code: three.code, pepper: PEPPER, now: NOW })).toBe("revoked");
    expect(await revokeCode({ code: three.code, pepper: PEPPER, now: NOW })).toBe("already-revoked");
    expect(await check(three.code)).toEqual({ status: "revoked" });
    expect(await check("hello")).toEqual({ status: "malformed" });
    expect(await revokeCode({ code: "ZZZZ-ZZZZ-ZZ", pepper: PEPPER, now: NOW })).toBe("unknown");
  });

  test("the fifth wrong code within an hour locks for an hour; the log names the account, never the code", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (l: string) => lines.push(l) });
    const account = await TelegramAccount.create({ telegramId: 502, chatId: 502 });
    const results = [];
    for (let i = 0; i < 5; i++) {
      const fresh = (await TelegramAccount.findById(account._id))!;
      results.push(await checkCode({ account: fresh, typed: `ZZZZ-ZZZZ-Z${"23456"[i]}`, pepper: PEPPER, now: new Date(NOW.getTime() + i * 60_000), logger }));
    }
    expect(results.slice(0, 4).map((r) => (r as { attemptsLeft: number }).attemptsLeft)).toEqual([4, 3, 2, 1]);
    expect(results[4]).toEqual({ status: "locked", until: "2026-11-20T10:04:00.000Z" });
    const locked = (await TelegramAccount.findById(account._id))!;
    expect(locked.codeAttempts.failures).toHaveLength(0);
    expect(await checkCode({ account: locked, typed: "ZZZZ-ZZZZ-ZZ", pepper: PEPPER, now: new Date("2026-11-20T10:03:59Z") })).toMatchObject({ status: "locked" });
    expect(await checkCode({ account: locked, typed: "ZZZZ-ZZZZ-ZZ", pepper: PEPPER, now: new Date("2026-11-20T10:04:00Z") })).toMatchObject({ status: "wrong", attemptsLeft: 4 });
    expect(lines.join("")).toContain(String(account._id));
    expect(lines.join("")).not.toMatch(/ZZZZ/);
  });
});
