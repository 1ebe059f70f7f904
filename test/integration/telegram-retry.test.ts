/**
 * The retry transformer over real HTTP against the fake Bot API: a 429 waits its retry_after (never
 * less), 5xx and dropped connections are retried, cosmetic calls never fail a step, the bound is
 * kept; the worker's printout Api uploads a document through a 429 and a 502.
 */
import pino from "pino";
import { Api, GrammyError, InputFile } from "grammy";
import { telegramRetry, type RetryEvent } from "../../src/channels/telegram-retry";
import { printoutApi } from "../../src/queue/notifier";
import { FakeTelegram } from "../support/fake-telegram";

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await FakeTelegram.start({ enforceLimits: false });
});
afterAll(async () => fake.stop());
afterEach(() => fake.limitChatBursts(undefined));

function api(events: RetryEvent[] = []): Api {
  const client = new Api(fake.token, { apiRoot: fake.apiRoot });
  client.config.use(telegramRetry({ onRetry: (event) => events.push(event) }));
  return client;
}

test("every third call in a chat answered 429: all messages arrive, in order, none early", async () => {
  fake.limitChatBursts({ every: 3, retryAfter: [1, 2] });
  const events: RetryEvent[] = [];
  const client = api(events);
  for (let i = 1; i <= 7; i++) await client.sendMessage(501, `message ${i}`);
  expect(fake.sent(501).map((m) => m.text)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `message ${i}`));
  expect(events.map((e) => [e.kind, e.delayMs])).toEqual([["rate-limited", 1000], ["rate-limited", 2000], ["rate-limited", 1000]]);
  expect(fake.earlyRetries).toBe(0);
}, 20_000);

test("502s and a dropped connection are retried with backoff", async () => {
  const events: RetryEvent[] = [];
  fake.failBurst(2, { status: 502 });
  fake.failNext("sendMessage", { status: 0, destroySocket: true });
  await api(events).sendMessage(502, "after the outage");
  expect(fake.sent(502).map((m) => m.text)).toEqual(["after the outage"]);
  expect(events.map((e) => [e.kind, e.delayMs])).toEqual([["transient", 500], ["transient", 1000], ["transient", 2000]]);
});

test("a 429 asking for more than the policy waits is handed to the caller at once; 400s are never retried", async () => {
  fake.failNext("sendMessage", { status: 429, retryAfter: 3600 });
  await expect(api().sendMessage(503, "x")).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 3600 } });
  const before = fake.calls.length;
  await expect(api().sendMessage(503, "<b>unclosed", { parse_mode: "HTML" })).rejects.toBeInstanceOf(GrammyError);
  expect(fake.calls.length - before).toBe(1);
});

test("cosmetic calls (a button's spinner, a keyboard to drop) never fail the step they belong to", async () => {
  fake.failNext("answerCallbackQuery", { status: 429, retryAfter: 3600 });
  await expect(api().answerCallbackQuery("q1")).resolves.toBe(true);
  // A press answered too late is refused by Telegram: the spinner has stopped by itself.
  await expect(api().answerCallbackQuery("never-delivered")).resolves.toBe(true);
});

test("the worker's printout Api uploads a document through a 429 and a 502", async () => {
  fake.failNext("sendDocument", { status: 429, retryAfter: 1 });
  fake.failNext("sendDocument", { status: 502 });
  const worker = printoutApi({ BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }, pino({ level: "silent" }));
  await worker.sendDocument(504, new InputFile(Buffer.from("%PDF-1.4 test"), "Выписки 7Б.pdf"));
  const [sent] = fake.sent(504);
  expect(sent.document!.filename).toBe("Выписки 7Б.pdf");
  expect(sent.document!.bytes.toString()).toBe("%PDF-1.4 test");
  expect(fake.calls.filter((c) => c.method === "sendDocument").map((c) => c.status)).toEqual([429, 502, 200]);
}, 20_000);
