/**
 * Consent decisions against MongoDB: Telegram decisions per account and school (declining cancels
 * that account's queued electronic messages and puts its family on paper), records stay append-only,
 * and decisions given on paper or by e-document are the guardian record's and may hand over
 * contacts; a written refusal or withdrawal disconnects only the account named as its signer.
 */
import { Types } from "mongoose";
import { ConsentRecord, Delivery, Guardian, GuardianLink, School, SchoolClass, Student, Account } from "../../src/db/models";
import { consentTextHash } from "../../src/domain/consent";
import { createI18n, translator } from "../../src/i18n";
import { accessibleChildren, childIfAccessible, consentState } from "../../src/services/access";
import { consentFullText, consentSchool, recordTelegramDecision } from "../../src/services/consent";
import { PaperConsentError, registerPaperDecision } from "../../src/services/paper-consent";
import { familiesOf } from "../../src/services/people";
import { cancelElectronicDeliveries, consentOverview, withdrawConsent } from "../../src/services/privacy";
import { useTestDb } from "../support/db";

useTestDb();

const i18n = createI18n("ru");
const ru = translator(i18n, "ru");
const NOW = new Date("2026-11-20T09:00:00Z");

async function setup() {
  const school = await School.create({ name: "Школа № 7", address: "г. Тверь, ул. Мира, 7" });
  const guardian = await Guardian.create({ schoolId: school._id, externalId: `g-${new Types.ObjectId()}`, fullName: "Орлова Нина", studentIds: [] });
  const account = await Account.create({ telegramId: Math.floor(Math.random() * 1e9), chatId: 1, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] });
  // The account's messages name it; the record person's e-mail names the record only.
  const delivery = (channel: "telegram" | "email" | "paper", who: "account" | "record" = "account") =>
    Delivery.create({ schoolId: school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "final", recipient: { guardianId: guardian._id, ...(who === "account" && channel !== "paper" ? { accountId: account._id } : {}) }, channel });
  return { school, guardian, account, delivery, consent: (await consentSchool(school._id))! };
}

async function withChild(school: { _id: Types.ObjectId }, guardian: { _id: Types.ObjectId }) {
  const c = await SchoolClass.create({ schoolId: school._id, externalId: `c-${new Types.ObjectId()}`, name: "3А", grade: 3 });
  const child = await Student.create({ schoolId: school._id, externalId: `s-${new Types.ObjectId()}`, fullName: "Орлов Лев", classId: c._id });
  await Guardian.updateOne({ _id: guardian._id }, { $set: { studentIds: [child._id] } });
  return child;
}

const familyOf = async (schoolId: Types.ObjectId, studentId: Types.ObjectId) => (await familiesOf(schoolId, [studentId])).get(String(studentId))![0];

