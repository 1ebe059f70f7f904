/**
 * Builds the real bot (createBot) against the fake Bot API and the test database, and lets a test
 * talk to it as Telegram users: each step feeds one real Update JSON through bot.handleUpdate and
 * returns what the bot sent in answer. Use inside a file that called useTestDb().
 */
import { Writable } from "node:stream";
import type { Bot } from "grammy";
import { createBot } from "../../src/bot/bot";
import type { BotContext, BotDeps } from "../../src/bot/context";
import { loadConfig, type Config } from "../../src/config";
import { createI18n } from "../../src/i18n";
import { createLogger } from "../../src/logger";
import { FakeTelegram, type FakeTelegramOptions, type FakeUser, type SentMessage } from "./fake-telegram";

export const TEST_BOT_TOKEN = "123456789:TEST-token-for-the-fake-bot-api";

export interface BotHarness {
  fake: FakeTelegram;
  bot: Bot<BotContext>;
  deps: BotDeps;
  /** Every log line the bot wrote, as JSON text: tests check that no personal data is in it. */
  logs: string[];
  /** Moves the harness clock (deps.now). */
  setNow(at: Date): void;
  user(profile?: Partial<FakeUser>): TestUser;
  stop(): Promise<void>;
}

export interface TestUser {
  profile: FakeUser;
  send(text: string): Promise<SentMessage[]>;
  /** Presses a button with this callback data, on the given bot message (default: the bot's last one). */
  press(data: string, on?: SentMessage): Promise<SentMessage[]>;
  shareContact(phone: string): Promise<SentMessage[]>;
  sendSticker(): Promise<SentMessage[]>;
  /** Sends a file as a document (the bot can download it with getFile). */
  sendDocument(filename: string, bytes: Buffer): Promise<SentMessage[]>;
  /** The calls answerCallbackQuery made for this user's presses, newest last. */
  callbackAnswers(): Array<Record<string, unknown>>;
}

let nextUserId = 7_000_000;

export async function startBotHarness(
  options: { env?: Record<string, string>; now?: Date; fake?: FakeTelegramOptions; /** The service's own logger at this level (default debug). */ logLevel?: string } = {},
): Promise<BotHarness> {
  // Limits are the worker's concern and have their own tests; here they would only add waits.
  const fake = await FakeTelegram.start({ enforceLimits: false, token: TEST_BOT_TOKEN, ...options.fake });
  const config: Config = loadConfig({ BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, NODE_ENV: "test", ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let now = options.now ?? new Date();
  const deps: BotDeps = { config, logger: createLogger(options.logLevel ?? "debug", sink), i18n: createI18n(config.DEFAULT_LOCALE), now: () => now };
  const bot = createBot(deps, { botInfo: fake.me as never });

  const pressedIds = new Map<number, Set<string>>();
  const answersOf = (userId: number) =>
    fake.calls.filter((c) => c.method === "answerCallbackQuery" && pressedIds.get(userId)?.has(String(c.params.callback_query_id)));

  async function feed(userId: number, inject: () => Parameters<typeof bot.handleUpdate>[0]): Promise<SentMessage[]> {
    const before = fake.sent(userId).length;
    await bot.handleUpdate(inject());
    return fake.sent(userId).slice(before);
  }

  return {
    fake,
    bot,
    deps,
    logs,
    setNow(at) {
      now = at;
    },
    user(profile = {}) {
      const user: FakeUser = { id: nextUserId++, first_name: "Test", language_code: "ru", ...profile };
      return {
        profile: user,
        send: (text) => feed(user.id, () => fake.injectMessage(user, text)),
        press: (data, on) =>
          feed(user.id, () => {
            const update = fake.injectCallback(user, data, on ? { message_id: on.messageId, chat_id: on.chatId } : undefined);
            const ids = pressedIds.get(user.id) ?? new Set<string>();
            ids.add(update.callback_query!.id);
            pressedIds.set(user.id, ids);
            return update;
          }),
        shareContact: (phone) => feed(user.id, () => fake.injectContact(user, phone)),
        sendSticker: () => feed(user.id, () => fake.injectSticker(user)),
        sendDocument: (filename, bytes) => feed(user.id, () => fake.injectDocument(user, filename, bytes)),
        callbackAnswers: () => answersOf(user.id).map((c) => c.params),
      };
    },
    async stop() {
      await fake.stop();
    },
  };
}
