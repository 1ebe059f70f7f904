/**
 * Finals and exams go first on the database as well as at Telegram's slot (issue 11): while one is
 * planned or sent, a broadcast's planning and its batch lane's next claim wait for it, a second at
 * most (src/services/notify/urgent.ts). Checked by order and state, never by timing a run.
 */
import mongoose, { Types } from "mongoose";
import pino from "pino";
import { Delivery, School } from "../../src/db/models";
import { QUEUES } from "../../src/queue/names";
import { runBroadcast } from "../../src/services/broadcast";
import { enqueueDeliveries, type PlannedDelivery } from "../../src/services/notify/deliveries";
import { asUrgent, urgentRunning, yieldToUrgent } from "../../src/services/notify/urgent";
import { createSchool } from "../../src/services/schools";
import { bulkFamilies } from "../support/bulk-families";
import { createSchoolFixture, guardianAccount } from "../support/fixtures";
import { useNotifyHarness, sleep } from "./notify-harness";
import { publishFinal } from "./notify-events";

const h = useNotifyHarness();

async function broadcastSchool(name: string, families: number, firstChat: number) {
  const { schoolId } = await createSchool({ name });
  const school = new Types.ObjectId(schoolId);
  await School.updateOne({ _id: school }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  const classId = new Types.ObjectId();
  await mongoose.connection.collection("classes").insertOne({ _id: classId, schoolId: school, externalId: `c-${firstChat}`, name: "5А", grade: 5 });
  return { school, ...(await bulkFamilies(school, classId, families, firstChat)) };
}

/** Urgent work that lasts until `release()`. */
function holdUrgent() {
  let release!: () => void;
  const running = asUrgent(h.queues.redis, h.queues.prefix, () => new Promise<void>((resolve) => (release = resolve)));
  return { running, release: () => release() };
}

test("yieldToUrgent: at once when nothing urgent runs; while a final runs, until it ends; never longer than its bound", async () => {
  const { redis, prefix } = h.queues;
  expect(await urgentRunning(redis, prefix)).toBe(0);
  await yieldToUrgent(redis, prefix);

  const final = holdUrgent();
  for (let i = 0; i < 50 && (await urgentRunning(redis, prefix)) === 0; i++) await sleep(10);
  expect(await urgentRunning(redis, prefix)).toBe(1);
  let yielded = false;
  const waiting = yieldToUrgent(redis, prefix, 60_000).then(() => (yielded = true));
  await sleep(200);
  expect(yielded).toBe(false);
  final.release();
  await final.running;
  await waiting;
  expect(await urgentRunning(redis, prefix)).toBe(0);

  // A final that never ends (its worker hangs) holds a broadcast step for the bound only.
  const stuck = holdUrgent();
  await sleep(50);
  expect(await yieldToUrgent(redis, prefix, 100)).toBeGreaterThanOrEqual(100);
  stuck.release();
  await stuck.running;
});

test("a batch does not claim its next chunk while a final is in progress", async () => {
  const { school, chats, accountIds, studentIds } = await broadcastSchool("Школа уступает", 3, 7_600_000);
  const guardians = await mongoose.connection.collection("guardians").find({ schoolId: school }).toArray();
  const guardianOf = new Map(guardians.map((g) => [String(g.studentIds[0]), g._id as Types.ObjectId]));
  const plans: PlannedDelivery[] = accountIds.map((accountId, i) => ({
    source: "yield-batch", schoolId: school, kind: "broadcast", channel: "telegram", accountId, studentId: studentIds[i], guardianId: guardianOf.get(String(studentIds[i])),
    notice: { template: "broadcast", school: "Школа уступает", text: "Субботник" },
  }));
  const final = holdUrgent();
  await h.start();
  await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), plans, new Date(), undefined, h.queues.queue(QUEUES.bulk));
  const bulk = h.queues.queue(QUEUES.bulk);
  for (let i = 0; i < 100 && (await bulk.getJobCounts("active")).active === 0; i++) await sleep(10);
  await sleep(200);
  // The batch job runs, and waits: nothing claimed, nothing sent.
  expect(await Delivery.countDocuments({ batchJob: "yield-batch/batch-0", status: "queued" })).toBe(3);
  for (const chat of chats) expect(h.fake.sent(chat)).toHaveLength(0);
  final.release();
  await final.running;
  for (const chat of chats) await h.fake.waitForMessage(chat, "Субботник", 15_000);
  await h.stopNotifier();
});

test("a final published while a broadcast is being planned is planned and sent before the rest of the broadcast", async () => {
  const fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  const parent = await guardianAccount(fx, 7_700_001, fx.guardians.parent, [fx.students.maria]);
  const { school, chats } = await broadcastSchool("Школа длинного плана", 60, 7_710_000);
  await h.start();
  const env = { deliveries: h.queues.queue(QUEUES.deliveries), bulk: h.queues.queue(QUEUES.bulk), scheduled: h.queues.queue(QUEUES.scheduled), events: h.queues.queue(QUEUES.events), redis: h.queues.redis, prefix: h.queues.prefix, now: () => new Date(), logger: pino({ level: "silent" }) };
  // Planned in pages of 5 pupils: twelve pages, each its families' queries and its records' write.
  const planning = runBroadcast(env, school, { id: "long-plan", target: { kind: "school" }, text: "Каникулы", authorAccountId: String(new Types.ObjectId()) }, 5);
  for (let i = 0; i < 200 && (await Delivery.countDocuments({ idempotencyKey: { $regex: "^broadcast-long-plan/" } })) === 0; i++) await sleep(10);
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "5" });
  await h.fake.waitForMessage(parent.chatId, "Итоговая оценка", 60_000);
  await planning;
  const broadcastChats = new Set(chats);
  for (let until = Date.now() + 120_000; h.fake.sent().filter((m) => broadcastChats.has(m.chatId)).length < 60; ) {
    if (Date.now() > until) throw new Error("the broadcast did not finish");
    await sleep(200);
  }
  const final = await Delivery.findOne({ eventId, channel: "telegram" }).lean();
  const lastPlanned = await Delivery.findOne({ idempotencyKey: { $regex: "^broadcast-long-plan/" } }).sort({ queuedAt: -1 }).lean();
  // The final's record was written while the broadcast was still being planned, and it went before the broadcast's last message.
  expect(final!.queuedAt.getTime()).toBeLessThanOrEqual(lastPlanned!.queuedAt.getTime());
  const order = h.fake.sent().map((m) => m.chatId);
  const lastBroadcast = order.map((c, i) => (broadcastChats.has(c) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  expect(order.indexOf(parent.chatId)).toBeLessThan(lastBroadcast);
  await h.stopNotifier();
});
