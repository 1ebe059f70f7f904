/**
 * The weekly printout job on real BullMQ (Redis) and the fake Telegram Bot API: one scheduler per
 * school in its own time zone, the week a run covers in that zone, the PDF and the checklist sent to
 * the homeroom teacher (or the admins), and a retried run that sends nothing twice.
 */
import pino from "pino";
import { Api } from "grammy";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { FakeTelegram } from "../support/fake-telegram";
import { Delivery, Guardian, Printout, School } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { PRINTOUT_JOB, printoutSchedulerId, processPrintoutJob, registerPrintoutSchedulers } from "../../src/queue/printouts";
import { inZone } from "../../src/domain/time";
import { FRIDAY_NOON, loadFixtureSchool, staffAccount, type FixtureSchool } from "./printouts-fixture";

useTestDb();
const redis = useTestRedis();
const i18n = createI18n("ru");
const logger = pino({ level: "silent" });

let queues: QueueFactory;
let fake: FakeTelegram;
let api: Api;
beforeAll(async () => {
  queues = createQueueFactory(redis.url, redis.prefix);
  fake = await FakeTelegram.start({ enforceLimits: false });
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
});
afterAll(async () => {
  await queues.close();
  await fake.stop();
});

const job = (fixture: FixtureSchool, at: Date) => ({ data: { schoolId: fixture.schoolId.toHexString() }, opts: { prevMillis: at.getTime() }, timestamp: at.getTime() - 7 * 86400_000 });
const run = (fixture: FixtureSchool, at: Date) => processPrintoutJob(job(fixture, at), { api, i18n, logger, now: () => at });

describe("job schedulers", () => {
  test("one per school, Friday 12:00 on the school's own clock: 09:00 UTC in Moscow, 02:00 UTC in Vladivostok", async () => {
    const moscow = await School.create({ name: "Москва", timezone: "Europe/Moscow" });
    const vladivostok = await School.create({ name: "Владивосток", timezone: "Asia/Vladivostok" });
    await registerPrintoutSchedulers(queues.queue(QUEUES.scheduled), [moscow, vladivostok]);
    const queue = queues.queue(QUEUES.scheduled);
    for (const [school, utcHour] of [[moscow, 9], [vladivostok, 2]] as const) {
      const scheduler = (await queue.getJobScheduler(printoutSchedulerId(school._id.toHexString())))!;
      expect(scheduler).toMatchObject({ name: PRINTOUT_JOB, pattern: "0 12 * * 5", tz: school.timezone, template: { data: { schoolId: school._id.toHexString() } } });
      const next = new Date(scheduler.next!);
      expect(inZone(next, school.timezone).format("dddd HH:mm")).toBe("Friday 12:00");
      expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([5, utcHour, 0]);
      expect(next.getTime()).toBeGreaterThan(Date.now());
    }

    // Registering again changes nothing; a new time in the settings moves the scheduler.
    await registerPrintoutSchedulers(queues.queue(QUEUES.scheduled), [moscow, vladivostok]);
    expect(await queue.getJobSchedulersCount()).toBe(4); // the weekly printout and the daily results slip of each school
    moscow.settings.printoutSchedule = { weekday: 4, time: "15:30" };
    await registerPrintoutSchedulers(queues.queue(QUEUES.scheduled), [moscow]);
    const moved = (await queue.getJobScheduler(printoutSchedulerId(moscow._id.toHexString())))!;
    expect(moved.pattern).toBe("30 15 * * 4");
    expect(inZone(new Date(moved.next!), "Europe/Moscow").format("dddd HH:mm")).toBe("Thursday 15:30");
    expect(await queue.getJobSchedulersCount()).toBe(4); // the weekly printout and the daily results slip of each school
  });
});

