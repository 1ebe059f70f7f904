/**
 * The batch lane of the delivery engine (issue 11): a broadcast costs few database commands per
 * delivered message (counted with the driver's command monitoring, never timed), each message goes
 * once, a consent withdrawn before the sends stops its message, and a final grade published during
 * a broadcast overtakes it.
 */
import mongoose, { Types } from "mongoose";
import pino from "pino";
import { ConsentRecord, Delivery, School } from "../../src/db/models";
import { countCommands } from "../../src/db/command-count";
import { consentVersionOf } from "../../src/domain/consent";
import { QUEUES } from "../../src/queue/names";
import { requestBroadcast, runBroadcast } from "../../src/services/broadcast";
import { enqueueDeliveries, type PlannedDelivery } from "../../src/services/notify/deliveries";
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

/** Until the fake Bot API has `count` messages to these chats and the batch queue is empty (no database polling: it would be counted). */
async function waitForBroadcast(chats: Set<number>, count: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const bulk = h.queues.queue(QUEUES.bulk);
  for (;;) {
    const sent = h.fake.sent().filter((m) => chats.has(m.chatId)).length;
    const counts = await bulk.getJobCounts("active", "waiting", "prioritized", "delayed");
    if (sent >= count && Object.values(counts).every((n) => n === 0)) return;
    if (Date.now() > until) throw new Error(`${sent} of ${count} sent; batch jobs left: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
}

describe("broadcasts through the batch lane", () => {
  beforeAll(() => h.start());
  afterAll(() => h.stopNotifier());

  test("a broadcast to 90 families: each message once, at most 3 database commands per delivered message", async () => {
    const { school, chats } = await broadcastSchool("Школа рассылки", 90, 7_100_000);
    const counter = countCommands();
    await requestBroadcast(h.queues, school, new Types.ObjectId(), { kind: "school" }, "Родительское собрание в четверг");
    await waitForBroadcast(new Set(chats), 90);
    await sleep(500); // a late duplicate would show here
    const commands = counter.total();
    const byName = counter.byName();
    counter.stop();
    for (const chat of chats) expect(h.fake.sent(chat)).toHaveLength(1);
    expect(await Delivery.countDocuments({ schoolId: school, channel: "telegram", status: "sent" })).toBe(90);
    // Planning (the audience, 90 records, the batch jobs) and sending (claims, consent, settling) together.
    if (process.env.SHOW_COMMANDS) console.log(commands / 90, byName);
    expect(commands / 90).toBeLessThanOrEqual(3);
  });

  test("a broadcast planned in pages of students: every page its own batches, each message once", async () => {
    const { school, chats } = await broadcastSchool("Школа страниц", 8, 7_800_000);
    const env = { deliveries: h.queues.queue(QUEUES.deliveries), bulk: h.queues.queue(QUEUES.bulk), scheduled: h.queues.queue(QUEUES.scheduled), events: h.queues.queue(QUEUES.events), redis: h.queues.redis, prefix: h.queues.prefix, now: () => new Date(), logger: pino({ level: "silent" }) };
    const counts = await runBroadcast(env, school, { id: "paged", target: { kind: "school" }, text: "Каникулы с понедельника", authorAccountId: String(new Types.ObjectId()) }, 3);
    expect(counts).toMatchObject({ planned: 8, created: 8, jobs: 8 });
    await waitForBroadcast(new Set(chats), 8);
    for (const chat of chats) expect(h.fake.sent(chat)).toHaveLength(1);
    const batches = (await Delivery.find({ schoolId: school }, { batchJob: 1 }).lean()).map((d) => d.batchJob);
    expect(new Set(batches)).toEqual(new Set(["broadcast-paged/batch-0", "broadcast-paged/batch-1000", "broadcast-paged/batch-2000"]));
  });

  test("a consent withdrawn after planning stops that message; the others go", async () => {
    await h.stopNotifier();
    const { school, chats, accountIds, studentIds } = await broadcastSchool("Школа отзыва", 4, 7_200_000);
    const guardians = await mongoose.connection.collection("guardians").find({ schoolId: school }).toArray();
    const guardianOf = new Map(guardians.map((g) => [String(g.studentIds[0]), g._id as Types.ObjectId]));
    const plans: PlannedDelivery[] = accountIds.map((accountId, i) => ({
      source: "withdrawal-batch", schoolId: school, kind: "broadcast", channel: "telegram", accountId, studentId: studentIds[i], guardianId: guardianOf.get(String(studentIds[i])),
      notice: { template: "broadcast", school: "Школа отзыва", text: "Экскурсия переносится" },
    }));
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), plans, new Date(), undefined, h.queues.queue(QUEUES.bulk));
    expect(await Delivery.countDocuments({ schoolId: school, batchJob: "withdrawal-batch/batch-0" })).toBe(4);
    const version = consentVersionOf((await School.findById(school).lean())!);
    await ConsentRecord.create({ accountId: accountIds[1], schoolId: school, decision: "withdrawn", form: "telegram", textVersion: version, textHash: "1".repeat(64), recordedAt: new Date(Date.now() + 1000) });
    await h.start();
    await waitForBroadcast(new Set(chats), 3);
    await h.waitForStatus({ "recipient.accountId": accountIds[1] }, "cancelled");
    expect(h.fake.sent(chats[1])).toHaveLength(0);
    for (const i of [0, 2, 3]) expect(h.fake.sent(chats[i])).toHaveLength(1);
    const cancelled = await Delivery.findOne({ "recipient.accountId": accountIds[1] }).lean();
    expect(cancelled).toMatchObject({ status: "cancelled", lastError: "no consent in force", kind: "broadcast", channel: "telegram" });
    expect(cancelled!.claim).toBeUndefined();
  });

  test("a final grade published during a broadcast is sent before the broadcast ends", async () => {
    const fx = await createSchoolFixture({ data: "none" });
    await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
    const parent = await guardianAccount(fx, 7_300_001, fx.guardians.parent, [fx.students.maria]);
    const { school, chats } = await broadcastSchool("Школа большой рассылки", 150, 7_400_000);
    const broadcastChats = new Set(chats);
    await requestBroadcast(h.queues, school, new Types.ObjectId(), { kind: "school" }, "Каникулы с понедельника");
    for (let until = Date.now() + 60_000; h.fake.sent().filter((m) => broadcastChats.has(m.chatId)).length < 10; ) {
      if (Date.now() > until) throw new Error("the broadcast did not start");
      await sleep(50);
    }
    await publishFinal(h.queues, fx, fx.students.maria, { value: "5" });
    await h.fake.waitForMessage(parent.chatId, "Итоговая оценка", 60_000);
    await waitForBroadcast(broadcastChats, 150, 120_000);
    const order = h.fake.sent().map((m) => m.chatId);
    const finalAt = order.indexOf(parent.chatId);
    const lastBroadcast = order.map((c, i) => (broadcastChats.has(c) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(finalAt).toBeLessThan(lastBroadcast);
  });
});
