/**
 * Group chats (issue #16.1): a language button pressed in a group once saved the group as the
 * parent's chat, so their children's final grades went to the group. Real update JSON as Telegram
 * sends it: the bot added to a group, a callback from a message in a group, a command there.
 */
import type { Update } from "grammy/types";
import { Account } from "../../src/db/models";
import { rememberAccount } from "../../src/services/accounts";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { linkedParent, makeSchool, texts } from "./onboarding-support";

useTestDb();

const GROUP = { id: -1001987654321, title: "Родители 7Б", type: "supergroup" } as const;
const NOW = new Date("2026-11-20T09:00:00Z");
const unix = Math.floor(NOW.getTime() / 1000);

describe("the bot in group chats", () => {
  let harness: BotHarness;
  let updateId = 500_000;
  beforeAll(async () => {
    harness = await startBotHarness({ now: NOW });
  });
  afterAll(async () => harness.stop());
  beforeEach(async () => clearDb());

  const botUser = () => ({ id: harness.fake.me.id, is_bot: true, first_name: harness.fake.me.first_name, username: harness.fake.me.username });
  const handle = (update: Record<string, unknown>) => harness.bot.handleUpdate(harness.fake.injectUpdate({ update_id: ++updateId, ...update } as unknown as Update));

  test("added to a group: says once, in the adder's language, that it works only in private chats, and leaves", async () => {
    const group = { ...GROUP, id: -1001000000001 };
    await handle({
      my_chat_member: {
        chat: group,
        from: { id: 7_100_001, is_bot: false, first_name: "Anna", language_code: "en" },
        date: unix,
        old_chat_member: { user: botUser(), status: "left" },
        new_chat_member: { user: botUser(), status: "member" },
      },
    });
    const said = harness.fake.sent(group.id);
    expect(said.map((m) => m.plain)).toEqual([
      `I work only in private messages: here, children's grades and parents' data would be visible to everyone. Write to me directly: @${harness.fake.me.username}. I am leaving this group.`,
    ]);
    expect(harness.fake.hasLeft(group.id)).toBe(true);
    // Telegram then reports the bot's own departure: nothing more is said.
    await handle({
      my_chat_member: {
        chat: group, from: botUser(), date: unix,
        old_chat_member: { user: botUser(), status: "member" },
        new_chat_member: { user: botUser(), status: "left" },
      },
    });
    expect(harness.fake.sent(group.id)).toHaveLength(1);
  });

  test("a language button pressed in a group changes nothing of the parent's: chat, language, notifications stay private", async () => {
    const school = await makeSchool("Школа № 1");
    const parent = await linkedParent(harness, school);
    const before = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    expect(before.chatId).toBe(parent.profile.id);
    const group = { ...GROUP, id: -1001000000002 };
    // A /language menu the bot posted in the group before this fix (or forged), pressed by the parent.
    await handle({
      callback_query: {
        id: "4382bfdwdsb323b2d9",
        from: { id: parent.profile.id, is_bot: false, first_name: "Test", language_code: "ru" },
        message: {
          message_id: 12, from: botUser(), chat: group, date: unix, text: "Выберите язык:",
          reply_markup: { inline_keyboard: [[{ text: "Русский", callback_data: "lang:ru" }, { text: "English", callback_data: "lang:en" }]] },
        },
        chat_instance: "-5082394852340112",
        data: "lang:en",
      },
    });
    const after = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    expect(after.chatId).toBe(parent.profile.id);
    expect(after.language).toBe(before.language);
    const answer = harness.fake.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!;
    expect(answer.params).toMatchObject({ callback_query_id: "4382bfdwdsb323b2d9", text: "Бот работает только в личных сообщениях.", show_alert: true });
    expect(harness.fake.hasLeft(group.id)).toBe(true);
    // The parent's own chat keeps working, in their language.
    expect(texts(await parent.send("/grades"))).toContain("Оценки · Мария, 7Б");
  });

  test("a command in a group the bot is still in shows nothing and the bot leaves", async () => {
    const school = await makeSchool("Школа № 1");
    const parent = await linkedParent(harness, school);
    const group = { ...GROUP, id: -1001000000003 };
    await handle({
      message: {
        message_id: 40, date: unix, chat: group,
        from: { id: parent.profile.id, is_bot: false, first_name: "Test", language_code: "ru" },
        text: "/grades@test_diary_bot",
        entities: [{ type: "bot_command", offset: 0, length: 23 }],
      },
    });
    const said = harness.fake.sent(group.id);
    expect(said).toHaveLength(1);
    expect(said[0].plain).toContain("Я работаю только в личных сообщениях");
    expect(said[0].plain).not.toContain("Мария");
    expect(harness.fake.hasLeft(group.id)).toBe(true);
    expect((await Account.findOne({ telegramId: parent.profile.id }).lean())!.chatId).toBe(parent.profile.id);
  });

  test("a channel the bot was made an admin of is left without a post", async () => {
    const channel = { id: -1001000000004, title: "Новости школы", type: "channel" };
    await handle({
      my_chat_member: {
        chat: channel, from: { id: 7_100_002, is_bot: false, first_name: "Admin" }, date: unix,
        old_chat_member: { user: botUser(), status: "left" },
        new_chat_member: { user: botUser(), status: "administrator", can_post_messages: true },
      },
    });
    expect(harness.fake.sent(channel.id)).toHaveLength(0);
    expect(harness.fake.hasLeft(channel.id)).toBe(true);
  });

  test("the account's chat is set only from a private chat: a group's id is refused", async () => {
    await expect(rememberAccount(7_100_003, GROUP.id, "ru")).rejects.toThrow("private chat");
    expect(await Account.countDocuments({ telegramId: 7_100_003 })).toBe(0);
    expect((await rememberAccount(7_100_003, 7_100_003, "ru"))!.chatId).toBe(7_100_003);
  });
});
