import mongoose from "mongoose";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { ConsentRecord, Guardian, GuardianLink, School, SchoolClass, Student, Account } from "../../src/db/models";
import { consentVersionOf } from "../../src/domain/consent";
import { familiesOf } from "../../src/services/people";
import { registerCommands } from "../../src/bot/bot";

const db = useTestDb();

describe("bot shell", () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness();
  });
  afterAll(async () => {
    await harness.stop();
  });

  test("/start greets in Russian for a Russian Telegram and remembers the account", async () => {
    const parent = harness.user({ language_code: "ru" });
    const [reply] = await parent.send("/start");
    expect(reply.text).toContain("Здравствуйте!");
    expect(reply.text).toContain("код приглашения");
    const account = await Account.findOne({ telegramId: parent.profile.id });
    expect(account?.language).toBe("ru");
    expect(account?.chatId).toBe(parent.profile.id);
  });

  test("/start greets in English for an English Telegram", async () => {
    const parent = harness.user({ language_code: "en-GB" });
    const [reply] = await parent.send("/start");
    expect(reply.text).toContain("Hello!");
    expect(reply.text).toContain("invitation code");
  });

  test("an unsupported Telegram language gets the default language", async () => {
    const [reply] = await harness.user({ language_code: "de" }).send("/start");
    expect(reply.text).toContain("Здравствуйте!");
  });

  test("/language switches the language, stored for later updates", async () => {
    const parent = harness.user({ language_code: "ru" });
    const [menu] = await parent.send("/language");
    expect(menu.text).toBe("Выберите язык:");
    const buttons = (menu.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual(["lang:ru", "lang:en"]);

    const [edited] = await parent.press("lang:en", menu);
    expect(edited.method).toBe("editMessageText");
    expect(edited.text).toBe("Done: the bot now speaks English.");
    expect(parent.callbackAnswers()).toHaveLength(1);

    // Telegram still says "ru", but the stored choice wins.
    const [help] = await parent.send("/help");
    expect(help.text).toContain("What the bot can do");
  });

  test("/help lists the commands in the user's language, as valid HTML", async () => {
    const [help] = await harness.user().send("/help");
    expect(help.parse_mode).toBe("HTML");
    expect(help.plain).toContain("/start — Начать работу");
    expect(help.plain).toContain("/language");
    expect(help.plain).toContain("/help — Что умеет бот");
  });

  test("text the bot does not understand gets a hint, never silence", async () => {
    const [reply] = await harness.user().send("привет, что тут у вас?");
    expect(reply.text).toBe("Я пока не понял вопрос. Список команд — /help.");
  });

  test("a sticker gets a sensible answer", async () => {
    const [reply] = await harness.user({ language_code: "en" }).sendSticker();
    expect(reply.text).toBe("I understand only text and buttons. All commands: /help.");
  });

  test("an old or forged button is answered, not ignored", async () => {
    const parent = harness.user();
    await parent.send("/start");
    await parent.press("no-such-feature:42");
    await parent.press("lang:klingon");
    const answers = parent.callbackAnswers();
    expect(answers).toHaveLength(2);
    for (const answer of answers) expect(answer.text).toBe("Эта кнопка уже устарела. Откройте меню заново: /help");
  });

  test("setMyCommands registers the menu per language", async () => {
    await registerCommands(harness.bot.api, harness.deps);
    const commands = harness.fake.calls.filter((c) => c.method === "setMyCommands");
    const byLanguage = Object.fromEntries(commands.map((c) => [String(c.params.language_code ?? "default"), c.params.commands]));
    expect(byLanguage.en).toEqual(expect.arrayContaining([{ command: "help", description: "What the bot can do" }]));
    expect(byLanguage.ru).toEqual(expect.arrayContaining([{ command: "help", description: "Что умеет бот" }]));
    expect(byLanguage.default).toEqual(byLanguage.ru);
  });

  test("when the database fails, the user gets a polite message and the log has no personal data", async () => {
    const parent = harness.user({ first_name: "Мариванна", username: "secret_parent" });
    await mongoose.disconnect();
    mongoose.set("bufferTimeoutMS", 300);
    try {
      const [reply] = await parent.send("/start моя фамилия Петрова");
      expect(reply.text).toBe("Извините, что-то пошло не так. Мы уже знаем об этом; попробуйте ещё раз через минуту.");
    } finally {
      mongoose.set("bufferTimeoutMS", 10000);
      await mongoose.connect(process.env.TEST_MONGODB_URI!, { dbName: db.dbName });
    }
    const errors = harness.logs.filter((line) => line.includes("bot update failed"));
    expect(errors.length).toBeGreaterThan(0);
    const all = harness.logs.join("\n");
    expect(all).not.toContain("Петрова");
    expect(all).not.toContain("Мариванна");
    expect(all).not.toContain("secret_parent");
  });
});

