/**
 * Issue 16.13 through the real bot and worker: strangers type wrong invite codes, each below their
 * own lockout; together they pass the threshold and the school's admin gets one Telegram message.
 */
import { Account, Delivery } from "../../src/db/models";
import { QUEUES } from "../../src/queue/names";
import { createCodeAlarm } from "../../src/services/code-alarm";
import type { BotHarness } from "../support/bot-harness";
import { startBotWithWorker, type BotWithWorker } from "../support/bot-worker";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { makeSchool, texts, withButtons } from "./onboarding-support";

useTestDb();
const redis = useTestRedis();
let h: BotHarness;
let running: BotWithWorker;

beforeAll(async () => {
  running = await startBotWithWorker(redis);
  h = running.h;
  h.deps.codeAlarm = createCodeAlarm({
    redis: running.queues.redis, prefix: redis.prefix, deliveries: running.queues.queue(QUEUES.deliveries), logger: h.deps.logger,
    settings: { threshold: 6, windowMs: 10 * 60_000 }, bootstrapAdmins: [],
  });
});
afterAll(() => running.stop());

test("wrong codes from three strangers, two each: the admin is told once, in Russian", async () => {
  const school = await makeSchool("Школа № 5");
  // Quiet hours would hold the alert until morning: this school has none.
  await school.school.updateOne({ $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  const admin = await Account.create({ telegramId: 880_001, chatId: 880_001, roles: [{ role: "admin", schoolId: school.school._id }] });
  const guesses = ["AAAA-BBBB-CC", "DDDD-EEEE-FF"];
  for (let i = 0; i < 3; i++) {
    const stranger = h.user();
    await stranger.press(`cs:yes:${school.school._id}`, withButtons(await stranger.send("/start")));
    for (const code of guesses) expect(texts(await stranger.send(code))).toContain("Такого кода нет");
  }
  const alert = await h.fake.waitForMessage(admin.chatId!, "Подбор кодов приглашения?", 20_000);
  expect(alert.plain).toContain("введено 6 неверных кодов приглашения (порог тревоги — 6)");
  expect(alert.plain).toContain("/codes 7Б");
  // One more guess in the same window: no second message.
  const late = h.user();
  await late.press(`cs:yes:${school.school._id}`, withButtons(await late.send("/start")));
  expect(texts(await late.send("GGGG-HHHH-JJ"))).toContain("Такого кода нет");
  // The alarm plans its deliveries while the wrong code is handled: the record says there is one.
  expect(await Delivery.countDocuments({ kind: "admin-alert" })).toBe(1);
}, 60_000);
