/**
 * /paperconsent: an admin registers a decision given on paper or through an electronic document
 * system (class → student → guardian → decision → form → confirm); ids in the buttons are checked
 * against the admin's school, so a forged one is "not available". A written decision is the guardian
 * record's; when the admin names one of the bot accounts acting for the record as its signer, a
 * refusal or withdrawal disconnects that account only.
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";
import { ConsentRecord, Delivery, Guardian, GuardianLink, SchoolClass, Student, Account } from "../../src/db/models";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import type { SentMessage } from "../support/fake-telegram";
import { buttonData, inlineButtons, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

const ADMIN_ID = 990_101;
const SIGNED = Buffer.from("%PDF-1.7 signed statement");

/** Presses the form and answers the statement's questions (number, date, an e-document's file); the next step's message. */
async function statement(admin: TestUser, formButton: string, on: SentMessage) {
  await admin.press(formButton, on);
  await admin.send("12-П");
  const next = await admin.send("19.11.2026");
  return withButtons(formButton === "pc:f:edoc" ? await admin.sendDocument("statement.pdf", SIGNED) : next);
}

describe("/paperconsent", () => {
  let harness: BotHarness;
  let school: TestSchool;
  beforeAll(async () => {
    harness = await startBotHarness({ env: { ADMIN_TELEGRAM_IDS: String(ADMIN_ID) }, now: new Date("2026-11-20T09:00:00Z") });
  });
  afterAll(async () => harness.stop());
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("a paper refusal: recorded for the guardian record, who goes to weekly paper", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    const classes = withButtons(await admin.send("/paperconsent"));
    expect(inlineButtons(classes).map((b) => b.text)).toEqual(["7Б", "✖️ Отмена"]);
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, classes));
    expect(inlineButtons(students).map((b) => b.text)).toEqual(["Иванова Мария Петровна", "Петров Пётр Иванович", "✖️ Отмена"]);
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    expect(inlineButtons(guardians).map((b) => b.text)).toEqual(["Иванова Анна Сергеевна", "➕ Другой родитель (ввести ФИО)", "✖️ Отмена"]);
    // Typing instead of pressing gets a hint; the step keeps waiting.
    expect(texts(await admin.send("Иванова"))).toContain("выберите вариант кнопкой");
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    expect(buttonData(decision)).toEqual(["pc:d:granted", "pc:d:declined", "pc:d:withdrawn", "pc:x"]);
    const form = withButtons(await admin.press("pc:d:declined", decision));
    expect(texts(await admin.press("pc:f:paper", form))).toContain("Номер заявления");
    expect(texts(await admin.send("12-П"))).toContain("Дата заявления");
    const summary = withButtons(await admin.send("19.11.2026"));
    expect(summary.plain).toContain("Родитель: Иванова Анна Сергеевна\nУченик: Иванова Мария Петровна\nРешение: отказ\nФорма: на бумаге\nЗаявление: № 12-П от 19.11.2026");
    expect(texts(await admin.press("pc:ok:yes", summary))).toContain("Записано.");

    const record = (await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean())!;
    expect(record).toMatchObject({ decision: "declined", form: "paper", textVersion: "2026-12", document: { number: "12-П", date: "2026-11-19" } });
    expect(record.document).not.toHaveProperty("fileHash");
    expect(record.textHash).toMatch(/^[0-9a-f]{64}$/);
    expect(String(record.schoolId)).toBe(String(school.school._id));
    expect(record.recordedBy).toBeDefined();
    expect(await Guardian.findById(school.annaGuardian).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
  });

  test("a written withdrawal: the admin names the signer among the accounts acting for the record; only that one is disconnected", async () => {
    const mother = await linkedParent(harness, school);
    const father = await linkedParent(harness, school);
    const [motherAccount, fatherAccount] = await Promise.all([mother, father].map(async (p) => (await Account.findOne({ telegramId: p.profile.id }).lean())!));
    expect(await GuardianLink.countDocuments({ guardianId: school.annaGuardian })).toBe(2);
    const admin = harness.user({ id: ADMIN_ID });
    const classes = withButtons(await admin.send("/paperconsent"));
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, classes));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const form = withButtons(await admin.press("pc:d:withdrawn", decision));
    const signer = await statement(admin, "pc:f:edoc", form);
    expect(signer.plain).toContain("Кто подписал заявление?");
    // The accounts as an admin can tell them apart: the last digits of the Telegram ID and the day they joined.
    expect(inlineButtons(signer).map((b) => b.text)).toEqual([
      `Telegram ID …${String(mother.profile.id).slice(-4)}, подключён 20.11.2026`, `Telegram ID …${String(father.profile.id).slice(-4)}, подключён 20.11.2026`,
      "Никто из них (только запись журнала)", "✖️ Отмена",
    ]);
    // A forged account id is not one of the choices.
    await admin.press(`pc:sg:${new Types.ObjectId()}`, signer);
    expect(admin.callbackAnswers().at(-1)!.text).toContain("Недоступно");
    const summary = withButtons(await admin.press(`pc:sg:${motherAccount._id}`, signer));
    expect(summary.plain).toContain(`Аккаунт подписавшего: Telegram ID …${String(mother.profile.id).slice(-4)}`);
    const done = texts(await admin.press("pc:ok:yes", summary));
    expect(done).toContain("Отключён 1 аккаунт Telegram");
    expect(done).toContain("1 другой аккаунт, подключённый по этой записи, сохраняет своё решение о согласии.");
    expect(await GuardianLink.find({ guardianId: school.annaGuardian }).distinct("accountId")).toEqual([fatherAccount._id]);
    expect(await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean()).toMatchObject({
      decision: "withdrawn", form: "edoc", accountId: motherAccount._id,
      document: { number: "12-П", date: "2026-11-19", fileHash: createHash("sha256").update(SIGNED).digest("hex") },
    });
    expect(texts(await mother.send("/grades"))).toContain("Здесь пока нет привязанных детей");
    expect(texts(await father.send("/grades"))).toContain("Оценки · Мария, 7Б");
  });

  test("a paper refusal signed by the parent in the bot disconnects that account, its queued messages cancelled", async () => {
    const parent = await linkedParent(harness, school);
    expect(texts(await parent.send("/grades"))).toContain("Оценки · Мария, 7Б");
    const queue = (channel: "telegram" | "email" | "paper") =>
      Delivery.create({ schoolId: school.school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "grade", recipient: { guardianId: school.annaGuardian }, channel });
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    const queue_ = (channel: "telegram" | "email") =>
      Delivery.create({ schoolId: school.school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "grade", recipient: { guardianId: school.annaGuardian, accountId: account._id }, channel });
    const [telegram, email, paper] = [await queue_("telegram"), await queue_("email"), await queue("paper")];
    const admin = harness.user({ id: ADMIN_ID });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const signer = await statement(admin, "pc:f:paper", withButtons(await admin.press("pc:d:declined", decision)));
    const summary = withButtons(await admin.press(`pc:sg:${account._id}`, signer));
    expect(texts(await admin.press("pc:ok:yes", summary))).toContain("Отключён 1 аккаунт Telegram");

    expect(await GuardianLink.countDocuments({ guardianId: school.annaGuardian })).toBe(0);
    expect((await Account.findOne({ telegramId: parent.profile.id }).lean())!.roles).toEqual([]);
    expect(await Guardian.findById(school.annaGuardian).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    const statuses = await Promise.all([telegram, email, paper].map(async (d) => (await Delivery.findById(d._id).lean())!.status));
    expect(statuses).toEqual(["cancelled", "cancelled", "queued"]);
    // The parent's own consent in the bot does not bring the child back.
    const after = texts(await parent.send("/grades"));
    expect(after).toContain("Здесь пока нет привязанных детей");
    expect(after).not.toContain("Мария");
  });

  test("a guardian the journal does not know: created with the name from the statement", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.petya}`, students));
    expect(texts(await admin.press("pc:g:new", guardians))).toContain("Напишите фамилию, имя и отчество");
    const decision = withButtons(await admin.send("Петрова Ольга Николаевна"));
    expect(decision.plain).toContain("Петрова Ольга Николаевна");
    const form = withButtons(await admin.press("pc:d:granted", decision));
    const summary = await statement(admin, "pc:f:paper", form);
    await admin.press("pc:ok:yes", summary);
    const created = (await Guardian.findOne({ fullName: "Петрова Ольга Николаевна" }).lean())!;
    expect(created.studentIds.map(String)).toEqual([String(school.petya)]);
    expect(await ConsentRecord.countDocuments({ guardianId: created._id, decision: "granted", form: "paper" })).toBe(1);
  });

  test("forged ids (another school's class, student or guardian) are not available; Cancel records nothing", async () => {
    const foreign = await makeSchool("Чужая школа");
    const admin = harness.user({ id: ADMIN_ID });
    const [choose] = await admin.send("/paperconsent");
    // Two schools now: the admin chooses first.
    const classes = withButtons(await admin.press(`pc:sc:${school.school._id}`, choose));
    await admin.press(`pc:c:${foreign.classId}`, classes);
    expect(admin.callbackAnswers().at(-1)).toMatchObject({ text: "Недоступно: это для администраторов школы.", show_alert: true });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, classes));
    await admin.press(`pc:s:${foreign.masha}`, students);
    expect(admin.callbackAnswers().at(-1)!.text).toContain("Недоступно");
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    await admin.press(`pc:g:${foreign.annaGuardian}`, guardians);
    expect(admin.callbackAnswers().at(-1)!.text).toContain("Недоступно");
    expect(texts(await admin.press("pc:x", guardians))).toContain("ничего не записано");
    expect(await ConsentRecord.countDocuments({})).toBe(0);
    // An old button after the dialog ended is out of date.
    await admin.press(`pc:g:${school.annaGuardian}`, guardians);
    expect(admin.callbackAnswers().at(-1)!.text).toContain("устарела");
  });

  test("a school without classes says so", async () => {
    await SchoolClass.deleteMany({});
    await Student.deleteMany({});
    const admin = harness.user({ id: ADMIN_ID });
    expect(texts(await admin.send("/paperconsent"))).toContain("нет классов");
  });

  test("a written refusal signed by nobody in the bot: the record goes to paper, the parent in the bot keeps the child", async () => {
    const parent = await linkedParent(harness, school);
    const admin = harness.user({ id: ADMIN_ID });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const signer = await statement(admin, "pc:f:paper", withButtons(await admin.press("pc:d:declined", decision)));
    const summary = withButtons(await admin.press("pc:sg:none", signer));
    expect(summary.plain).toContain("Аккаунт подписавшего: Никто из них (только запись журнала)");
    const done = texts(await admin.press("pc:ok:yes", summary));
    expect(done).toContain("Записано.");
    expect(done).not.toContain("Отключ");
    expect(await Guardian.findById(school.annaGuardian).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    expect(await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean()).not.toHaveProperty("accountId");
    expect(texts(await parent.send("/grades"))).toContain("Оценки · Мария, 7Б");
  });

  test("the statement's number and date are checked, with a clear error each; Cancel under a question records nothing", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const number = withButtons(await admin.press("pc:f:paper", withButtons(await admin.press("pc:d:granted", decision))));
    expect(buttonData(number)).toEqual(["pc:x"]);
    expect(texts(await admin.sendSticker())).toContain("Номер заявления");
    expect(texts(await admin.send("№".repeat(101)))).toContain("не может быть пустым и длиннее 100 знаков");
    expect(texts(await admin.send("  7  "))).toContain("Дата заявления");
    // (Four unusable answers: the fifth would end the dialog.)
    expect(texts(await admin.send("31.02.2026"))).toContain("Это не дата");
    // The harness's today is 20.11.2026 in Moscow.
    expect(texts(await admin.send("21.11.2026"))).toContain("не может быть позже сегодняшней");
    const summary = withButtons(await admin.send("2026-11-20"));
    expect(summary.plain).toContain("Заявление: № 7 от 20.11.2026");
    await admin.press("pc:ok:yes", summary);
    expect(await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean()).toMatchObject({ decision: "granted", document: { number: "7", date: "2026-11-20" } });

    // Cancel under the date's question.
    const again = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, withButtons(await admin.press(`pc:s:${school.masha}`,
      withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))))))));
    await admin.press("pc:f:paper", withButtons(await admin.press("pc:d:declined", again)));
    const date = withButtons(await admin.send("8"));
    expect(texts(await admin.press("pc:x", date))).toContain("ничего не записано");
    expect(await ConsentRecord.countDocuments({ guardianId: school.annaGuardian })).toBe(1);
  });

  test("an e-document needs its signed file: a text gets a hint, the file's SHA-256 is recorded and the file is not kept", async () => {
    const admin = harness.user({ id: ADMIN_ID, language_code: "en" });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const mark = harness.fake.calls.length;
    await admin.press("pc:f:edoc", withButtons(await admin.press("pc:d:granted", decision)));
    expect(texts(await admin.send("E-15"))).toContain("The statement's date");
    expect(texts(await admin.send("32.11.2026"))).toContain("This is not a date");
    expect(texts(await admin.send("1.11.2026"))).toContain("Send the signed file");
    expect(texts(await admin.send("here it is"))).toContain("Send the signed file");
    const bytes = Buffer.from("signed e-document, ".repeat(5000));
    const summary = withButtons(await admin.sendDocument("заявление.sig", bytes));
    const hash = createHash("sha256").update(bytes).digest("hex");
    expect(summary.plain).toContain("Statement: No. E-15 of 01.11.2026");
    expect(summary.plain).toContain(`File: заявление.sig (SHA-256 ${hash.slice(0, 16)}…)`);
    // The bot fetched the file through the Bot API (getFile, then the download).
    expect(harness.fake.calls.slice(mark).filter((c) => c.method === "getFile" || c.method === "file").map((c) => c.status)).toEqual([200, 200]);
    await admin.press("pc:ok:yes", summary);
    const record = (await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean())!;
    expect(record.document).toEqual({ number: "E-15", date: "2026-11-01", fileHash: hash });
    expect(JSON.stringify(record)).not.toContain("заявление.sig");
  });
});
