/**
 * An SMS receipt is never lost (docs/notifications.md, "SMS"): a receipt that comes before the
 * delivery record knows its message id — here it overtakes its own submit_sm_resp, so the order is
 * certain without waiting — is held in Redis and applied when the id is written, by whichever
 * worker writes it, also after the worker that got the receipt is gone; the watchdog's sweep applies
 * what a dead writer left, counts receipts that never found their message, and passes an SMS that
 * got no receipt in time to the next channel.
 */
import pino from "pino";
import { Delivery, School } from "../../src/db/models";
import { createSmsChannel } from "../../src/channels/sms";
import { RECEIPT_HOLD_MS, redisSmsProgress } from "../../src/channels/sms-progress";
import { QUEUES } from "../../src/queue/names";
import { SMS_RECEIPT_WAIT_MS, sweepSmsReceipts } from "../../src/services/notify/sms-receipt-sweep";
import { applySmsReceipt } from "../../src/services/notify/sms-receipts";
import type { NotifyEnv } from "../../src/services/notify/env";
import { publishFinal } from "./notify-events";
import { useSmsDelivery, waitUntil } from "./sms-fixture";

const t = useSmsDelivery();
const { h, smsParent, smsOf, received } = t;
const logger = pino({ level: "silent" });
const early = () => h.queues.redis.keys(`${h.queues.prefix}:sms-early*`);
const env = (): NotifyEnv => ({
  deliveries: h.queues.queue(QUEUES.deliveries), bulk: h.queues.queue(QUEUES.bulk), scheduled: h.queues.queue(QUEUES.scheduled), events: h.queues.queue(QUEUES.events),
  redis: h.queues.redis, prefix: h.queues.prefix, now: () => new Date(), logger,
});

/** One SMS part per message for the test's school (a text is cut to fit), restored afterwards. */
async function onePart<T>(run: () => Promise<T>): Promise<T> {
  await School.updateOne({ _id: t.fx.school._id }, { $set: { "settings.sms.maxParts": 1 } });
  try {
    return await run();
  } finally {
    await School.updateOne({ _id: t.fx.school._id }, { $unset: { "settings.sms.maxParts": 1 } });
  }
}

test("a single-part SMS whose DELIVRD receipt comes before its id is recorded ends delivered", async () => {
  await onePart(async () => {
    const p = await smsParent("Белова", "+79161235001", ["sms", "paper"]);
    const before = t.smsc.submits.length;
    t.smsc.receiptFirst("DELIVRD");
    const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "5", subject: "alg" });
    await h.waitForStatus({ eventId, channel: "sms" }, "delivered");
    const { parts } = received("79161235001", before);
    expect(parts).toHaveLength(1);
    expect(await smsOf(eventId)).toMatchObject({ sms: { ids: [parts[0].messageId], parts: 1, delivered: [parts[0].messageId], stat: "DELIVRD" } });
    expect(await early()).toEqual([]);
  });
});

test("a two-part SMS whose receipts both overtake their submit answers ends delivered", async () => {
  const p = await smsParent("Зайцева", "+79161235002", ["sms", "paper"]);
  const before = t.smsc.submits.length;
  t.smsc.receiptFirst("DELIVRD");
  t.smsc.receiptFirst("DELIVRD");
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "4", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "sms" }, "delivered");
  expect((await smsOf(eventId))!.sms!.delivered).toEqual(received("79161235002", before).parts.map((s) => s.messageId));
  expect(await early()).toEqual([]);
});

test("an UNDELIV receipt that comes before the id is recorded falls back to the family's paper", async () => {
  await onePart(async () => {
    const p = await smsParent("Комарова", "+79161235003", ["sms", "paper"]);
    t.smsc.receiptFirst("UNDELIV");
    const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "2", subject: "phys" });
    await h.waitForStatus({ eventId, channel: "paper" }, "pending_paper");
    expect(await smsOf(eventId)).toMatchObject({ status: "fell_back", lastError: "sms receipt: UNDELIV", sms: { stat: "UNDELIV" } });
    expect(await Delivery.countDocuments({ eventId, channel: "paper" })).toBe(1);
    expect(await early()).toEqual([]);
  });
});

