/**
 * Access control of the views: pointers for accounts without children or consent, the child
 * switcher of a guardian with two children, forged buttons and free text naming another child,
 * a student's own account, group chats.
 */
import { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, giveConsent, guardianAccount, studentAccount, type SchoolFixture } from "../support/fixtures";
import { ConsentRecord, GuardianLink, Account } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { buttonData, inlineButtons, last, moscow, plain } from "./views-support";

useTestDb();

let harness: BotHarness;
let fx: SchoolFixture;

const NO_CHILDREN = "Здесь пока нет привязанных детей, поэтому показывать нечего. Если у вас есть код от школы, отправьте /link. Впервые здесь — начните с /start.";
const NO_CONSENT = "Чтобы показывать данные ребёнка, нужно ваше согласие на обработку персональных данных. Дайте его через /start — это займёт минуту.";
const NOT_AVAILABLE = "Эти данные недоступны.";

beforeAll(async () => {
  fx = await createSchoolFixture();
  harness = await startBotHarness({ now: moscow("2026-12-03 12:00") });
}, 60_000);
afterAll(async () => harness.stop());

/** Nothing in these texts may name a child's data. */
function expectNoData(text: string): void {
  for (const secret of ["Мария", "Александр", "Пётр", "Алгебра", "Русский язык", "7А", "3Б"]) expect(text).not.toContain(secret);
}

describe("without children or consent: a pointer, never data", () => {
  test("a stranger (no account) gets pointed to /link and /start, for commands and for questions", async () => {
    const stranger = harness.user();
    for (const asked of ["/grades", "/homework", "что задано на завтра?"]) {
      const replies = await stranger.send(asked);
      expect(replies).toHaveLength(1);
      expect(replies[0].plain).toBe(NO_CHILDREN);
    }
    // Small talk from a stranger is not a question about a child: the generic hint answers it.
    expect(plain(await stranger.send("добрый день"))).not.toContain("/link");
  });

  test("a linked guardian without consent, or who declined, is asked for consent", async () => {
    const waiting = harness.user();
    await guardianAccount(fx, waiting.profile.id, fx.guardians.parent, [fx.students.maria], { consent: "none" });
    const declined = harness.user();
    await guardianAccount(fx, declined.profile.id, fx.guardians.parent, [fx.students.maria], { consent: "declined" });
    for (const user of [waiting, declined]) {
      for (const asked of ["/grades", "/schedule", "📒 Оценки", "оценки Маши"]) {
        const text = plain(await user.send(asked));
        expect(text).toBe(NO_CONSENT);
        expectNoData(text);
      }
    }
  });

  test("after a withdrawal an old button shows nothing", async () => {
    const parent = harness.user();
    const account = await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria]);
    const [grades] = await parent.send("/grades");
    await ConsentRecord.create({ accountId: account._id, schoolId: fx.school._id, decision: "withdrawn", form: "telegram", textVersion: consentVersionOf(fx.school), textHash: consentTextHash("x") });
    await GuardianLink.deleteMany({ accountId: account._id });
    const replies = await parent.press(buttonData(grades, "◀ 23.11–29.11"), grades);
    expect(plain(replies)).toBe(NO_CHILDREN);
    expect(parent.callbackAnswers()).toHaveLength(1);
  });
});