describe("consent", () => {
  test("the text names the operator and its address; its hash is what the record keeps", async () => {
    const { account, consent } = await setup();
    const text = consentFullText(ru, consent);
    expect(text).toContain("Школа № 7 (адрес: г. Тверь, ул. Мира, 7)");
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: NOW });
    const record = (await ConsentRecord.findOne({ accountId: account._id }).lean())!;
    expect(record.textHash).toBe(consentTextHash(text));
    expect(record.textHash).not.toBe(consentTextHash(consentFullText(translator(i18n, "en"), consent)));
    await expect(ConsentRecord.updateOne({ _id: record._id }, { $set: { decision: "declined" } })).rejects.toThrow("append-only");
  });

  test("declining: the account's own queued messages cancelled, its family on paper; agreeing again ends it", async () => {
    const { account, guardian, consent, delivery, school } = await setup();
    const child = await withChild(school, guardian);
    await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: child._id, schoolId: school._id });
    const [telegram, email, paper, recordEmail] = [await delivery("telegram"), await delivery("email"), await delivery("paper"), await delivery("email", "record")];
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "declined", t: ru, now: NOW });
    expect(await consentState(account._id, school._id)).toBe("declined");
    // The record itself is not touched: the refusal is this person's, not the family's record's.
    expect(await Guardian.findById(guardian._id).lean()).toMatchObject({ delivery: "electronic" });
    expect(await familyOf(school._id, child._id)).toMatchObject({ paper: true, paperReason: "declined" });
    const statuses = await Promise.all([telegram, email, paper, recordEmail].map(async (d) => (await Delivery.findById(d._id).lean())!.status));
    expect(statuses).toEqual(["cancelled", "cancelled", "queued", "queued"]);
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: new Date(NOW.getTime() + 1000) });
    expect(await familyOf(school._id, child._id)).toMatchObject({ paper: false, paperReason: null });
    expect((await consentOverview(account._id)).map((c) => [c.schoolName, c.decision, c.current, c.state])).toEqual([["Школа № 7", "granted", true, "granted"]]);
  });

  test("withdrawing names the version withdrawn and refuses when nothing was granted", async () => {
    const { account, consent, school } = await setup();
    await expect(withdrawConsent({ accountId: account._id, schoolId: school._id, now: NOW })).rejects.toThrow("no consent to withdraw");
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: NOW });
    const result = await withdrawConsent({ accountId: account._id, schoolId: school._id, now: new Date(NOW.getTime() + 1000) });
    expect(result.guardianIds).toHaveLength(1);
    expect(await consentState(account._id, school._id)).toBe("withdrawn");
    expect(await cancelElectronicDeliveries({ guardianId: new Types.ObjectId() })).toBe(0);
  });

  test("a written refusal is the record person's: accounts acting for the record keep theirs, unless one is named as the signer", async () => {
    const { guardian, account, school, consent, delivery } = await setup();
    const child = await withChild(school, guardian);
    await Guardian.updateOne({ _id: guardian._id }, { $push: { contacts: { kind: "phone", value: "+79160000000", source: "school-paper", verifiedAt: NOW } } });
    await Account.updateOne({ _id: account._id }, { $push: { contacts: { kind: "email", value: "nina@example.ru", source: "guardian", verifiedAt: NOW } } });
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: NOW });
    await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: child._id, schoolId: school._id });
    // A second parent redeemed a code bound to the same journal record.
    const father = await Account.create({ telegramId: Math.floor(Math.random() * 1e9), chatId: 2, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] });
    await recordTelegramDecision({ accountId: father._id, school: consent, decision: "granted", t: ru, now: NOW });
    await GuardianLink.create({ accountId: father._id, guardianId: guardian._id, studentId: child._id, schoolId: school._id });
    const fatherMessage = await Delivery.create({ schoolId: school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "final", recipient: { guardianId: guardian._id, accountId: father._id }, channel: "telegram" });
    const [telegram, recordEmail, paper] = [await delivery("telegram"), await delivery("email", "record"), await delivery("paper")];

    // Without a signer: the record goes to paper (and its family gets paper), nobody is disconnected.
    const first = await registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "declined", form: "paper", t: ru, now: NOW });
    expect(first).toMatchObject({ unlinkedAccounts: 0, otherAccounts: 2 });
    expect(await Guardian.findById(guardian._id).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    const status = async (id: Types.ObjectId) => (await Delivery.findById(id).lean())!.status;
    expect([await status(telegram._id), await status(recordEmail._id), await status(paper._id), await status(fatherMessage._id)]).toEqual(["queued", "cancelled", "queued", "queued"]);
    for (const a of [account, father]) expect((await accessibleChildren(await Account.findById(a._id))).map((x) => String(x.studentId))).toEqual([String(child._id)]);
    const family = await familyOf(school._id, child._id);
    expect(family).toMatchObject({ paper: true, paperReason: "paper-refusal" });
    expect(family.persons.map((p) => [p.key, p.mode])).toEqual([[`a${account._id}`, "electronic"], [`a${father._id}`, "electronic"], [`g${guardian._id}`, "paper"]]);

    // Naming the mother's account as the signer: her processing stops too (a written withdrawal), his does not.
    await expect(registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "withdrawn", form: "paper", t: ru, now: NOW, signerAccountId: new Types.ObjectId() }))
      .rejects.toThrow("does not act for this guardian");
    const second = await registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "withdrawn", form: "paper", t: ru, now: new Date(NOW.getTime() + 1000), signerAccountId: account._id });
    expect(second).toMatchObject({ unlinkedAccounts: 1, otherAccounts: 1 });
    const after = (await Account.findById(account._id))!;
    expect(after.roles).toHaveLength(0);
    expect(await accessibleChildren(after)).toEqual([]);
    expect(await childIfAccessible(after, String(child._id))).toBeNull();
    expect(await consentState(account._id, school._id)).toBe("withdrawn");
    // Her own contacts go (no consent of hers is left anywhere); the school's paper contact of the record stays.
    expect(after.contacts).toEqual([]);
    expect((await Guardian.findById(guardian._id).lean())!.contacts.map((x) => x.source)).toEqual(["school-paper"]);
    expect([await status(telegram._id), await status(fatherMessage._id)]).toEqual(["cancelled", "queued"]);
    expect((await accessibleChildren(await Account.findById(father._id))).map((x) => String(x.studentId))).toEqual([String(child._id)]);
    const record = (await ConsentRecord.findById(second.recordId).lean())!;
    expect(record).toMatchObject({ guardianId: guardian._id, accountId: account._id, form: "paper", decision: "withdrawn" });

    // A later written consent switches the record back; the signer's account links again only with a new code.
    await registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "granted", form: "paper", t: ru, now: new Date(NOW.getTime() + 2000) });
    expect((await Guardian.findById(guardian._id).lean())!.delivery).toBe("electronic");
    expect(await accessibleChildren(await Account.findById(account._id))).toEqual([]);
  });

  test("paper: a consent with the statement's contacts, a refusal, a withdrawal that unlinks accounts", async () => {
    const { guardian, account, school } = await setup();
    const base = { schoolId: school._id, guardianId: guardian._id, t: ru, now: NOW };
    await registerPaperDecision({ ...base, decision: "declined", form: "paper", note: "заявление № 12" });
    expect(await Guardian.findById(guardian._id).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    await registerPaperDecision({ ...base, decision: "granted", form: "edoc", contacts: { email: "Nina@Example.RU", phone: "8 (916) 000-11-22" } });
    const after = (await Guardian.findById(guardian._id).lean())!;
    expect(after.delivery).toBe("electronic");
    expect(after.contacts.map((c) => [c.kind, c.value, c.source])).toEqual([["email", "nina@example.ru", "school-edoc"], ["phone", "+79160001122", "school-edoc"]]);
    await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: new Types.ObjectId(), schoolId: school._id });
    // Nobody named as the signer: the account acting for the record keeps its link.
    expect(await registerPaperDecision({ ...base, decision: "withdrawn", form: "paper" })).toMatchObject({ unlinkedAccounts: 0, otherAccounts: 1 });
    expect(await GuardianLink.countDocuments({ guardianId: guardian._id })).toBe(1);
    expect((await Account.findById(account._id).lean())!.roles).toHaveLength(1);
    const records = await ConsentRecord.find({ guardianId: guardian._id }).sort({ recordedAt: 1, _id: 1 }).lean();
    expect(records.map((r) => [r.decision, r.form])).toEqual([["declined", "paper"], ["granted", "edoc"], ["withdrawn", "paper"]]);
    expect(records[0].note).toBe("заявление № 12");
    await expect(registerPaperDecision({ ...base, guardianId: new Types.ObjectId(), decision: "granted", form: "paper" })).rejects.toThrow(PaperConsentError);
    await expect(registerPaperDecision({ ...base, decision: "granted", form: "paper", contacts: { email: "nope" } })).rejects.toThrow("--email");
  });
});