test("the worker that got the receipt goes away before the id is written: the worker that writes it applies the held receipt", async () => {
  // A second worker's SMSC session (its receipts go through the same handler as the notifier's), bound by one message.
  const other = createSmsChannel({ url: t.smsc.url, source: "School42", logger, progress: redisSmsProgress(h.queues.redis, h.queues.prefix), timeoutMs: 3000 });
  other.onReceipt(async (r) => (await applySmsReceipt({ queue: h.queues.queue(QUEUES.deliveries), logger, now: () => new Date() }, r)) !== "unknown");
  expect(await other.send({ to: "+79161235999", text: "связь" })).toMatchObject({ ok: true });
  await onePart(async () => {
    const p = await smsParent("Гусева", "+79161235004", ["sms", "paper"]);
    let heldMeanwhile: string[] = [];
    // The receipt reaches the other worker, which holds it and stops; only then does the sender hear its id.
    t.smsc.receiptFirst("DELIVRD", {
      other: true,
      then: async () => {
        heldMeanwhile = await early();
        await other.close();
      },
    });
    const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "5", subject: "geom" });
    await h.waitForStatus({ eventId, channel: "sms" }, "delivered");
    const id = (await smsOf(eventId))!.sms!.ids![0];
    expect(heldMeanwhile.sort()).toEqual([`${h.queues.prefix}:sms-early`, `${h.queues.prefix}:sms-early:${id}`]);
    expect(await early()).toEqual([]);
  });
});

test("the sweep applies a receipt whose writer died after the write, counts one that never found its message, and passes a silent SMS on", async () => {
  const store = redisSmsProgress(h.queues.redis, h.queues.prefix);
  await onePart(async () => {
    const p = await smsParent("Соловьёва", "+79161235005", ["sms", "paper"]);
    const q = await smsParent("Воробьёва", "+79161235006", ["sms", "paper"]);
    const a = await publishFinal(h.queues, t.fx, p.student, { value: "3", subject: "alg" });
    const b = await publishFinal(h.queues, t.fx, q.student, { value: "4", subject: "alg" });
    await h.waitForStatus({ eventId: a.eventId, channel: "sms" }, "sent");
    await h.waitForStatus({ eventId: b.eventId, channel: "sms" }, "sent");
    // A: its receipt held while the record had no id, and the writer gone before taking it.
    const idA = (await smsOf(a.eventId))!.sms!.ids![0];
    await store.hold({ messageId: idA, state: "delivered", stat: "DELIVRD" });
    // A receipt of a message nobody recorded, older than the limit; and a fresh one still waiting.
    await store.hold({ messageId: "lost-1", state: "failed", stat: "UNDELIV", heldAt: Date.now() - RECEIPT_HOLD_MS - 60_000 });
    await store.hold({ messageId: "waiting-1", state: "delivered", stat: "DELIVRD" });
    // B: sent longer ago than the wait for a receipt, and none came.
    await Delivery.updateOne({ eventId: b.eventId, channel: "sms" }, { $set: { sentAt: new Date(Date.now() - SMS_RECEIPT_WAIT_MS - 60_000) } });

    const report = await sweepSmsReceipts(env(), store);
    expect(report).toEqual({ applied: 1, waiting: 1, lost: { UNDELIV: 1 }, silent: 1 });
    expect((await smsOf(a.eventId))!.status).toBe("delivered");
    await waitUntil(async () => (await Delivery.countDocuments({ eventId: b.eventId, channel: "paper", status: "pending_paper" })) === 1);
    expect(await smsOf(b.eventId)).toMatchObject({ status: "fell_back", lastError: `sms receipt: none within ${SMS_RECEIPT_WAIT_MS / 3600_000} h` });
    expect((await store.held()).map((x) => x.messageId)).toEqual(["waiting-1"]);
    // A second sweep changes nothing more.
    expect(await sweepSmsReceipts(env(), store)).toEqual({ applied: 0, waiting: 1, lost: {}, silent: 0 });
    await store.take(["waiting-1"]);
  });
});
