/**
 * A worker killed with SIGKILL in the middle of a broadcast (issue 10.5's short version): two built
 * `worker` processes on a Redis of the test's own; one is killed while messages go out and started
 * again. Every message arrives; at most one twice (the send whose "sent" the killed worker never
 * wrote: docs/notifications.md, "Exactly once, as far as Telegram allows").
 */
import { Account, ConsentRecord, Delivery, GuardianLink } from "../../src/db/models";
import { Types } from "mongoose";
import { consentVersionOf } from "../../src/domain/consent";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { enqueueDeliveries } from "../../src/services/notify/deliveries";
import { waitUntil } from "../../src/runtime/net";
import { FakeTelegram } from "../support/fake-telegram";
import { testMongoUriFor, useTestDb } from "../support/db";
import { startOwnRedis, type OwnRedis } from "../support/own-redis";
import { startRole, type RoleProcess } from "../support/service-roles";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";

jest.setTimeout(420_000);
const db = useTestDb();
const N = 80;

let redis: OwnRedis;
let fake: FakeTelegram;
let queues: QueueFactory;
let fx: SchoolFixture;
const workers: RoleProcess[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  fake = await FakeTelegram.start();
  queues = createQueueFactory(redis.url);
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
});

afterAll(async () => {
  for (const w of workers) await w.kill("SIGTERM");
  await queues.close();
  await fake.stop();
  await redis.stop();
});

test("SIGKILL of one of two workers mid-broadcast: nothing lost, at most one message twice", async () => {
  const env = { BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, MONGODB_URI: testMongoUriFor(db.dbName), REDIS_URL: redis.url, CODE_PEPPER: "kill-test-pepper", LOG_LEVEL: "warn" };
  workers.push(await startRole("worker", env), await startRole("worker", env));
  const accounts = Array.from({ length: N }, (_, i) => ({ _id: new Types.ObjectId(), telegramId: 950_000 + i, chatId: 950_000 + i, roles: [{ role: "guardian", schoolId: fx.school._id, guardianId: fx.guardians.parent._id }] }));
  await Account.insertMany(accounts);
  await GuardianLink.insertMany(accounts.map((a) => ({ accountId: a._id, guardianId: fx.guardians.parent._id, studentId: fx.students.maria._id, schoolId: fx.school._id })));
  await ConsentRecord.insertMany(accounts.map((a) => ({ accountId: a._id, schoolId: fx.school._id, decision: "granted", form: "telegram", textVersion: consentVersionOf(fx.school), textHash: "0".repeat(64) })));
  await enqueueDeliveries(queues.queue(QUEUES.deliveries), accounts.map((a) => ({
    source: "broadcast-kill", schoolId: fx.school._id, kind: "broadcast" as const, channel: "telegram" as const, accountId: a._id, notice: { template: "broadcast" as const, school: "Школа", text: "объявление" },
  })), new Date());

  const sentOf = () => fake.sent().filter((m) => m.plain?.includes("объявление"));
  expect(await waitUntil(async () => sentOf().length >= 10, 120_000, 20)).toBe(true);
  await workers[0].kill("SIGKILL");
  workers[0] = await startRole("worker", env);

  const chats = accounts.map((a) => a.chatId);
  const all = () => chats.every((c) => fake.sent(c).length > 0);
  expect(await waitUntil(async () => all(), 300_000, 250)).toBe(true);
  await waitUntil(async () => (await Delivery.countDocuments({ status: { $in: ["queued", "sending"] } })) === 0, 120_000, 250);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const twice = chats.filter((c) => fake.sent(c).length > 1);
  expect(twice.length).toBeLessThanOrEqual(1);
  for (const chat of twice) expect(fake.sent(chat)).toHaveLength(2);
});
