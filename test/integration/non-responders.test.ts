/**
 * Non-responders (issue 10.3): guardians in the journal who have neither consented nor refused
 * after `nonResponderDays` are listed for the class teacher and the admins — in /consents, with a
 * button that prints their paper consent forms (PDF, read with pdftotext), and in the school-morning
 * job's messages, once per unchanged list.
 */
import pino from "pino";
import { Api } from "grammy";
import { Account, ConsentRecord, Delivery, Guardian, GuardianLink, School } from "../../src/db/models";
import { createMaxChannel } from "../../src/channels/max";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { createI18n } from "../../src/i18n";
import { processDailySlipJob } from "../../src/queue/daily-slips";
import { nonRespondersOfClass } from "../../src/services/non-responders";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { payloads, startMaxHarness } from "../support/max-harness";
import { loadFixtureSchool, pdfText, staffAccount, type FixtureSchool } from "./printouts-fixture";

useTestDb();
const i18n = createI18n("ru");
/** Monday 28 September 2026, 08:00 in Moscow: a school morning. */
const MONDAY_MORNING = new Date("2026-09-28T05:00:00Z");

let harness: BotHarness;
let fixture: FixtureSchool;
beforeAll(async () => {
  harness = await startBotHarness({ now: MONDAY_MORNING });
  fixture = await loadFixtureSchool();
  // Every record came with the journal's first load on 1 September; Волков's only on 25 September (3 days: not yet).
  await Guardian.collection.updateMany({ schoolId: fixture.schoolId }, { $set: { createdAt: new Date("2026-09-01T06:00:00Z") } });
  await Guardian.collection.updateOne({ _id: await fixture.id("guardian", "g5") }, { $set: { createdAt: new Date("2026-09-25T06:00:00Z") } });
  const version = consentVersionOf((await School.findById(fixture.schoolId).lean())!);
  const account = async (guardian: string, student: string, decision?: "granted" | "declined") => {
    const telegramId = 7_300_000 + Math.floor(Math.random() * 1e5);
    const guardianId = await fixture.id("guardian", guardian);
    const a = await Account.create({ telegramId, chatId: telegramId, language: "ru", roles: [{ role: "guardian", schoolId: fixture.schoolId, guardianId }] });
    await GuardianLink.create({ accountId: a._id, guardianId, studentId: await fixture.id("student", student), schoolId: fixture.schoolId });
    if (decision) await ConsentRecord.create({ accountId: a._id, schoolId: fixture.schoolId, decision, form: "telegram", textVersion: version, textHash: consentTextHash(`consent ${version}`) });
  };
  await account("g1", "s1", "granted"); // answered yes
  await account("g2", "s1", "declined"); // answered no
  await ConsentRecord.create({ guardianId: await fixture.id("guardian", "g3"), schoolId: fixture.schoolId, decision: "granted", form: "paper", textVersion: version, textHash: consentTextHash("paper") }); // in writing
  await account("g4", "s3"); // joined the bot, never answered the question
  // g7 (Кузнецов) never joined; g6 is in 7А.
});
afterAll(() => harness.stop());

test("the class's non-responders: no answer from anyone of the family and nothing in writing, after N days", async () => {
  const list = await nonRespondersOfClass(fixture.schoolId, await fixture.id("class", "7b"), MONDAY_MORNING);
  expect(list.map((n) => n.guardianName)).toEqual(["Кузнецов Андрей Ильич", "Кузнецова Наталья Олеговна"]);
  // The setting moves the line: with 2 days Волков is one too.
  await School.updateOne({ _id: fixture.schoolId }, { $set: { "settings.nonResponderDays": 2 } });
  expect((await nonRespondersOfClass(fixture.schoolId, await fixture.id("class", "7b"), MONDAY_MORNING)).map((n) => n.guardianName)).toContain("Волков Павел Андреевич");
  await School.updateOne({ _id: fixture.schoolId }, { $set: { "settings.nonResponderDays": 7 } });
});

