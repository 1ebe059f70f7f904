/**
 * /consents in the real bot against the fake Bot API: a hand-made class 7Б (one student per state:
 * in the bot, declined → paper, consent on paper, nobody joined), seen by its homeroom teacher, a
 * teacher who teaches in it and the school's admin; a teacher of another class, a forged button and
 * an admin of another school are refused.
 */
import { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import type { SentMessage } from "../support/fake-telegram";
import { ConsentRecord, Guardian, GuardianLink, School, Account } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { consentStatusText } from "../../src/bot/features/consents";
import type { ClassConsentStatus } from "../../src/services/consent-status";
import { createI18n } from "../../src/i18n";
import { FRIDAY_NOON, loadFixtureSchool, staffAccount, type FixtureSchool } from "../integration/printouts-fixture";

useTestDb();

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttons = (message: SentMessage) => (message.reply_markup as Keyboard).inline_keyboard.flat();

let harness: BotHarness;
let fixture: FixtureSchool;
let nextId = 6_200_000;

/** A guardian's Telegram account linked to the student, with a telegram decision (or none). */
async function linkedAccount(guardian: string, student: string, decision?: "granted" | "declined") {
  const telegramId = nextId++;
  const guardianId = await fixture.id("guardian", guardian);
  const account = await Account.create({ telegramId, chatId: telegramId, language: "ru", roles: [{ role: "guardian", schoolId: fixture.schoolId, guardianId }] });
  await GuardianLink.create({ accountId: account._id, guardianId, studentId: await fixture.id("student", student), schoolId: fixture.schoolId });
  const school = (await School.findById(fixture.schoolId).lean())!;
  const textVersion = consentVersionOf(school);
  if (decision) await ConsentRecord.create({ accountId: account._id, schoolId: fixture.schoolId, decision, form: "telegram", textVersion, textHash: consentTextHash(`consent ${textVersion}`) });
}

beforeAll(async () => {
  harness = await startBotHarness({ now: FRIDAY_NOON });
  fixture = await loadFixtureSchool();
  // Петров: his mother is in the bot with two accounts; his father has not joined.
  await linkedAccount("g1", "s1", "granted");
  await linkedAccount("g1", "s1", "granted");
  // Смирнова: her mother declined in the bot, which put her on paper.
  await linkedAccount("g3", "s2", "declined");
  await Guardian.updateOne({ _id: await fixture.id("guardian", "g3") }, { $set: { delivery: "paper", deliveryReason: "declined" } });
  // Кузнецов: his mother's consent was registered on paper.
  const school = (await School.findById(fixture.schoolId).lean())!;
  await ConsentRecord.create({ guardianId: await fixture.id("guardian", "g4"), schoolId: fixture.schoolId, decision: "granted", form: "paper", textVersion: consentVersionOf(school), textHash: consentTextHash("paper") });
  // Волкова: nobody has joined.
});
afterAll(async () => {
  await harness.stop();
});

async function as(role: "admin" | "teacher", teacher?: string, school = fixture) {
  const account = await staffAccount(school, role, teacher);
  return harness.user({ id: account.telegramId });
}

const CLASS_7B = [
  "Согласия родителей — 7Б",
  "в боте 1 из 4, на бумаге 1, согласие на бумаге 1, не подключены 1",
  "",
  "❌ Волкова Д. — никто из родителей ещё не подключился",
  "📝 Кузнецов И. — Кузнецов А.: не подключился; Кузнецова Н.: согласие на бумаге",
  "✅ Петров А. — Петров С.: не подключился; Петрова Е.: в боте (2 аккаунта)",
  "📄 Смирнова О. — Смирнова Т.: выписки на бумаге (отказ от согласия)",
].join("\n");

describe("/consents", () => {
  test("the homeroom teacher sees their class with the totals at the top", async () => {
    const teacher = await as("teacher", "t1");
    const [reply] = await teacher.send("/consents");
    expect(reply.parse_mode).toBe("HTML");
    expect(reply.plain).toBe(CLASS_7B);
    expect(reply.text).toContain("<b>Петров А.</b>");
    const [named] = await teacher.send("/consents 7 б");
    expect(named.plain).toBe(CLASS_7B);
  });

  test("a teacher who teaches in the class sees it; a teacher of another class is refused, by name and by button", async () => {
    const [taught] = await (await as("teacher", "t2")).send("/consents 7Б");
    expect(taught.plain).toBe(CLASS_7B);

    const other = await as("teacher", "t3");
    const [refused] = await other.send("/consents 7Б");
    expect(refused.text).toBe("Класс «7Б» не найден или недоступен вам.");
    const class7b = await fixture.id("class", "7b");
    expect(await other.press(`cn:${class7b.toHexString()}`)).toEqual([]);
    expect(await other.press(`cn:${new Types.ObjectId().toHexString()}`)).toEqual([]);
    expect(await other.press("cn:not-an-id")).toEqual([]);
    const answers = other.callbackAnswers();
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer).toMatchObject({ text: "Этот класс недоступен.", show_alert: true });

    const [own] = await other.send("/consents");
    expect(own.plain).toContain("Согласия родителей — 7А");
    expect(own.plain).toContain("в боте 0 из 1, на бумаге 1");
    expect(own.plain).toContain("📄 Зайцев Н. — Зайцева И.: выписки на бумаге (по данным журнала)");
  });

  test("an admin chooses any class of their school with a button, but not another school's", async () => {
    const otherSchool = await loadFixtureSchool({ name: "Школа № 8" });
    const admin = await as("admin");
    const [choice] = await admin.send("/consents");
    expect(choice.text).toBe("Согласия родителей. Выберите класс:");
    const class7b = await fixture.id("class", "7b");
    expect(buttons(choice)).toEqual([
      { text: "7А", callback_data: `cn:${(await fixture.id("class", "7a")).toHexString()}` },
      { text: "7Б", callback_data: `cn:${class7b.toHexString()}` },
    ]);
    const [status] = await admin.press(`cn:${class7b.toHexString()}`, choice);
    expect(status.plain).toBe(CLASS_7B);

    // The other school's 7Б (nobody joined there) is not theirs, by button or by name.
    expect(await admin.press(`cn:${(await otherSchool.id("class", "7b")).toHexString()}`, choice)).toEqual([]);
    expect(admin.callbackAnswers().at(-1)).toMatchObject({ text: "Этот класс недоступен.", show_alert: true });
    const [byName] = await admin.send("/consents 7Б");
    expect(byName.plain).toBe(CLASS_7B);
    const [otherAdmin] = await (await as("admin", undefined, otherSchool)).send("/consents 7Б");
    expect(otherAdmin.plain).toContain("в боте 0 из 4, не подключены 4");
  });

  test("a guardian or a stranger is told it is for staff", async () => {
    const [reply] = await harness.user().send("/consents 7Б");
    expect(reply.text).toBe("Состояние согласий доступно учителям класса и администраторам школы.");
  });
});

