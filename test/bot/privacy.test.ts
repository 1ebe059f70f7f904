/**
 * Privacy rights in the bot: /privacy shows the consent in force, withdrawal (asked once more)
 * unlinks the children, stops the person's electronic delivery at once and puts their family on
 * paper; a declining person's family goes to paper too; /mydata shows everything stored about the
 * account, as text and as JSON, and the journal's record only masked.
 */
import { Types } from "mongoose";
import { AuditEntry, ConsentRecord, Delivery, Guardian, GuardianLink, School, Account } from "../../src/db/models";
import { accessibleChildren, childIfAccessible } from "../../src/services/access";
import { familiesOf } from "../../src/services/people";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { buttonData, keyboardLabels, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

const NOW = new Date("2026-11-20T09:00:00Z");

/** A message about the child: to the account (electronic channels) or to the family (paper). */
async function queue(schoolId: Types.ObjectId, guardianId: Types.ObjectId, channel: "telegram" | "email" | "paper", status: "queued" | "sent" = "queued", accountId?: Types.ObjectId) {
  return Delivery.create({ schoolId, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "grade", recipient: { guardianId, ...(accountId ? { accountId } : {}) }, channel, status });
}

const familyOf = async (school: TestSchool) => (await familiesOf(school.school._id, [school.masha])).get(String(school.masha))![0];

describe("privacy", () => {
  let harness: BotHarness;
  let school: TestSchool;
  beforeAll(async () => {
    harness = await startBotHarness({ now: NOW });
  });
  afterAll(async () => harness.stop());
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("/privacy shows the consent in force with its version and date", async () => {
    const parent = await linkedParent(harness, school);
    const [overview] = await parent.send("/privacy");
    expect(overview.plain).toContain("Школа № 1: согласие дано 20.11.2026 (версия текста 2026-12)");
    expect(buttonData(overview)).toEqual([`pv:wd:${school.school._id}`, `pv:text:${school.school._id}`, "pv:data", "pv:del"]);
    const text = await parent.press(`pv:text:${school.school._id}`, overview);
    expect(texts(text)).toContain("СОГЛАСИЕ НА ОБРАБОТКУ ПЕРСОНАЛЬНЫХ ДАННЫХ");
  });

  test("withdrawal: asked once more, then unlinked, paper, queued electronic messages cancelled at once", async () => {
    const parent = await linkedParent(harness, school);
    const account = (await Account.findOne({ telegramId: parent.profile.id }))!;
    await Account.updateOne({ _id: account._id }, { $push: { contacts: { kind: "email", value: "anna@example.ru", source: "guardian", verifiedAt: NOW } } });
    await Guardian.updateOne({ _id: school.annaGuardian }, { $push: { contacts: { kind: "phone", value: "+79160000000", source: "school-paper", verifiedAt: NOW } } });
    const telegram = await queue(school.school._id, school.annaGuardian, "telegram", "queued", account._id);
    const email = await queue(school.school._id, school.annaGuardian, "email", "queued", account._id);
    const paper = await queue(school.school._id, school.annaGuardian, "paper");
    const sent = await queue(school.school._id, school.annaGuardian, "telegram", "sent", account._id);

    const [overview] = await parent.send("/privacy");
    const confirm = withButtons(await parent.press(`pv:wd:${school.school._id}`, overview));
    expect(confirm.plain).toContain("Отозвать согласие для школы Школа № 1?");
    const kept = await parent.press("pv:wdn", confirm);
    expect(texts(kept)).toContain("согласие остаётся в силе");
    expect(await GuardianLink.countDocuments({})).toBe(1);

    const again = withButtons(await parent.press(`pv:wd:${school.school._id}`, overview));
    const done = await parent.press(`pv:wdy:${school.school._id}`, again);
    expect(texts(done)).toContain("отозвано");
    expect(done.at(-1)!.reply_markup).toEqual({ remove_keyboard: true });

    const records = await ConsentRecord.find({ accountId: account._id }).sort({ recordedAt: 1, _id: 1 }).lean();
    expect(records.map((r) => r.decision)).toEqual(["granted", "withdrawn"]);
    expect(records[1].textHash).toBe(records[0].textHash);
    expect(await GuardianLink.countDocuments({ accountId: account._id })).toBe(0);
    const after = (await Account.findById(account._id))!;
    expect(after.roles).toHaveLength(0);
    // The family keeps paper for this person; the record itself (the journal's) is not changed.
    const guardian = (await Guardian.findById(school.annaGuardian).lean())!;
    expect(guardian).toMatchObject({ delivery: "electronic", paperFor: [expect.objectContaining({ accountId: account._id, reason: "withdrawn" })] });
    expect(await familyOf(school)).toMatchObject({ paper: true, paperReason: "withdrawn" });
    // The contact the person entered goes (no consent of theirs is left); the one the school received on paper stays.
    expect(after.contacts).toEqual([]);
    expect(guardian.contacts.map((c) => c.source)).toEqual(["school-paper"]);
    const status = async (id: Types.ObjectId) => (await Delivery.findById(id).lean())!.status;
    expect([await status(telegram._id), await status(email._id), await status(paper._id), await status(sent._id)]).toEqual(["cancelled", "cancelled", "queued", "sent"]);

    // Sees nothing.
    expect(await accessibleChildren(after)).toEqual([]);
    expect(await childIfAccessible(after, String(school.masha))).toBeNull();
    const [privacy] = await parent.send("/privacy");
    expect(privacy.plain).toContain("согласие отозвано 20.11.2026");
    expect(buttonData(privacy)).not.toContain(`pv:wd:${school.school._id}`);
    // Pressing the old confirmation again changes nothing.
    await parent.press(`pv:wdy:${school.school._id}`, again);
    expect(parent.callbackAnswers().at(-1)!.text).toBe("Недоступно.");
    expect(await ConsentRecord.countDocuments({ accountId: account._id })).toBe(2);
  });

  test("forged withdrawal buttons naming a school the account has no consent in: not available", async () => {
    const parent = await linkedParent(harness, school);
    const other = await makeSchool("Школа № 2");
    const stranger = harness.user();
    await stranger.send("/privacy");
    for (const [who, data] of [[parent, `pv:wdy:${other.school._id}`], [stranger, `pv:wdy:${school.school._id}`], [stranger, `pv:wd:${school.school._id}`]] as const) {
      expect(await who.press(data)).toEqual([]);
      expect(who.callbackAnswers().at(-1)!.text).toBe("Недоступно.");
    }
    expect(await ConsentRecord.countDocuments({ decision: "withdrawn" })).toBe(0);
    expect(await GuardianLink.countDocuments({})).toBe(1);
  });

  test("declining a new version puts the person's family on paper; agreeing later switches back", async () => {
    const parent = await linkedParent(harness, school);
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    const queued = await queue(school.school._id, school.annaGuardian, "telegram", "queued", account._id);
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.consentTextVersion": "2027-01" } });
    const consent = withButtons(await parent.send("/start"));
    const declined = await parent.press(`cs:no:${school.school._id}`, consent);
    expect(texts(declined)).toContain("на бумаге");
    expect(await familyOf(school)).toMatchObject({ paper: true, paperReason: "declined" });
    expect((await Delivery.findById(queued._id).lean())!.status).toBe("cancelled");

    const back = withButtons(await parent.send("/start"));
    const agreed = await parent.press(`cs:yes:${school.school._id}`, back);
    expect(keyboardLabels(agreed.at(-1))).toContain("📒 Оценки");
    expect(await familyOf(school)).toMatchObject({ paper: false, paperReason: null });
  });

  test("/mydata: everything stored about the account, readable and as JSON, without codes", async () => {
    const parent = await linkedParent(harness, school, "s-masha", { language_code: "ru" });
    await Account.updateOne({ telegramId: parent.profile.id }, { $push: { contacts: { kind: "email", value: "anna@example.ru", source: "guardian", verifiedAt: NOW } } });
    await Guardian.updateOne({ _id: school.annaGuardian }, { $push: { contacts: { kind: "email", value: "ivanova.journal@mail.ru", source: "journal" } } });
    const replies = await parent.send("/mydata");
    const text = texts(replies);
    for (const part of [`Telegram ID ${parent.profile.id}`, "родитель: Школа № 1", "согласие (в Telegram, 2026-12", "Иванова Мария Петровна, 7Б — Школа № 1",
      "anna@example.ru (указан вами, подтверждён)", "каналы: telegram → max → email → sms → paper", "Школа № 1: Иванова А.; i***@mail.ru", "Использованные коды"]) {
      expect(text).toContain(part);
    }
    // The journal's record may describe another person: masked, never in full.
    expect(text).not.toContain("Иванова Анна Сергеевна");
    expect(text).not.toContain("ivanova.journal");
    const doc = replies.find((m) => m.document)!.document!;
    expect(doc.filename).toBe("mydata.json");
    const data = JSON.parse(doc.bytes.toString("utf8"));
    expect(Object.keys(data)).toEqual(["account", "consents", "children", "journalRecords", "pendingEmailChecks", "codesRedeemed", "recentMessages"]);
    expect(data.journalRecords).toEqual([{ school: "Школа № 1", name: "Иванова А.", fromJournal: true, contacts: [{ kind: "email", value: "i***@mail.ru" }] }]);
    expect(data.account.telegramId).toBe(parent.profile.id);
    expect(data.consents[0]).toMatchObject({ school: "Школа № 1", decision: "granted", form: "telegram", textVersion: "2026-12" });
    expect(data.children).toEqual([expect.objectContaining({ name: "Иванова Мария Петровна", class: "7Б" })]);
    expect(data.codesRedeemed).toEqual([expect.objectContaining({ role: "guardian", school: "Школа № 1" })]);
    expect(doc.bytes.toString("utf8")).not.toMatch(/codeHash|[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}/);
  });

  test("delete my account: asked once more; then the consent is withdrawn, the account and its data are gone", async () => {
    const parent = await linkedParent(harness, school);
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    await Account.updateOne({ _id: account._id }, { $push: { contacts: { kind: "email", value: "anna@example.ru", source: "guardian", verifiedAt: NOW } } });
    const [overview] = await parent.send("/privacy");
    const confirm = withButtons(await parent.press("pv:del", overview));
    expect(confirm.plain).toContain("Удалить ваш аккаунт?");
    expect(buttonData(confirm)).toEqual(["pv:dely", "pv:deln"]);
    expect(texts(await parent.press("pv:deln", confirm))).toContain("аккаунт остаётся");
    expect(await Account.exists({ _id: account._id })).not.toBeNull();

    const again = withButtons(await parent.press("pv:del", overview));
    const done = await parent.press("pv:dely", again);
    expect(texts(done)).toContain("Аккаунт удалён");
    expect(done.at(-1)!.reply_markup).toEqual({ remove_keyboard: true });
    expect(await Account.exists({ _id: account._id })).toBeNull();
    expect(await GuardianLink.countDocuments({ accountId: account._id })).toBe(0);
    expect((await ConsentRecord.find({ accountId: account._id }).sort({ seq: 1 }).lean()).map((r) => r.decision)).toEqual(["granted", "withdrawn"]);
    expect(await AuditEntry.countDocuments({ action: "account.deleted", "target.id": account._id })).toBe(1);
    expect(await familyOf(school)).toMatchObject({ paper: true, paperReason: "withdrawn" });
    // The old button again: nothing to delete, nothing breaks.
    await parent.press("pv:dely", again);
    expect(await AuditEntry.countDocuments({ action: "account.deleted" })).toBe(1);
  });

  test("English /privacy and /mydata; a stranger is told to /start first", async () => {
    const parent = await linkedParent(harness, school, "s-masha", { language_code: "en" });
    expect((await parent.send("/privacy"))[0].plain).toContain("Школа № 1: consent given on 20.11.2026");
    expect(texts(await parent.send("/mydata"))).toContain("What we store about you");
    expect(texts(await harness.user().send("/mydata"))).toContain("/start");
  });
});
