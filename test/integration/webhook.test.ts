/**
 * Issue 16.6: the Telegram webhook checks its secret when the request arrives, before the body is
 * read, and takes only small bodies; the real bot behind it answers a real update.
 */
import pino from "pino";
import { createHttpServer } from "../../src/http/server";
import { registerWebhook, WEBHOOK_BODY_LIMIT_BYTES } from "../../src/http/webhook";
import { createMetrics } from "../../src/metrics";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { useTestDb } from "../support/db";
import { listen, type Listening } from "../support/http";

useTestDb();

const SECRET = "webhook-secret-of-the-test-0123";
let harness: BotHarness;
let http: Listening;

beforeAll(async () => {
  harness = await startBotHarness();
  // The server's own limit is the exchange API's (10 MB): the webhook route must not inherit it.
  const app = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: [], bodyLimitBytes: 10 * 1024 * 1024 });
  registerWebhook(app, harness.bot, { path: "/telegram/hook", secret: SECRET });
  http = await listen(app);
});
afterAll(async () => {
  await http.close();
  await harness.stop();
});

const post = (body: string, secret?: string) =>
  http.request("POST", "/telegram/hook", { body, headers: { "content-type": "application/json", ...(secret !== undefined && { "x-telegram-bot-api-secret-token": secret }) } });

test("a real update with the secret reaches the bot", async () => {
  const user = { id: 4_400_001, first_name: "Test", language_code: "ru" };
  const update = harness.fake.injectMessage(user, "/help");
  expect((await post(JSON.stringify(update), SECRET)).status).toBe(200);
  expect(harness.fake.sent(user.id).map((m) => m.text ?? "").join("\n")).toContain("Что умеет бот");
});

test("an update whose reply waits out a long 429 is still answered 200 (Telegram would send it again otherwise), and the reply arrives", async () => {
  const user = { id: 4_400_002, first_name: "Test", language_code: "ru" };
  harness.fake.failNext("sendMessage", { status: 429, retryAfter: 12 });
  const update = harness.fake.injectMessage(user, "/help");
  expect((await post(JSON.stringify(update), SECRET)).status).toBe(200);
  const reply = await harness.fake.waitForMessage(user.id, "Что умеет бот", 15_000);
  expect(reply.method).toBe("sendMessage");
  expect(harness.fake.sent(user.id)).toHaveLength(1);
}, 30_000);

test("without the secret a large body is refused as unauthorized, not read; with it, as too large", async () => {
  const large = JSON.stringify({ update_id: 1, padding: "x".repeat(WEBHOOK_BODY_LIMIT_BYTES + 1024) });
  expect((await post(large)).status).toBe(401);
  expect((await post(large, "a-wrong-secret-of-some-length")).status).toBe(401);
  expect((await post(large, SECRET)).status).toBe(413);
  expect((await post('{"update_id": 2}', "wrong")).status).toBe(401);
  // Larger than the server's own limit: still "unauthorized" (the secret comes first), never "too large".
  expect((await post(JSON.stringify({ update_id: 3, padding: "x".repeat(10 * 1024 * 1024) }))).status).toBe(401);
});