test("/consents lists them under the class's state, and the button prints their consent forms", async () => {
  const teacher = await staffAccount(fixture, "teacher", "t1");
  const user = harness.user({ id: teacher.telegramId });
  const replies = await user.send("/consents 7Б");
  const list = replies.find((m) => m.plain?.includes("Не ответили на вопрос о согласии"))!;
  expect(list.plain).toContain("2 родителя не дали согласия и не отказались больше 7 дн.");
  expect(list.plain).toContain("Кузнецов И. А. — Кузнецов А. И.");
  const [document] = await user.press(`cf:${String(await fixture.id("class", "7b"))}`, list);
  expect(document.document!.filename).toBe("Бланки согласия 7Б.pdf");
  const text = pdfText(document.document!.bytes).replace(/\s+/g, " ");
  expect(text).toContain("Согласие на обработку персональных данных (бланк)");
  expect(text).toContain("Кузнецова Наталья Олеговна");
  expect(text).toContain("Кузнецов Андрей Ильич");
  expect(text).toContain("СОГЛАСИЕ НА ОБРАБОТКУ ПЕРСОНАЛЬНЫХ ДАННЫХ");
  expect(text).not.toContain("Петрова Елена");
  // Another class's teacher cannot print 7Б's forms with a forged button.
  const other = harness.user({ id: (await staffAccount(fixture, "teacher", "t3")).telegramId });
  expect(await other.press(`cf:${String(await fixture.id("class", "7b"))}`)).toEqual([]);
  expect(other.callbackAnswers().at(-1)!.text).not.toContain("Бланки");
});

test("the school-morning job tells the homeroom teacher (with the forms button) and the admins, once per unchanged list", async () => {
  const teacher = await staffAccount(fixture, "teacher", "t1");
  const admin = await staffAccount(fixture, "admin");
  const api = new Api(harness.fake.token, { apiRoot: harness.fake.apiRoot });
  const deps = { api, i18n, logger: pino({ level: "silent" }), now: () => MONDAY_MORNING };
  const result = await processDailySlipJob({ data: { schoolId: String(fixture.schoolId) } }, deps);
  // 7Б to its homeroom teacher's two accounts (one per test), 7А (Зайцева: on paper through the journal,
  // but no answer either) to its teacher, and the school's summary to the admin.
  expect(result.nonResponders).toEqual({ classes: 2, sent: 4 });
  const toTeacher = harness.fake.sent(teacher.chatId).at(-1)!;
  expect(toTeacher.plain).toContain("Кузнецова Н. О.");
  expect((toTeacher.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard[0][0].callback_data).toBe(`cf:${String(await fixture.id("class", "7b"))}`);
  const toAdmin = harness.fake.sent(admin.chatId).at(-1)!;
  expect(toAdmin.plain).toContain("7А: 1 родитель\n• 7Б: 2 родителя");
  expect((await processDailySlipJob({ data: { schoolId: String(fixture.schoolId) } }, deps)).nonResponders).toEqual({ classes: 2, sent: 0 });
});

test("an admin known only in MAX gets the school's summary there, and its button answers with the class's forms as a PDF file", async () => {
  const max = await startMaxHarness({ now: MONDAY_MORNING });
  try {
    const admin = max.user({ user_id: 73_001 });
    await Account.create({ max: { userId: 73_001, chatId: 500_073_001 }, language: "ru", roles: [{ role: "admin", schoolId: fixture.schoolId }] });
    const api = new Api(harness.fake.token, { apiRoot: harness.fake.apiRoot });
    const deps = { api, max: createMaxChannel(max.fake.token, max.fake.apiRoot), i18n, logger: pino({ level: "silent" }), now: () => MONDAY_MORNING };
    // The Telegram recipients had this list already: only the MAX admin's message is new.
    expect((await processDailySlipJob({ data: { schoolId: String(fixture.schoolId) } }, deps)).nonResponders).toEqual({ classes: 2, sent: 1 });
    const summary = max.fake.sentTo(73_001).at(-1)!;
    expect(summary.plain).toContain("7А: 1 родитель\n• 7Б: 2 родителя");
    const class7b = String(await fixture.id("class", "7b"));
    expect(payloads(summary)).toContain(`cf:${class7b}`);
    expect(await Delivery.findOne({ channel: "max", "recipient.accountId": { $exists: true }, kind: "admin-alert" }).lean()).toMatchObject({ status: "sent" });
    // Pressed in MAX: the forms as a file, read back from the upload.
    const [file] = (await admin.press(`cf:${class7b}`, summary)).filter((m) => m.files.length);
    expect(file.files[0].name).toBe("Бланки согласия 7Б.pdf");
    const text = pdfText(file.files[0].bytes).replace(/\s+/g, " ");
    expect(text).toContain("Кузнецова Наталья Олеговна");
    expect(text).not.toContain("Петрова Елена");
    // A forged class of another school is not available.
    await admin.press(`cf:${"0".repeat(24)}`, summary);
    expect(max.fake.calls.filter((c) => c.path === "/answers").at(-1)!.body).toMatchObject({ notification: "Этот класс недоступен." });
    // The same list the next morning: nothing again.
    expect((await processDailySlipJob({ data: { schoolId: String(fixture.schoolId) } }, deps)).nonResponders).toEqual({ classes: 2, sent: 0 });
  } finally {
    await max.stop();
  }
});