describe("consentStatusText", () => {
  const t = createI18n("ru").getFixedT("ru");
  const guardian = { guardianId: new Types.ObjectId(), fullName: "Мать <Ученика>", accounts: { granted: 1, declined: 0, withdrawn: 0, outdated: 0, none: 0 }, document: null, delivery: "electronic" as const, deliveryReason: null };

  test("a big class is split into valid parts under the limit, names escaped", () => {
    const students = Array.from({ length: 300 }, (_, i) => ({ studentId: new Types.ObjectId(), fullName: `Ученик${i} <Имя> Отчество`, category: "bot" as const, guardians: [guardian, guardian] }));
    const status: ClassConsentStatus = { classId: new Types.ObjectId(), className: "7<Б>", students, totals: { bot: 300, paper: 0, document: 0, waiting: 0, none: 0 } };
    const parts = consentStatusText(t, status);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    const all = parts.join("\n");
    expect(all).toContain("Согласия родителей — 7&lt;Б&gt;");
    expect(all).toContain("в боте 300 из 300");
    expect(all).toContain("✅ <b>Ученик299 &lt;.</b> — Мать &lt;.: в боте (1 аккаунт); Мать &lt;.: в боте (1 аккаунт)");
    expect(all).not.toContain("<Имя>");
  });
});
