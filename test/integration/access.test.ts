import { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { ConsentRecord, Guardian, GuardianLink, School, Account } from "../../src/db/models";
import { accessDiagnosis, accessibleChildren, childIfAccessible, consentState } from "../../src/services/access";
import { CONSENT_TEXT_VERSION } from "../../src/domain/consent";

useTestDb();

const HASH = "a".repeat(64);

async function setup() {
  const school = await School.create({ name: "Школа №1" });
  const other = await School.create({ name: "Школа №2" });
  const guardian = await Guardian.create({ schoolId: school._id, studentIds: [] });
  const account = await Account.create({ telegramId: Math.floor(Math.random() * 1e9), chatId: 1, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] });
  const masha = new Types.ObjectId();
  const petya = new Types.ObjectId();
  await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: masha, schoolId: school._id });
  await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: petya, schoolId: other._id });
  const consent = (schoolId: Types.ObjectId, decision: "granted" | "declined" | "withdrawn", textVersion = CONSENT_TEXT_VERSION, at = new Date()) =>
    ConsentRecord.create({ accountId: account._id, schoolId, decision, form: "telegram", textVersion, textHash: HASH, recordedAt: at });
  return { school, other, account, masha, petya, consent };
}

describe("access", () => {
  test("no consent: linked children are not accessible", async () => {
    const { account, masha, school } = await setup();
    expect(await consentState(account._id, school._id)).toBe("none");
    expect(await accessibleChildren(account)).toEqual([]);
    expect(await childIfAccessible(account, String(masha))).toBeNull();
  });

  test("consent is per school: granted in one school opens only that school's child", async () => {
    const { account, masha, school, consent } = await setup();
    await consent(school._id, "granted");
    const children = await accessibleChildren(account);
    expect(children.map((c) => String(c.studentId))).toEqual([String(masha)]);
    expect(await childIfAccessible(account, String(masha))).not.toBeNull();
  });

  test("the newest decision wins: a withdrawal closes access", async () => {
    const { account, masha, school, consent } = await setup();
    await consent(school._id, "granted", CONSENT_TEXT_VERSION, new Date("2026-11-01T10:00:00Z"));
    await consent(school._id, "withdrawn", CONSENT_TEXT_VERSION, new Date("2026-11-02T10:00:00Z"));
    expect(await consentState(account._id, school._id)).toBe("withdrawn");
    expect(await childIfAccessible(account, masha)).toBeNull();
  });

  test("a consent to an older text version is outdated", async () => {
    const { account, school, consent } = await setup();
    await consent(school._id, "granted", "2020-01");
    expect(await consentState(account._id, school._id)).toBe("outdated");
    expect(await accessibleChildren(account)).toEqual([]);
  });

  test("the diagnosis says per linked school which version was agreed to and which is in force", async () => {
    const { account, school, other, consent } = await setup();
    await consent(school._id, "granted", "2020-01");
    await School.updateOne({ _id: other._id }, { $set: { "settings.consentRevision": 2 } });
    await consent(other._id, "granted");
    const diagnosis = await accessDiagnosis(account._id);
    expect(diagnosis.links).toBe(2);
    expect(diagnosis.schools).toEqual(expect.arrayContaining([
      { schoolId: String(school._id), state: "outdated", agreedVersion: "2020-01", schoolVersion: CONSENT_TEXT_VERSION },
      { schoolId: String(other._id), state: "outdated", agreedVersion: CONSENT_TEXT_VERSION, schoolVersion: `${CONSENT_TEXT_VERSION}.2` },
    ]));
    expect(diagnosis.schools).toHaveLength(2);
    expect(await accessDiagnosis(new Types.ObjectId())).toEqual({ links: 0, schools: [] });
  });

  test("a forged or foreign student id is never accessible", async () => {
    const { account, school, consent } = await setup();
    await consent(school._id, "granted");
    expect(await childIfAccessible(account, String(new Types.ObjectId()))).toBeNull();
    expect(await childIfAccessible(account, "not-an-id")).toBeNull();
    expect(await childIfAccessible(account, { $ne: null })).toBeNull();
    expect(await childIfAccessible(null, String(new Types.ObjectId()))).toBeNull();
  });

  test("a student account sees only themselves, while a guardian's consent covers it", async () => {
    const school = await School.create({ name: "Школа №3" });
    const me = new Types.ObjectId();
    const account = await Account.create({ telegramId: 99_000_001, chatId: 2, roles: [{ role: "student", schoolId: school._id, studentId: me }] });
    expect(await accessibleChildren(account)).toEqual([]);
    const mother = await Guardian.create({ schoolId: school._id, fullName: "Мать", studentIds: [me] });
    await ConsentRecord.create({ guardianId: mother._id, schoolId: school._id, decision: "granted", form: "paper", textVersion: "2026-11", textHash: "c".repeat(64) });
    expect((await accessibleChildren(account)).map((c) => [String(c.studentId), c.via])).toEqual([[String(me), "student"]]);
  });
});
