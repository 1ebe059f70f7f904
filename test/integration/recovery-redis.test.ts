/**
 * Redis is a cache of work, MongoDB the truth (issue 10.4): after FLUSHALL (on a redis-server of
 * this test's own: the shared one is never flushed) the worker rebuilds its schedulers and every
 * unfinished event and delivery from MongoDB, and each message still arrives once.
 */
import pino from "pino";
import { Types } from "mongoose";
import { Delivery, DomainEvent, School, type AccountDocument } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES, SCHEDULED_JOBS } from "../../src/queue/names";
import { printoutSchedulerId } from "../../src/queue/printouts";
import { dailySlipSchedulerId } from "../../src/queue/daily-slips";
import { startNotifier, type Notifier } from "../../src/queue/notifier";
import { enqueueDeliveries, retryDelivery, type PlannedDelivery } from "../../src/services/notify/deliveries";
import { requestBroadcast } from "../../src/services/broadcast";
import { FakeTelegram } from "../support/fake-telegram";
import { useTestDb } from "../support/db";
import { startOwnRedis, type OwnRedis } from "../support/own-redis";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { publishEvent, publishFinal } from "./notify-events";
import { waitUntil } from "../../src/runtime/net";

jest.setTimeout(180_000);
useTestDb();

let redis: OwnRedis;
let fake: FakeTelegram;
let queues: QueueFactory;
let notifier: Notifier | undefined;
let fx: SchoolFixture;
const logs: string[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });

beforeAll(async () => {
  redis = await startOwnRedis();
  fake = await FakeTelegram.start();
  queues = createQueueFactory(redis.url, "rec", (source, error) => logger.warn({ source, err: { message: error.message } }, "redis connection error"));
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});

afterAll(async () => {
  await notifier?.stop();
  await queues.close();
  await fake.stop();
  await redis.stop();
});

const broadcast = (account: AccountDocument, source: string): PlannedDelivery => ({
  source, schoolId: fx.school._id, kind: "broadcast", channel: "telegram", accountId: account._id, notice: { template: "broadcast", school: "Школа", text: `объявление ${source}` },
});

/** Polls until every chat has the message; generous deadline, no timing asserted. */
async function eachOnce(chats: number[], text: string): Promise<void> {
  const all = () => chats.every((c) => fake.sent(c).some((m) => m.plain?.includes(text)));
  if (!(await waitUntil(async () => all(), 90_000, 200))) throw new Error(`not every chat got "${text}":\n${fake.describeCalls()}`);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // a late duplicate would show up here
  for (const chat of chats) expect(fake.sent(chat).filter((m) => m.plain?.includes(text))).toHaveLength(1);
}

test("work queued before a FLUSHALL is re-driven from MongoDB when the worker starts", async () => {
  const parents = await Promise.all([0, 1, 2, 3, 4].map((i) => guardianAccount(fx, 930_000 + i, fx.guardians.parent, i === 0 ? [fx.students.maria] : [])));
  await publishFinal(queues, fx, fx.students.maria, { value: "4" }); // an event job not yet processed
  await enqueueDeliveries(queues.queue(QUEUES.deliveries), parents.map((p) => broadcast(p, "broadcast-before")), new Date());
  // An admin's broadcast confirmed but not yet planned: only its outbox record survives.
  await requestBroadcast(queues, fx.school._id, parents[1]._id, { kind: "school" }, "объявление для всей школы");
  await redis.flush();
  expect(await queues.redis.dbsize()).toBe(0);

  notifier = await startNotifier({ config: { BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, SMTP_URL: undefined, SMTP_FROM: undefined }, logger, i18n: createI18n("ru"), queues, redisWatchIntervalMs: 300 });
  await eachOnce(parents.map((p) => p.chatId), "объявление broadcast-before");
  await eachOnce([parents[0].chatId], "Итоговая оценка");
  await eachOnce([parents[0].chatId], "объявление для всей школы");
  expect(await waitUntil(async () => (await DomainEvent.countDocuments({ processedAt: null })) === 0, 30_000, 200)).toBe(true);
  expect(await waitUntil(async () => (await Delivery.countDocuments({ status: { $in: ["queued", "sending"] } })) === 0, 30_000, 200)).toBe(true);
  expect(await Delivery.countDocuments({ status: "sent", channel: "telegram" })).toBe(7);
});

