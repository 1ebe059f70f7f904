/**
 * Consent decisions against MongoDB: Telegram decisions per account and school (declining switches
 * to paper and cancels queued electronic messages), records stay append-only, and decisions given
 * on paper or by e-document name the guardian record and may hand over contacts; a written refusal
 * or withdrawal unlinks the accounts acting for that record.
 */
import { Types } from "mongoose";
import { ConsentRecord, Delivery, Guardian, GuardianLink, School, SchoolClass, Student, Account } from "../../src/db/models";
import { consentTextHash } from "../../src/domain/consent";
import { createI18n, translator } from "../../src/i18n";
import { accessibleChildren, childIfAccessible, consentState } from "../../src/services/access";
import { consentFullText, consentSchool, recordTelegramDecision } from "../../src/services/consent";
import { PaperConsentError, registerPaperDecision } from "../../src/services/paper-consent";
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
  const delivery = (channel: "telegram" | "email" | "paper") =>
    Delivery.create({ schoolId: school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "final", recipient: { guardianId: guardian._id }, channel });
  return { school, guardian, account, delivery, consent: (await consentSchool(school._id))! };
}

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

  test("declining: paper with the reason, queued electronic deliveries cancelled; agreeing again switches back", async () => {
    const { account, guardian, consent, delivery, school } = await setup();
    const [telegram, email, paper] = [await delivery("telegram"), await delivery("email"), await delivery("paper")];
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "declined", t: ru, now: NOW });
    expect(await consentState(account._id, school._id)).toBe("declined");
    expect(await Guardian.findById(guardian._id).lean()).toMatchObject({ delivery: "paper", deliveryReason: "declined" });
    const statuses = await Promise.all([telegram, email, paper].map(async (d) => (await Delivery.findById(d._id).lean())!.status));
    expect(statuses).toEqual(["cancelled", "cancelled", "queued"]);
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: new Date(NOW.getTime() + 1000) });
    expect((await Guardian.findById(guardian._id).lean())!.delivery).toBe("electronic");
    expect((await consentOverview(account._id)).map((c) => [c.schoolName, c.decision, c.current])).toEqual([["Школа № 7", "granted", true]]);
  });

  test("withdrawing names the version withdrawn and refuses when nothing was granted", async () => {
    const { account, consent, school } = await setup();
    await expect(withdrawConsent({ accountId: account._id, schoolId: school._id, now: NOW })).rejects.toThrow("no consent to withdraw");
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: NOW });
    const result = await withdrawConsent({ accountId: account._id, schoolId: school._id, now: new Date(NOW.getTime() + 1000) });
    expect(result.guardianIds).toHaveLength(1);
    expect(await consentState(account._id, school._id)).toBe("withdrawn");
    expect(await cancelElectronicDeliveries([])).toBe(0);
  });

  test("a paper refusal unlinks the accounts acting for that guardian record, even one with its own consent", async () => {
    const { guardian, account, school, consent, delivery } = await setup();
    const c = await SchoolClass.create({ schoolId: school._id, externalId: "c", name: "3А", grade: 3 });
    const child = await Student.create({ schoolId: school._id, externalId: "s", fullName: "Орлов Лев", classId: c._id });
    await Guardian.updateOne({ _id: guardian._id }, { $set: { studentIds: [child._id] }, $push: { contacts: { $each: [
      { kind: "email", value: "nina@example.ru", source: "guardian", verifiedAt: NOW },
      { kind: "phone", value: "+79160000000", source: "school-paper", verifiedAt: NOW },
    ] } } });
    await recordTelegramDecision({ accountId: account._id, school: consent, decision: "granted", t: ru, now: NOW });
    await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: child._id, schoolId: school._id });
    await Account.updateOne({ _id: account._id }, { $set: { selectedStudentId: child._id } });
    // The second parent has their own guardian record: the refusal is not theirs.
    const father = await Guardian.create({ schoolId: school._id, fullName: "Орлов Пётр", studentIds: [child._id] });
    const fatherAccount = await Account.create({ telegramId: Math.floor(Math.random() * 1e9), chatId: 2, roles: [{ role: "guardian", schoolId: school._id, guardianId: father._id }] });
    await recordTelegramDecision({ accountId: fatherAccount._id, school: consent, decision: "granted", t: ru, now: NOW });
    await GuardianLink.create({ accountId: fatherAccount._id, guardianId: father._id, studentId: child._id, schoolId: school._id });
    const fatherMessage = await Delivery.create({ schoolId: school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "final", recipient: { guardianId: father._id }, channel: "telegram" });
    const [telegram, email, paper] = [await delivery("telegram"), await delivery("email"), await delivery("paper")];
    expect((await accessibleChildren(await Account.findById(account._id))).map((x) => String(x.studentId))).toEqual([String(child._id)]);

    const result = await registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "declined", form: "paper", t: ru, now: NOW });
    expect(result.unlinkedAccounts).toBe(1);
    const after = (await Account.findById(account._id))!;
    expect(after.roles).toHaveLength(0);
    expect(await GuardianLink.countDocuments({ guardianId: guardian._id })).toBe(0);
    expect(await accessibleChildren(after)).toEqual([]);
    expect(await childIfAccessible(after, String(child._id))).toBeNull();
    // Its own consent record stays (records are append-only) but shows nothing any more.
    expect(await consentState(account._id, school._id)).toBe("granted");
    const record = (await Guardian.findById(guardian._id).lean())!;
    expect(record).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    expect(record.contacts.map((x) => x.source)).toEqual(["school-paper"]);
    const status = async (id: Types.ObjectId) => (await Delivery.findById(id).lean())!.status;
    expect([await status(telegram._id), await status(email._id), await status(paper._id), await status(fatherMessage._id)]).toEqual(["cancelled", "cancelled", "queued", "queued"]);
    expect((await accessibleChildren(await Account.findById(fatherAccount._id))).map((x) => String(x.studentId))).toEqual([String(child._id)]);
    // A later written consent switches the record back; the account links again only with a new code.
    await registerPaperDecision({ schoolId: school._id, guardianId: guardian._id, decision: "granted", form: "paper", t: ru, now: new Date(NOW.getTime() + 1000) });
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
    expect((await registerPaperDecision({ ...base, decision: "withdrawn", form: "paper" })).unlinkedAccounts).toBe(1);
    expect(await GuardianLink.countDocuments({ guardianId: guardian._id })).toBe(0);
    expect((await Account.findById(account._id).lean())!.roles).toHaveLength(0);
    const records = await ConsentRecord.find({ guardianId: guardian._id }).sort({ recordedAt: 1, _id: 1 }).lean();
    expect(records.map((r) => [r.decision, r.form])).toEqual([["declined", "paper"], ["granted", "edoc"], ["withdrawn", "paper"]]);
    expect(records[0].note).toBe("заявление № 12");
    await expect(registerPaperDecision({ ...base, guardianId: new Types.ObjectId(), decision: "granted", form: "paper" })).rejects.toThrow(PaperConsentError);
    await expect(registerPaperDecision({ ...base, decision: "granted", form: "paper", contacts: { email: "nope" } })).rejects.toThrow("--email");
  });
});
