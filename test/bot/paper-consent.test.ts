/**
 * /paperconsent: an admin registers a decision given on paper or through an electronic document
 * system (class → student → guardian → decision → form → confirm); ids in the buttons are checked
 * against the admin's school, so a forged one is "not available". A written refusal or withdrawal
 * disconnects the Telegram accounts acting for that guardian record.
 */
import { Types } from "mongoose";
import { ConsentRecord, Delivery, Guardian, GuardianLink, SchoolClass, Student, Account } from "../../src/db/models";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { buttonData, inlineButtons, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

const ADMIN_ID = 990_101;

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
    const summary = withButtons(await admin.press("pc:f:paper", form));
    expect(summary.plain).toContain("Родитель: Иванова Анна Сергеевна\nУченик: Иванова Мария Петровна\nРешение: отказ\nФорма: на бумаге");
    expect(texts(await admin.press("pc:ok:yes", summary))).toContain("Записано.");

    const record = (await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean())!;
    expect(record).toMatchObject({ decision: "declined", form: "paper", textVersion: "2026-11" });
    expect(record.textHash).toMatch(/^[0-9a-f]{64}$/);
    expect(String(record.schoolId)).toBe(String(school.school._id));
    expect(record.recordedBy).toBeDefined();
    expect(await Guardian.findById(school.annaGuardian).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
  });

  test("a written withdrawal disconnects the accounts acting for that guardian record", async () => {
    await linkedParent(harness, school);
    expect(await GuardianLink.countDocuments({ guardianId: school.annaGuardian })).toBe(1);
    const admin = harness.user({ id: ADMIN_ID });
    const classes = withButtons(await admin.send("/paperconsent"));
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, classes));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const form = withButtons(await admin.press("pc:d:withdrawn", decision));
    const summary = withButtons(await admin.press("pc:f:edoc", form));
    expect(texts(await admin.press("pc:ok:yes", summary))).toContain("Отключён 1 аккаунт Telegram");
    expect(await GuardianLink.countDocuments({ guardianId: school.annaGuardian })).toBe(0);
    expect(await ConsentRecord.findOne({ guardianId: school.annaGuardian }).lean()).toMatchObject({ decision: "withdrawn", form: "edoc" });
  });

  test("a paper refusal disconnects the accounts acting for that guardian record, queued messages cancelled", async () => {
    const parent = await linkedParent(harness, school);
    expect(texts(await parent.send("/grades"))).toContain("Оценки · Мария, 7Б");
    const queue = (channel: "telegram" | "email" | "paper") =>
      Delivery.create({ schoolId: school.school._id, idempotencyKey: `k-${new Types.ObjectId()}`, kind: "grade", recipient: { guardianId: school.annaGuardian }, channel });
    const [telegram, email, paper] = [await queue("telegram"), await queue("email"), await queue("paper")];
    const admin = harness.user({ id: ADMIN_ID });
    const students = withButtons(await admin.press(`pc:c:${school.classId}`, withButtons(await admin.send("/paperconsent"))));
    const guardians = withButtons(await admin.press(`pc:s:${school.masha}`, students));
    const decision = withButtons(await admin.press(`pc:g:${school.annaGuardian}`, guardians));
    const summary = withButtons(await admin.press("pc:f:paper", withButtons(await admin.press("pc:d:declined", decision))));
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
    const summary = withButtons(await admin.press("pc:f:paper", form));
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
});
