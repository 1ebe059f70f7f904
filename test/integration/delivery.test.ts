/**
 * The delivery engine end to end: a final grade event reaches the guardian and the student once,
 * whatever happens to the job (retries, a second worker, a worker killed mid-job); Telegram's 429
 * is obeyed; a blocked bot falls back to e-mail, then paper.
 */
import { Types } from "mongoose";
import { Delivery, Guardian, School, Account } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { createTelegramChannel } from "../../src/channels/telegram";
import { deliveryProcessor, SENDING_LEASE_MS } from "../../src/queue/delivery-engine";
import { QUEUES } from "../../src/queue/names";
import type { DeliveryJobData } from "../../src/queue/jobs";
import { enqueueDeliveries, type PlannedDelivery } from "../../src/services/notify/deliveries";
import { createSchoolFixture, guardianAccount, studentAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness, sleep } from "./notify-harness";
import { publishFinal } from "./notify-events";
import pino from "pino";

const h = useNotifyHarness();
let fx: SchoolFixture;
let tgId = 910_000;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  // No quiet hours here (start = end): the tests run at any hour; quiet hours have their own test.
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});

function planned(accountId: Types.ObjectId, source: string): PlannedDelivery {
  return { source, schoolId: fx.school._id, kind: "broadcast", channel: "telegram", accountId, notice: { template: "broadcast", school: "Школа", text: `текст ${source}` } };
}

describe("with the notifier running", () => {
  beforeAll(() => h.start());
  afterAll(() => h.stopNotifier());

  test("a final grade reaches the guardian and the student's own account, once, worded and escaped", async () => {
    const parent = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria]);
    const own = await studentAccount(fx, ++tgId, fx.students.maria);
    const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "5" });
    const toParent = await h.fake.waitForMessage(parent.chatId, "Итоговая оценка", 15_000);
    await h.fake.waitForMessage(own.chatId, "Итоговая оценка", 15_000);
    expect(toParent.plain).toContain("Иванова Мария Сергеевна — Алгебра, 1 четверть: 5");
    expect(toParent.parse_mode).toBe("HTML");
    const records = await Delivery.find({ eventId }).lean();
    await h.waitForStatus({ eventId, "recipient.accountId": own._id }, "sent");
    expect(records.map((r) => r.kind)).toEqual(["final", "final"]);
    // Publishing the same event job again (a retried import) changes nothing.
    await h.queues.queue(QUEUES.events).add("final.published", { eventId, type: "final.published", schoolId: String(fx.school._id) }, { jobId: eventId });
    await sleep(1500);
    expect(h.fake.sent(parent.chatId).filter((m) => m.plain?.includes("Итоговая оценка"))).toHaveLength(1);
    const sent = await Delivery.findOne({ eventId, "recipient.accountId": parent._id }).lean();
    expect(sent).toMatchObject({ status: "sent", channel: "telegram", attempts: 1 });
    expect(sent!.sentAt!.getTime() - sent!.resultsAt!.getTime()).toBeLessThan(60_000);
    expect(h.logs.join("")).not.toContain("Иванова");
  });

  test("deferral and 'not attested' are explained", async () => {
    const parent = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.alex]);
    await publishFinal(h.queues, fx, fx.students.alex, { status: "deferred", deferredUntil: "2026-11-20", reason: "болезнь", subject: "rus" });
    const deferred = await h.fake.waitForMessage(parent.chatId, "отложена", 15_000);
    expect(deferred.plain).toContain("до 20 ноября");
    expect(deferred.plain).toContain("Причина: болезнь");
    await publishFinal(h.queues, fx, fx.students.alex, { status: "not_attested", subject: "lit" });
    const na = await h.fake.waitForMessage(parent.chatId, "не аттестован", 15_000);
    expect(na.plain).toContain("слишком мало оценок");
  });

  test("the same delivery planned twice is one record, one job and one message", async () => {
    const account = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
    const p = planned(account._id, "twice-1");
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [p, p], new Date());
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [p], new Date());
    await h.fake.waitForMessage(account.chatId, "текст twice-1", 10_000);
    await sleep(1500);
    expect(h.fake.sent(account.chatId).filter((m) => m.plain?.includes("twice-1"))).toHaveLength(1);
    expect(await Delivery.countDocuments({ idempotencyKey: { $regex: "^twice-1/" } })).toBe(1);
  });

  test("429: retry_after is obeyed for the whole bot, nothing is dropped", async () => {
    const a = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
    h.fake.failNext("sendMessage", { status: 429, retryAfter: 2 });
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [planned(a._id, "rl-1")], new Date());
    await h.fake.waitForMessage(a.chatId, "текст rl-1", 15_000);
    const calls = h.fake.calls.filter((c) => c.method === "sendMessage");
    const limited = calls.find((c) => c.status === 429)!;
    const after = calls.filter((c) => c.at > limited.at);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0].at - limited.at).toBeGreaterThanOrEqual(1950);
    await h.waitForStatus({ idempotencyKey: { $regex: "^rl-1/" } }, "sent");
    expect((await Delivery.findOne({ idempotencyKey: { $regex: "^rl-1/" } }).lean())!.attempts).toBe(2);
  });

  test("403: the account goes inactive, the message to that person's own e-mail; the record is not touched", async () => {
    // The record's school-paper address is the record person's, not this account's: it is not used for it.
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.maria._id], contacts: [{ kind: "email", value: "record@example.org", source: "school-paper" }] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.maria]);
    await Account.updateOne({ _id: account._id }, { $set: { contacts: [{ kind: "email", value: "olga@example.org", source: "guardian", verifiedAt: new Date() }] } });
    h.fake.blockChat(account.chatId);
    const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "4", subject: "geom" });
    await h.waitForStatus({ eventId, channel: "email", "recipient.accountId": account._id }, "sent");
    expect(await Delivery.findOne({ eventId, channel: "telegram", "recipient.accountId": account._id }).lean()).toMatchObject({ status: "fell_back" });
    expect(await Delivery.findOne({ eventId, channel: "email" }).lean()).toMatchObject({ idempotencyKey: `${eventId}/a${account._id}/email`, recipient: { guardianId: guardian._id } });
    expect(await Account.findById(account._id).lean()).toMatchObject({ active: false, blockedAt: expect.any(Date) });
    expect(await Guardian.findById(guardian._id).lean()).toMatchObject({ delivery: "electronic" });
    expect(h.mails.some((m) => m.to.includes("record@example.org"))).toBe(false);
    const mail = h.mails.find((m) => m.to.includes("olga@example.org"));
    expect(mail?.raw).toMatch(/Subject: =\?UTF-8\?/);
    expect(mail?.raw).toContain("school@example.org");
  });

  test("403 without an e-mail: the final goes on paper", async () => {
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.petya._id] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.petya]);
    h.fake.blockChat(account.chatId);
    const { eventId } = await publishFinal(h.queues, fx, fx.students.petya, { value: "3", subject: "hist" });
    await h.waitForStatus({ eventId, channel: "paper", "recipient.guardianId": guardian._id }, "pending_paper");
    expect(await Delivery.findOne({ eventId, "recipient.accountId": account._id }).lean()).toMatchObject({ status: "fell_back" });
    // The paper item keeps what it says, for the weekly printout.
    const paper = await Delivery.findOne({ eventId, channel: "paper", "recipient.guardianId": guardian._id }).lean();
    expect(paper?.notice).toMatchObject({ template: "final", value: "3" });
  });
});