test("a FLUSHALL while the worker runs: schedulers restored, a delayed delivery still sent once", async () => {
  const scheduled = queues.queue(QUEUES.scheduled);
  expect((await scheduled.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(expect.arrayContaining(["watchdog", "outbox-sweep"]));
  const late = await guardianAccount(fx, 931_000, fx.guardians.parent, []);
  // Due in 3 s (as after quiet hours): its job waits in Redis as "delayed" when Redis loses it.
  await enqueueDeliveries(queues.queue(QUEUES.deliveries), [broadcast(late, "broadcast-delayed")], new Date(), new Date(Date.now() + 3000));
  const before = logs.length;
  await redis.flush();
  await eachOnce([late.chatId], "объявление broadcast-delayed");
  expect((await scheduled.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(expect.arrayContaining(["watchdog", "outbox-sweep", "staff-upkeep", `digest-${String(fx.school._id)}`, printoutSchedulerId(String(fx.school._id)), dailySlipSchedulerId(String(fx.school._id))]));
  expect(logs.slice(before).join("")).toContain("Redis had lost work: queues rebuilt from MongoDB");
  expect(await Delivery.findOne({ "recipient.accountId": late._id }).lean()).toMatchObject({ status: "sent", attempts: 1 });
});

test("Redis restarted without its data while the worker runs: the worker reconnects and the work is re-driven", async () => {
  const late = await guardianAccount(fx, 932_000, fx.guardians.parent, []);
  await enqueueDeliveries(queues.queue(QUEUES.deliveries), [broadcast(late, "broadcast-restart")], new Date(), new Date(Date.now() + 3000));
  const before = logs.length;
  await redis.restart(1000);
  await eachOnce([late.chatId], "объявление broadcast-restart");
  expect(logs.slice(before).join("")).toContain("Redis had lost work: queues rebuilt from MongoDB");
  expect(await Delivery.findOne({ "recipient.accountId": late._id }).lean()).toMatchObject({ status: "sent", attempts: 1 });
});

test("a grade alert waiting in its Redis batch when Redis loses it: the event is re-driven and the alert arrives once", async () => {
  const parent = await guardianAccount(fx, 933_000, fx.guardians.parent, [fx.students.alex]);
  const eventId = await publishEvent(queues, fx.school._id, "grade.created", { resource: "grades", id: new Types.ObjectId() }, {
    studentIds: [fx.students.alex._id], payload: { before: null, after: { studentId: "st-alex", subjectId: "s-alg", date: "2026-12-01", value: "5", weight: 1, workType: "ответ на уроке" } },
  });
  const list = `rec:notify:grades:a${String(parent._id)}:${String(fx.students.alex._id)}`;
  expect(await waitUntil(async () => (await queues.redis.llen(list)) === 1, 60_000, 100)).toBe(true);
  // Planned into the batch, not yet a delivery: the event is not processed.
  expect((await DomainEvent.findOne({ eventId }, { processedAt: 1 }).lean())?.processedAt).toBeUndefined();
  await redis.flush();
  // The re-driven event fills the batch again; its job waits for the end of the 2-minute window: promoted here.
  const batchJob = async () => (await queues.queue(QUEUES.scheduled).getJobs(["delayed"])).find((j) => j.name === SCHEDULED_JOBS.gradeBatch && (j.data as { person?: string }).person === `a${String(parent._id)}`);
  expect(await waitUntil(async () => !!(await batchJob()), 60_000, 200)).toBe(true);
  await (await batchJob())!.promote();
  await eachOnce([parent.chatId], "Оценки");
  expect(await waitUntil(async () => !!(await DomainEvent.findOne({ eventId, processedAt: { $ne: null } }).lean()), 30_000, 200)).toBe(true);
});

test("a partial loss that keeps the watch's marker (a lagging failover): the one-minute sweep re-drives a delivery older than two minutes", async () => {
  const late = await guardianAccount(fx, 934_000, fx.guardians.parent, []);
  const deliveries = queues.queue(QUEUES.deliveries);
  await enqueueDeliveries(deliveries, [broadcast(late, "broadcast-partial")], new Date(), new Date(Date.now() + 5000));
  const key = `broadcast-partial/a${String(late._id)}/telegram`;
  await (await deliveries.getJob(key))!.remove(); // this job alone is lost
  await Delivery.updateOne({ idempotencyKey: key }, { $set: { queuedAt: new Date(Date.now() - 3 * 60_000) } });
  expect(await queues.redis.exists("rec:recovery:epoch")).toBe(1);
  await queues.queue(QUEUES.scheduled).add(SCHEDULED_JOBS.outbox, {});
  await eachOnce([late.chatId], "объявление broadcast-partial");
});

test("an admin's retry of a failed delivery whose job Redis lost: the record is queued again and the sweep rebuilds its job", async () => {
  const late = await guardianAccount(fx, 935_000, fx.guardians.parent, []);
  const deliveries = queues.queue(QUEUES.deliveries);
  await enqueueDeliveries(deliveries, [broadcast(late, "broadcast-failed")], new Date(), new Date(Date.now() + 60_000));
  const key = `broadcast-failed/a${String(late._id)}/telegram`;
  await (await deliveries.getJob(key))!.remove(); // failed long ago; its job is gone with Redis
  await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "failed", queuedAt: new Date(Date.now() - 3 * 60_000) }, $unset: { notBefore: 1 } });
  const record = (await Delivery.findOne({ idempotencyKey: key }).lean())!;
  expect(await retryDelivery(deliveries, fx.school._id, String(record._id))).toBe(true);
  await queues.queue(QUEUES.scheduled).add(SCHEDULED_JOBS.outbox, {});
  await eachOnce([late.chatId], "объявление broadcast-failed");
});