describe("a user who had blocked the bot writes again", () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness();
  });
  afterAll(async () => {
    await harness.stop();
  });

  test("the account is reachable again, and its family's paper caused only by the block ends; a refusal's stays", async () => {
    const school = await School.create({ name: "Школа" });
    const schoolClass = await SchoolClass.create({ schoolId: school._id, externalId: "c", name: "5А", grade: 5 });
    const [blockedChild, declinedChild] = await Student.create([
      { schoolId: school._id, externalId: "s1", fullName: "Петров Иван", classId: schoolClass._id },
      { schoolId: school._id, externalId: "s2", fullName: "Петрова Анна", classId: schoolClass._id },
    ]);
    const record = await Guardian.create({ schoolId: school._id, studentIds: [blockedChild._id, declinedChild._id] });
    const parent = harness.user();
    const other = await Account.create({ telegramId: parent.profile.id + 1_000_000, chatId: 1, roles: [{ role: "guardian", schoolId: school._id, guardianId: record._id }] });
    const account = await Account.create({
      telegramId: parent.profile.id, chatId: parent.profile.id, active: false, blockedAt: new Date(),
      roles: [{ role: "guardian", schoolId: school._id, guardianId: record._id }],
    });
    await GuardianLink.create([
      { accountId: account._id, guardianId: record._id, studentId: blockedChild._id, schoolId: school._id },
      { accountId: other._id, guardianId: record._id, studentId: declinedChild._id, schoolId: school._id },
    ]);
    const version = consentVersionOf(school);
    await ConsentRecord.create([
      { accountId: account._id, schoolId: school._id, decision: "granted", form: "telegram", textVersion: version, textHash: "a".repeat(64) },
      { accountId: other._id, schoolId: school._id, decision: "declined", form: "telegram", textVersion: version, textHash: "a".repeat(64) },
    ]);
    const family = async (studentId: unknown) => (await familiesOf(school._id, [blockedChild._id, declinedChild._id])).get(String(studentId))![0];
    expect(await family(blockedChild._id)).toMatchObject({ paper: true, paperReason: "blocked" });
    await parent.send("/help");
    expect(await Account.findOne({ telegramId: parent.profile.id }).lean()).toMatchObject({ active: true });
    expect((await Account.findOne({ telegramId: parent.profile.id }).lean())?.blockedAt).toBeUndefined();
    expect(await family(blockedChild._id)).toMatchObject({ paper: false });
    expect(await family(declinedChild._id)).toMatchObject({ paper: true, paperReason: "declined" });
  });
});

describe("in a group chat", () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness();
  });
  afterAll(async () => {
    await harness.stop();
  });

  test("/mydata, /privacy and /settings show nothing: personal data stays in private chats", async () => {
    const user = { id: 8_100_001, first_name: "Ольга", language_code: "ru" };
    const school = await School.create({ name: "Школа" });
    const guardian = await Guardian.create({ schoolId: school._id, fullName: "Смирнова Ольга Ивановна", studentIds: [], contacts: [{ kind: "email", value: "olga@example.org", source: "guardian" }] });
    await Account.create({ telegramId: user.id, chatId: user.id, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] });
    const group = { id: -100777, type: "group" as const, title: "Родители 7Б" };
    for (const command of ["/mydata", "/privacy", "/settings"]) {
      await harness.bot.handleUpdate(harness.fake.injectMessage(user, command, { chat: group }));
    }
    const toGroup = harness.fake.sent(group.id);
    expect(toGroup.map((m) => m.text ?? m.caption ?? "").join("\n")).not.toMatch(/Смирнова|olga@example\.org/);
    expect(toGroup.filter((m) => m.document)).toEqual([]);
  });
});