describe("a worker killed mid-job", () => {
  const fastLocks = { lockDuration: 1000, stalledInterval: 500, concurrency: 1 };
  const engine = () => ({
    queue: h.queues.queue(QUEUES.deliveries),
    redis: h.queues.redis,
    prefix: h.queues.prefix,
    telegram: createTelegramChannel(h.fake.token, h.fake.apiRoot),
    email: null,
    i18n: createI18n("ru"),
    logger: pino({ level: "silent" }),
  });

  test("after sending: the job is taken over by another worker and skipped (one message)", async () => {
    const account = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
    const real = deliveryProcessor(engine());
    let dying!: () => void;
    const died = new Promise<void>((resolve) => (dying = resolve));
    // Worker A sends, writes "sent", then hangs as if killed before telling BullMQ.
    const a = h.queues.worker<DeliveryJobData>(QUEUES.deliveries, async (job, token) => {
      await real(job, token);
      dying();
      await new Promise(() => undefined);
    }, fastLocks);
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [planned(account._id, "kill-1")], new Date());
    await died;
    await a.close(true); // no lock renewal any more: BullMQ sees a stalled job
    const b = h.queues.worker<DeliveryJobData>(QUEUES.deliveries, real, fastLocks);
    const job = await h.queues.queue(QUEUES.deliveries).getJob(`kill-1/a${account._id}/telegram`);
    // BullMQ's stalled check runs once per stalledInterval across workers (the earlier notifier's was 30 s).
    for (let i = 0; i < 450 && !(await job!.isCompleted()); i++) await sleep(100);
    expect(await (await h.queues.queue(QUEUES.deliveries).getJob(job!.id!))!.returnvalue).toBe("skipped:sent");
    expect(h.fake.sent(account.chatId).filter((m) => m.plain?.includes("kill-1"))).toHaveLength(1);
    await b.close();
  }, 60_000);

  test("before sending: a claim left by a dead worker is taken over once its lease is over (one message)", async () => {
    const account = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
    const key = `kill-2/a${account._id}/telegram`;
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [planned(account._id, "kill-2")], new Date());
    // What a worker killed right after claiming leaves behind: "sending", claimed long ago.
    await Delivery.collection.updateOne({ idempotencyKey: key }, { $set: { status: "sending", attempts: 1, updatedAt: new Date(Date.now() - SENDING_LEASE_MS - 1000) } });
    const b = h.queues.worker<DeliveryJobData>(QUEUES.deliveries, deliveryProcessor(engine()), fastLocks);
    await h.waitForStatus({ idempotencyKey: key }, "sent");
    expect(h.fake.sent(account.chatId).filter((m) => m.plain?.includes("kill-2"))).toHaveLength(1);
    expect((await Delivery.findOne({ idempotencyKey: key }).lean())!.attempts).toBe(2);
    await b.close();
  });
});
