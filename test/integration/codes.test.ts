/**
 * The invite-code service against MongoDB: issuing per class (one per student, bound to the sole
 * journal guardian), only hashes stored, the school's TTL, revoking (one code, a student's, a
 * class's, and the earlier ones a re-issue replaces), checking what was typed, and the lockout
 * counting.
 */
import { Types } from "mongoose";
import pino from "pino";
import { ConsentRecord, Guardian, InviteCode, School, SchoolClass, Student, Teacher, Account } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { CONSENT_TEXT_VERSION } from "../../src/domain/consent";
import {
  checkCode, issueAdminCode, issueClassCodes, issueStudentCode, issueTeacherCode, revokeClassCodes, revokeCode, revokeStudentCodes, CodeRequestError,
} from "../../src/services/codes";
import { redeemCode } from "../../src/services/linking";
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
  const borisMom = await Guardian.create({ schoolId: s._id, externalId: "gb1", fullName: "Антонова Галина", studentIds: [b._id] });
  await Guardian.create({ schoolId: s._id, externalId: "gb2", fullName: "Антонов Дмитрий", studentIds: [b._id] });
  // The mothers consented on paper: the basis of their children's own accounts (student codes).
  for (const g of [mom, borisMom]) {
    await ConsentRecord.create({ guardianId: g._id, schoolId: s._id, decision: "granted", form: "paper", textVersion: CONSENT_TEXT_VERSION, textHash: "c".repeat(64), recordedAt: NOW });
  }
  return { s, c, a, b, mom };
}

const stored = async (code: string) => (await InviteCode.findOne({ codeHash: hashCode(PEPPER, normalizeCode(code)) }).lean())!;