describe("a guardian with two children", () => {
  let parent: TestUser;
  beforeAll(async () => {
    parent = harness.user();
    await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  });

  test("the switcher shows both first names; the choice is remembered for the next views", async () => {
    const [grades] = await parent.send("/grades");
    expect(grades.plain).toContain("Мария, 7А");
    const [alex] = await parent.press(buttonData(grades, "Александр"), grades);
    expect(alex.method).toBe("editMessageText");
    expect(alex.plain).toContain("📒 Оценки · Александр, 3Б");
    expect(inlineButtons(alex).map((b) => b.text)).toEqual(expect.arrayContaining(["Мария", "• Александр •"]));
    const account = await Account.findOne({ telegramId: parent.profile.id });
    expect(String(account?.selectedStudentId)).toBe(String(fx.students.alex._id));

    // Pressing the child already shown changes nothing (Telegram's "not modified" is no error).
    const again = await parent.press(buttonData(alex, "• Александр •"), alex);
    expect(again).toEqual([]);
    expect(parent.callbackAnswers().at(-1)?.text).toBeUndefined();

    expect(plain(await parent.send("/homework"))).toContain("Домашнее задание · Александр, 3Б");
    expect(plain(await parent.send("что задано на завтра?"))).toContain("Александр, 3Б");
  });

  test("a child named in a question is answered for, and becomes the chosen one", async () => {
    expect(plain(await parent.send("какие оценки у Маши на этой неделе?"))).toContain("📒 Оценки · Мария, 7А");
    expect(plain(await parent.send("/schedule"))).toContain("Мария, 7А");
    expect(plain(await parent.send("что задано Саше на завтра"))).toContain("Домашнее задание · Александр, 3Б");
  });

  test("a forged button with another family's child gets \"not available\" and no data", async () => {
    const [grades] = await parent.send("/grades");
    const before = harness.fake.sent(parent.profile.id).length;
    for (const data of [`v:g:${fx.students.petya._id}`, `v:f:${new Types.ObjectId()}`, `v:s:${fx.students.petya._id}:d:20261204`]) {
      const replies = await parent.press(data, grades);
      expect(replies).toEqual([]);
      expect(parent.callbackAnswers().at(-1)).toMatchObject({ text: NOT_AVAILABLE, show_alert: true });
    }
    expect(harness.fake.sent(parent.profile.id)).toHaveLength(before);
    const account = await Account.findOne({ telegramId: parent.profile.id });
    expect(String(account?.selectedStudentId)).not.toBe(String(fx.students.petya._id));
  });

  test("malformed or unknown buttons are answered as out of date", async () => {
    for (const data of ["v:g:not-an-id", "v:zz:-", "v:g:-:w:2026-12-01", `v:g:${fx.students.maria._id}:p:{"$ne":1}`]) {
      expect(await parent.press(data)).toEqual([]);
      expect(parent.callbackAnswers().at(-1)?.text).toBe("Эта кнопка уже устарела. Откройте меню заново: /help");
    }
  });

  test("free text naming another child gets \"not available\", never that child's data", async () => {
    for (const question of ["оценки Пети", "что задано Петру на завтра?", "прогноз по алгебре у Пети"]) {
      const text = plain(await parent.send(question));
      expect(text).toContain("Данные «Пет");
      expect(text).toContain("недоступны");
      expect(text).not.toContain("Смирнов");
      expect(text).not.toContain("·"); // no view header at all
    }
    // Named together with one's own child: only the own child is shown.
    const both = plain(await parent.send("оценки Маши и Пети"));
    expect(both).toContain("Данные «Пети» недоступны");
    expect(both).toContain("📒 Оценки · Мария, 7А");
    expect(both).not.toContain("Пётр,");
  });

  test("an unknown question gets a hint and the main menu", async () => {
    const [reply] = await parent.send("как дела у вас в школе?");
    expect(reply.plain).toContain("Я не понял вопрос");
    expect((reply.reply_markup as { keyboard: Array<Array<{ text: string }>> }).keyboard.flat().map((b) => b.text)).toContain("📒 Оценки");
  });

  test("a view asked in a group chat is not answered there (the bot says it works in private chats and leaves)", async () => {
    const group = { id: -100200300, type: "group" as const, title: "Родители 7А" };
    await harness.bot.handleUpdate({
      update_id: 9_000_001,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: group, from: { id: parent.profile.id, is_bot: false, first_name: "Ольга" }, text: "/grades", entities: [{ type: "bot_command", offset: 0, length: 7 }] },
    });
    const said = harness.fake.sent(group.id);
    expect(said.map((m) => m.plain)).toEqual([expect.stringContaining("Я работаю только в личных сообщениях")]);
    expect(said[0].plain).not.toMatch(/Оценки|Мари|Петр/);
    expect(harness.fake.hasLeft(group.id)).toBe(true);
  });
});

describe("other accounts", () => {
  test("the other family's guardian sees only their own child, with no switcher", async () => {
    const other = harness.user();
    await guardianAccount(fx, other.profile.id, fx.guardians.otherParent, [fx.students.petya]);
    const replies = await other.send("/recommendations");
    const text = plain(replies);
    expect(text).toContain("Пётр, 7А");
    expect(text).toContain("Пётр, нужно пересдать самостоятельную работу.");
    expect(text).not.toContain("Повторить формулы сокращённого умножения");
    expect(inlineButtons(last(replies))).toEqual([]);
    expect(await other.press(`v:r:${fx.students.maria._id}`)).toEqual([]);
    expect(other.callbackAnswers().at(-1)?.text).toBe(NOT_AVAILABLE);
    expect(plain(await other.send("оценки Маши"))).toContain("Данные «Маши» недоступны");
  });

  test("a student's own account sees only their own data", async () => {
    const maria = harness.user();
    await studentAccount(fx, maria.profile.id, fx.students.maria);
    const replies = await maria.send("/grades");
    expect(plain(replies)).toContain("📒 Оценки · Мария, 7А");
    expect(inlineButtons(last(replies)).map((b) => b.text)).not.toContain("Александр");
    expect(plain(await maria.send("/finals"))).toContain("Физика: ⏳ аттестация отложена");

    expect(await maria.press(`v:g:${fx.students.alex._id}`)).toEqual([]);
    expect(maria.callbackAnswers().at(-1)?.text).toBe(NOT_AVAILABLE);
    const brother = plain(await maria.send("оценки Саши"));
    expect(brother).toContain("недоступны");
    expect(brother).not.toContain("3Б");
  });

  test("a guardian who also has a student role in another family sees both, nothing more", async () => {
    const user = harness.user();
    const account = await studentAccount(fx, user.profile.id, fx.students.petya);
    await GuardianLink.create({ accountId: account._id, guardianId: fx.guardians.parent._id, studentId: fx.students.alex._id, schoolId: fx.school._id });
    await giveConsent(fx, account, "granted");
    const [grades] = await user.send("/grades");
    expect(inlineButtons(grades).map((b) => b.text)).toEqual(expect.arrayContaining(["• Пётр •", "Александр"]));
    expect(inlineButtons(grades).map((b) => b.text)).not.toContain("Мария");
  });
});
