/**
 * The 24-hour watchdog: a final result whose delivery has not succeeded within the school's limit
 * goes on the paper path and the school's admins get the list in the bot, once.
 */
import { Delivery, DomainEvent, School, Account } from "../../src/db/models";
import { QUEUES } from "../../src/queue/names";
import { runWatchdog } from "../../src/services/notify/watchdog";
import { notifyFinal } from "../../src/services/notify/results";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";
import pino from "pino";

const h = useNotifyHarness();
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});

test("an overdue final is put on paper and listed to the admins, once", async () => {
  const parent = await guardianAccount(fx, 980_001, fx.guardians.parent, [fx.students.maria]);
  const admin = await Account.create({ telegramId: 980_002, chatId: 980_002, roles: [{ role: "admin", schoolId: fx.school._id }] });
  const env = {
    deliveries: h.queues.queue(QUEUES.deliveries), scheduled: h.queues.queue(QUEUES.scheduled), events: h.queues.queue(QUEUES.events),
    redis: h.queues.redis, prefix: h.queues.prefix, now: () => new Date(), logger: pino({ level: "silent" }),
  };
  // Obtained 21 hours ago; the worker was down, so the delivery is still queued.
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "4", subject: "geom", resultsAt: new Date(Date.now() - 21 * 3600_000) });
  await h.queues.queue(QUEUES.events).remove(eventId);
  await notifyFinal(env, (await DomainEvent.findOne({ eventId }))!);
  expect(await Delivery.findOne({ eventId, "recipient.accountId": parent._id }).lean()).toMatchObject({ status: "queued" });
  // A fresh final of the same child is not overdue.
  const fresh = await publishFinal(h.queues, fx, fx.students.maria, { value: "5", subject: "alg" });
  await h.queues.queue(QUEUES.events).remove(fresh.eventId);
  await notifyFinal(env, (await DomainEvent.findOne({ eventId: fresh.eventId }))!);

  const report = await runWatchdog(env, fx.school._id);
  expect(report).toMatchObject({ overdue: 1, alerted: 1 });
  expect(await Delivery.findOne({ eventId, "recipient.accountId": parent._id }).lean()).toMatchObject({ status: "fell_back", lastError: "watchdog: not delivered within 20 h" });
  expect(await Delivery.findOne({ eventId, channel: "paper", "recipient.guardianId": fx.guardians.parent._id }).lean()).toMatchObject({ status: "pending_paper", kind: "final" });
  expect(await Delivery.findOne({ eventId: fresh.eventId, "recipient.accountId": parent._id }).lean()).toMatchObject({ status: "queued" });
  expect((await runWatchdog(env, fx.school._id)).overdue).toBe(0); // nothing twice

  await h.start();
  const alert = await h.fake.waitForMessage(admin.chatId!, "не доставлены вовремя", 15_000);
  expect(alert.plain).toContain("Иванова Мария Сергеевна — Геометрия, 1 четверть");
  expect(alert.plain).toContain("бумажную распечатку");
  await h.fake.waitForMessage(parent.chatId, "Алгебра", 15_000); // the fresh one goes out as usual
  await new Promise((r) => setTimeout(r, 1200));
  expect(h.fake.sent(parent.chatId).filter((m) => m.plain?.includes("Геометрия"))).toHaveLength(0);
  await h.stopNotifier();
});