describe("the weekly job", () => {
  test("Friday 12:00 Moscow (09:00 UTC): the week of 14–18 September to the homeroom teacher, with the checklist; a retry sends nothing twice", async () => {
    const fixture = await loadFixtureSchool();
    await Guardian.updateOne({ _id: await fixture.id("guardian", "g1") }, { $set: { delivery: "paper", deliveryReason: "declined" } });
    const teacher = await staffAccount(fixture, "teacher", "t1");
    const admin = await staffAccount(fixture, "admin");

    const result = await run(fixture, FRIDAY_NOON);
    // 7Б (homeroom in the bot) and 7А (Зайцева on paper through the journal; its homeroom teacher is not in the bot).
    expect(result).toEqual({ classes: 2, slips: 2, sent: 2, failed: 0 });
    const printout7b = (await Printout.findOne({ schoolId: fixture.schoolId, classId: await fixture.id("class", "7b") }).lean())!;
    expect(printout7b.weekStart).toBe("2026-09-14");

    const [document, checklist] = fake.sent(teacher.chatId);
    expect(document.method).toBe("sendDocument");
    expect(document.document!.filename).toBe("Выписки 7Б 2026-09-14.pdf");
    expect(document.document!.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(checklist.plain).toContain("Выписки для родителей — 7Б");
    expect(checklist.plain).toContain("Неделя: 14–18 сентября 2026");
    expect(checklist.plain).toContain("1 выписка, выдано: 0");
    expect((checklist.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard).toEqual([
      [{ text: "⬜ Петров А. С. — Петрова Е. В.", callback_data: `ph:${printout7b._id.toHexString()}.0` }],
    ]);
    // 7А went to the admin, who is told why.
    const adminMessages = fake.sent(admin.chatId);
    expect(adminMessages.map((m) => m.method)).toEqual(["sendDocument", "sendMessage"]);
    expect(adminMessages[1].plain).toContain("У класса нет классного руководителя в боте");
    expect(await Delivery.countDocuments({ schoolId: fixture.schoolId, kind: "printout", channel: "telegram", status: "sent" })).toBe(2);

    const before = fake.sent().length;
    expect(await run(fixture, FRIDAY_NOON)).toEqual({ classes: 2, slips: 2, sent: 0, failed: 0 });
    expect(fake.sent().length).toBe(before);
  });

  test("the week is the school's: Wednesday 08:00 in Vladivostok is still Tuesday in UTC", async () => {
    const fixture = await loadFixtureSchool({ timezone: "Asia/Vladivostok" });
    await Guardian.updateOne({ _id: await fixture.id("guardian", "g1") }, { $set: { delivery: "paper", deliveryReason: "chosen" } });
    await staffAccount(fixture, "teacher", "t1");
    const wednesdayMorning = new Date("2026-09-22T22:00:00Z"); // Wed 23 Sep 08:00 +10
    await run(fixture, wednesdayMorning);
    const classId = await fixture.id("class", "7b");
    expect((await Printout.findOne({ schoolId: fixture.schoolId, classId }).lean())!.weekStart).toBe("2026-09-21");

    const friday = new Date("2026-09-18T02:00:00Z"); // Fri 18 Sep 12:00 +10
    await run(fixture, friday);
    expect((await Printout.find({ schoolId: fixture.schoolId, classId }).sort({ weekStart: 1 }).lean()).map((p) => p.weekStart)).toEqual(["2026-09-14", "2026-09-21"]);
  });

  test("a teacher who blocked the bot does not stop the others", async () => {
    const fixture = await loadFixtureSchool();
    await Guardian.updateOne({ _id: await fixture.id("guardian", "g1") }, { $set: { delivery: "paper", deliveryReason: "chosen" } });
    const blocked = await staffAccount(fixture, "teacher", "t1");
    const second = await staffAccount(fixture, "teacher", "t1"); // the same teacher on a second phone
    fake.blockChat(blocked.chatId);
    const result = await run(fixture, FRIDAY_NOON);
    expect(result.failed).toBe(1);
    expect(fake.sent(second.chatId).map((m) => m.method)).toEqual(["sendDocument", "sendMessage"]);
    expect((await Delivery.findOne({ idempotencyKey: new RegExp(blocked._id.toHexString()) }).lean())!.status).toBe("failed");
  });
});
