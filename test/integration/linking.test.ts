/**
 * Redeeming codes against MongoDB: one-time even when two accounts confirm at once, the consent a
 * guardian code needs, and what each role grants.
 */
import type { Types } from "mongoose";
import { ConsentRecord, Guardian, GuardianLink, InviteCode, School, SchoolClass, Student, Teacher, Account } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { CONSENT_TEXT_VERSION } from "../../src/domain/consent";
import { accessibleChildren } from "../../src/services/access";
import { issueAdminCode, issueStudentCode, issueTeacherCode } from "../../src/services/codes";
import { previewCode, redeemCode } from "../../src/services/linking";
import { useTestDb } from "../support/db";

useTestDb();

const PEPPER = "integration-test-pepper-0123";
const NOW = new Date("2026-11-20T09:00:00Z");
let telegramId = 80_000;

async function setup() {
  const school = await School.create({ name: "Школа № 5" });
  const c = await SchoolClass.create({ schoolId: school._id, externalId: "c", name: "9А", grade: 9 });
  const student = await Student.create({ schoolId: school._id, externalId: "s", fullName: "Смирнова Ольга Андреевна", classId: c._id });
  const account = async () => Account.create({ telegramId: ++telegramId, chatId: telegramId });
  const agree = (accountId: Types.ObjectId) => ConsentRecord.create({ accountId, schoolId: school._id, decision: "granted", form: "telegram", textVersion: CONSENT_TEXT_VERSION, textHash: "b".repeat(64), recordedAt: NOW });
  const codeId = async (code: string) => String((await InviteCode.findOne({ codeHash: hashCode(PEPPER, normalizeCode(code)) }).lean())!._id);
  return { school, student, account, agree, codeId };
}

describe("linking", () => {
  test("the preview is masked; a guardian code needs the consent first, then links once", async () => {
    const { school, student, account, agree, codeId } = await setup();
    const { code } = await issueStudentCode({ schoolId: school._id, studentExternalId: "s", role: "guardian", pepper: PEPPER, now: NOW });
    const id = await codeId(code);
    expect(await previewCode(id)).toMatchObject({ role: "guardian", schoolName: "Школа № 5", childName: "Смирнова О.", className: "9А" });
    const parent = await account();
    expect(await redeemCode({ accountId: parent._id, codeId: id, now: NOW })).toEqual({ status: "consent-required", schoolId: String(school._id) });
    expect((await InviteCode.findById(id).lean())!.usedAt).toBeUndefined();
    await agree(parent._id);
    expect(await redeemCode({ accountId: parent._id, codeId: id, now: NOW })).toMatchObject({ status: "linked", role: "guardian", studentId: String(student._id), alreadyLinked: false });
    expect(await redeemCode({ accountId: parent._id, codeId: id, now: NOW })).toEqual({ status: "gone" });
    const fresh = (await Account.findById(parent._id))!;
    expect(String(fresh.selectedStudentId)).toBe(String(student._id));
    expect((await accessibleChildren(fresh)).map((c) => String(c.studentId))).toEqual([String(student._id)]);
    // No journal guardian: the bot created one for this account.
    const guardian = (await Guardian.findById(fresh.roles[0].guardianId).lean())!;
    expect(guardian.externalId).toBeUndefined();
    expect(guardian.studentIds.map(String)).toEqual([String(student._id)]);
  });

  test("two accounts confirming the same code at once: exactly one wins", async () => {
    const { school, account, agree, codeId } = await setup();
    const { code } = await issueStudentCode({ schoolId: school._id, studentExternalId: "s", role: "guardian", pepper: PEPPER, now: NOW });
    const id = await codeId(code);
    const [a, b] = [await account(), await account()];
    await agree(a._id);
    await agree(b._id);
    const results = await Promise.all([redeemCode({ accountId: a._id, codeId: id, now: NOW }), redeemCode({ accountId: b._id, codeId: id, now: NOW })]);
    expect(results.map((r) => r.status).sort()).toEqual(["gone", "linked"]);
    expect(await GuardianLink.countDocuments({ schoolId: school._id })).toBe(1);
  });

  test("student, teacher and admin codes grant their roles without the redeemer's own consent", async () => {
    const { school, student, account, codeId } = await setup();
    // The pupil's own account rests on a guardian's consent (docs/decisions.md, "Students' own accounts").
    const mother = await Guardian.create({ schoolId: school._id, fullName: "Смирнова Анна", studentIds: [student._id] });
    await ConsentRecord.create({ guardianId: mother._id, schoolId: school._id, decision: "granted", form: "paper", textVersion: CONSENT_TEXT_VERSION, textHash: "c".repeat(64), recordedAt: NOW });
    const teacher = await Teacher.create({ schoolId: school._id, externalId: "t", fullName: "Кузнецов Игорь Петрович" });
    const codes = [
      (await issueStudentCode({ schoolId: school._id, studentExternalId: "s", role: "student", pepper: PEPPER, now: NOW })).code,
      (await issueTeacherCode({ schoolId: school._id, teacherExternalId: "t", pepper: PEPPER, now: NOW })).code,
      (await issueAdminCode({ schoolId: school._id, pepper: PEPPER, now: NOW })).code,
    ];
    const staff = await account();
    for (const code of codes) expect(await redeemCode({ accountId: staff._id, codeId: await codeId(code), now: NOW })).toMatchObject({ status: "linked" });
    expect(await previewCode(await codeId(codes[1]))).toMatchObject({ role: "teacher", teacherName: "Кузнецов И." });
    const roles = (await Account.findById(staff._id).lean())!.roles;
    expect(roles.map((r) => r.role)).toEqual(["student", "teacher", "admin"]);
    expect(String(roles[0].studentId)).toBe(String(student._id));
    expect(String(roles[1].teacherId)).toBe(String(teacher._id));
    expect(await GuardianLink.countDocuments({ schoolId: school._id })).toBe(0);
  });

  test("a second code for the same child links nothing new", async () => {
    const { school, account, agree, codeId } = await setup();
    const parent = await account();
    await agree(parent._id);
    for (const expected of [false, true]) {
      const { code } = await issueStudentCode({ schoolId: school._id, studentExternalId: "s", role: "guardian", pepper: PEPPER, now: NOW });
      expect(await redeemCode({ accountId: parent._id, codeId: await codeId(code), now: NOW })).toMatchObject({ status: "linked", alreadyLinked: expected });
    }
    expect(await GuardianLink.countDocuments({ accountId: parent._id })).toBe(1);
    expect((await Account.findById(parent._id).lean())!.roles).toHaveLength(1);
  });

  test("forged or unknown code ids are gone", async () => {
    const { account } = await setup();
    const a = await account();
    for (const id of ["nonsense", "5f0000000000000000000000"]) {
      expect(await redeemCode({ accountId: a._id, codeId: id, now: NOW })).toEqual({ status: "gone" });
      expect(await previewCode(id)).toBeNull();
    }
  });
});