/** A parent account with the school's consent, so guardian codes can be redeemed. */
async function consentingParent(schoolId: Types.ObjectId, telegramId: number) {
  const account = await Account.create({ telegramId, chatId: telegramId });
  await ConsentRecord.create({ accountId: account._id, schoolId, decision: "granted", form: "telegram", textVersion: CONSENT_TEXT_VERSION, textHash: "b".repeat(64), recordedAt: NOW });
  return account;
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
    const account = await Account.create({ telegramId: 501, chatId: 501 });
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

  test("re-issuing revokes the older unused code of the same student, role and binding; not a used one, nor another student's", async () => {
    const { s } = await school();
    const parent = await consentingParent(s._id, 601);
    const redeem = async (code: string, now = NOW) => redeemCode({ accountId: parent._id, codeId: String((await stored(code))._id), now });
    const [boris1, asya1] = await issueClassCodes({ schoolId: s._id, className: "5А", pepper: PEPPER, now: NOW });
    expect([boris1.revokedEarlier, asya1.revokedEarlier]).toEqual([0, 0]);
    // Asya's code is used by her mother; Boris's and Asya's student code are other codes.
    expect(await redeem(asya1.code)).toMatchObject({ status: "linked" });
    const asyaOwn = await issueStudentCode({ schoolId: s._id, studentExternalId: "a", role: "student", pepper: PEPPER, now: NOW });
    const borisDad = await issueStudentCode({ schoolId: s._id, studentExternalId: "b", role: "guardian", guardianExternalId: "gb2", pepper: PEPPER, now: NOW });
    expect(borisDad.revokedEarlier).toBe(0);

    const later = new Date(NOW.getTime() + 86_400_000);
    const asya2 = await issueStudentCode({ schoolId: s._id, studentExternalId: "a", role: "guardian", pepper: PEPPER, now: later });
    expect(asya2.revokedEarlier).toBe(0);
    expect((await stored(asya1.code)).revokedAt).toBeUndefined();
    const [boris2, asya3] = await issueClassCodes({ schoolId: s._id, className: "5А", pepper: PEPPER, now: later });
    expect([boris2.revokedEarlier, asya3.revokedEarlier]).toEqual([1, 1]);

    expect((await stored(boris1.code)).revokedAt).toEqual(later);
    expect((await stored(asya2.code)).revokedAt).toEqual(later);
    expect((await stored(asya1.code)).revokedAt).toBeUndefined();
    for (const kept of [asyaOwn, borisDad, boris2, asya3]) expect((await stored(kept.code)).revokedAt).toBeUndefined();
    // The replaced slip cannot be redeemed any more; the new one can.
    const stranger = await consentingParent(s._id, 602);
    expect(await checkCode({ account: stranger, typed: boris1.code, pepper: PEPPER, now: later })).toEqual({ status: "revoked" });
    expect(await redeemCode({ accountId: stranger._id, codeId: String((await stored(boris1.code))._id), now: later })).toEqual({ status: "gone" });
    expect(await redeemCode({ accountId: stranger._id, codeId: String((await stored(boris2.code))._id), now: later })).toMatchObject({ status: "linked" });
  });

  test("revoking all unused, unexpired codes of a student or of a class; a revoked code cannot be redeemed", async () => {
    const { s } = await school();
    const other = await SchoolClass.create({ schoolId: s._id, externalId: "c6", name: "6В", grade: 6 });
    await Student.create({ schoolId: s._id, externalId: "x", fullName: "Ершов Илья", classId: other._id });
    const parent = await consentingParent(s._id, 603);
    const [boris, asya] = await issueClassCodes({ schoolId: s._id, className: "5А", pepper: PEPPER, now: NOW });
    const borisDad = await issueStudentCode({ schoolId: s._id, studentExternalId: "b", role: "guardian", guardianExternalId: "gb2", pepper: PEPPER, now: NOW });
    const borisOwn = await issueStudentCode({ schoolId: s._id, studentExternalId: "b", role: "student", pepper: PEPPER, now: NOW });
    const ilya = await issueStudentCode({ schoolId: s._id, studentExternalId: "x", role: "guardian", pepper: PEPPER, now: NOW });
    const admin = await issueAdminCode({ schoolId: s._id, pepper: PEPPER, now: NOW });
    expect(await redeemCode({ accountId: parent._id, codeId: String((await stored(borisDad.code))._id), now: NOW })).toMatchObject({ status: "linked" });

    expect(await revokeStudentCodes({ schoolId: s._id, studentExternalId: "b", now: NOW })).toBe(2);
    expect((await stored(borisDad.code)).revokedAt).toBeUndefined();
    for (const gone of [boris, borisOwn]) {
      expect(await redeemCode({ accountId: parent._id, codeId: String((await stored(gone.code))._id), now: NOW })).toEqual({ status: "gone" });
    }
    expect(await revokeStudentCodes({ schoolId: s._id, studentExternalId: "b", now: NOW })).toBe(0);
    // An expired code is left as it is.
    expect(await revokeClassCodes({ schoolId: s._id, className: "5а", now: asya.expiresAt })).toBe(0);
    expect(await revokeClassCodes({ schoolId: s._id, className: "5а", now: NOW })).toBe(1);
    expect(await checkCode({ account: parent, typed: asya.code, pepper: PEPPER, now: NOW })).toEqual({ status: "revoked" });
    for (const kept of [ilya, admin]) expect((await stored(kept.code)).revokedAt).toBeUndefined();
    await expect(revokeClassCodes({ schoolId: s._id, className: "11Я", now: NOW })).rejects.toThrow('Class "11Я" not found');
    await expect(revokeStudentCodes({ schoolId: s._id, studentExternalId: "zz", now: NOW })).rejects.toThrow(CodeRequestError);
  });

  test("the fifth wrong code within an hour locks for an hour; the log names the account, never the code", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (l: string) => lines.push(l) });
    const account = await Account.create({ telegramId: 502, chatId: 502 });
    const results = [];
    for (let i = 0; i < 5; i++) {
      const fresh = (await Account.findById(account._id))!;
      results.push(await checkCode({ account: fresh, typed: `ZZZZ-ZZZZ-Z${"23456"[i]}`, pepper: PEPPER, now: new Date(NOW.getTime() + i * 60_000), logger }));
    }
    expect(results.slice(0, 4).map((r) => (r as { attemptsLeft: number }).attemptsLeft)).toEqual([4, 3, 2, 1]);
    expect(results[4]).toEqual({ status: "locked", until: "2026-11-20T10:04:00.000Z" });
    const locked = (await Account.findById(account._id))!;
    expect(locked.codeAttempts.failures).toHaveLength(0);
    expect(await checkCode({ account: locked, typed: "ZZZZ-ZZZZ-ZZ", pepper: PEPPER, now: new Date("2026-11-20T10:03:59Z") })).toMatchObject({ status: "locked" });
    expect(await checkCode({ account: locked, typed: "ZZZZ-ZZZZ-ZZ", pepper: PEPPER, now: new Date("2026-11-20T10:04:00Z") })).toMatchObject({ status: "wrong", attemptsLeft: 4 });
    expect(lines.join("")).toContain(String(account._id));
    expect(lines.join("")).not.toMatch(/ZZZZ/);
  });
});
