/**
 * What the worker sends, besides finals: the consent gate (a withdrawal stops queued messages), quiet
 * hours across midnight, grouped grade alerts and the daily digest, timetable and tests alerts, and
 * the forecast broadcast with its opt-out.
 */
import { Types } from "mongoose";
import { Account, Assessment, ConsentRecord, Delivery, Grade, Guardian, Homework, Lesson, School } from "../../src/db/models";
import { QUEUES, SCHEDULED_JOBS } from "../../src/queue/names";
import { enqueueDeliveries } from "../../src/services/notify/deliveries";
import type { Notifier } from "../../src/queue/notifier";
import { flushDigests } from "../../src/services/notify/grade-alerts";
import { broadcastForecasts } from "../../src/services/notify/forecast-broadcast";
import { quietUntil } from "../../src/services/notify/quiet-hours";
import { withdrawConsent } from "../../src/services/privacy";
import { holdGlobal } from "../../src/queue/rate-limits";
import { schoolDay, addDays } from "../../src/domain/time";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness, sleep } from "./notify-harness";
import { publishEvent, publishFinal, termPeriod } from "./notify-events";

const h = useNotifyHarness();
let fx: SchoolFixture;
let tgId = 920_000;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});

describe("quiet hours", () => {
  const zone = "Europe/Moscow";
  test.each([
    ["2030-01-15T18:30:00Z", "2030-01-16T05:00:00.000Z"], // 21:30 MSK -> 08:00 next morning
    ["2030-01-15T20:59:00Z", "2030-01-16T05:00:00.000Z"], // 23:59
    ["2030-01-15T21:00:00Z", "2030-01-16T05:00:00.000Z"], // 00:00, after midnight
    ["2030-01-16T04:59:00Z", "2030-01-16T05:00:00.000Z"], // 07:59
    ["2030-01-16T05:00:00Z", null], // 08:00 sharp: awake
    ["2030-01-15T17:59:00Z", null], // 20:59
  ])("at %s the message waits until %s", (at, until) => {
    expect(quietUntil(new Date(at), { start: "21:00", end: "08:00" }, zone)?.toISOString() ?? null).toBe(until);
  });

  test("a window within one day, and an empty one", () => {
    expect(quietUntil(new Date("2030-01-15T11:00:00Z"), { start: "13:00", end: "15:00" }, zone)?.toISOString()).toBe("2030-01-15T12:00:00.000Z");
    expect(quietUntil(new Date("2030-01-15T11:00:00Z"), { start: "00:00", end: "00:00" }, zone)).toBeNull();
  });

  test("a final published at 23:30 is delayed to 08:00 on the school's clock, not sent", async () => {
    const school = await createSchoolFixture({ data: "none" });
    const account = await guardianAccount(school, ++tgId, school.guardians.parent, [school.students.maria]);
    await h.start({ now: () => new Date("2030-01-15T20:30:00Z") });
    const { eventId } = await publishFinal(h.queues, school, school.students.maria);
    let record = null;
    for (let i = 0; i < 100 && !record?.notBefore; i++, await sleep(100)) record = await Delivery.findOne({ eventId, "recipient.accountId": account._id }).lean();
    expect(record!.notBefore!.toISOString()).toBe("2030-01-16T05:00:00.000Z");
    const job = await h.queues.queue(QUEUES.deliveries).getJob(record!.idempotencyKey);
    expect(await job!.getState()).toBe("delayed");
    expect(h.fake.sent(account.chatId)).toHaveLength(0);
    await job!.remove();
    await h.stopNotifier();
  });
});

describe("consent gate", () => {
  test("a withdrawal cancels queued messages; a withdrawal recorded without cancelling is caught at send time", async () => {
    const first = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria]);
    const second = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
    const deliveries = h.queues.queue(QUEUES.deliveries);
    const plan = (accountId: Types.ObjectId, guardianId: Types.ObjectId, studentId: Types.ObjectId) => ({
      source: `consent-${accountId}`, schoolId: fx.school._id, kind: "forecast" as const, channel: "telegram" as const, accountId, guardianId, studentId,
      notice: { template: "broadcast" as const, school: "Школа", text: "секрет" },
    });
    await enqueueDeliveries(deliveries, [plan(first._id, fx.guardians.parent._id, fx.students.maria._id), plan(second._id, fx.guardians.otherParent._id, fx.students.petya._id)], new Date());
    // The worker is not running: the jobs wait. Guardian 1 withdraws through /privacy; guardian 2's withdrawal is only a record.
    const withdrawal = await withdrawConsent({ accountId: first._id, schoolId: fx.school._id, now: new Date() });
    expect(withdrawal.cancelledDeliveries).toBe(1);
    await ConsentRecord.create({ accountId: second._id, schoolId: fx.school._id, decision: "withdrawn", form: "telegram", textVersion: "x", textHash: "0".repeat(64) });
    await h.start();
    await h.waitForStatus({ idempotencyKey: `consent-${second._id}/a${second._id}/telegram` }, "cancelled");
    await h.waitForStatus({ idempotencyKey: `consent-${first._id}/a${first._id}/telegram` }, "cancelled");
    await sleep(500);
    expect(h.fake.sent(first.chatId)).toHaveLength(0);
    expect(h.fake.sent(second.chatId)).toHaveLength(0);
    await h.stopNotifier();
  });

  test("a withdrawal while a message waits for its send slot (a 429 hold) still stops it", async () => {
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.maria._id] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.maria]);
    await h.start();
    // Telegram told the bot to wait: the job claims its record, then waits for the slot.
    await holdGlobal(h.queues.redis, h.queues.prefix, 2500);
    const key = `hold-${account._id}/a${account._id}/telegram`;
    await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [{
      source: `hold-${account._id}`, schoolId: fx.school._id, kind: "broadcast", channel: "telegram", accountId: account._id,
      guardianId: guardian._id, studentId: fx.students.maria._id, notice: { template: "broadcast", school: "Школа", text: "секрет" },
    }], new Date());
    await h.waitForStatus({ idempotencyKey: key }, "sending");
    await withdrawConsent({ accountId: account._id, schoolId: fx.school._id, now: new Date() });
    await h.waitForStatus({ idempotencyKey: key }, "cancelled");
    expect(h.fake.sent(account.chatId)).toHaveLength(0);
    await h.stopNotifier();
  });

  test("a guardian who declined gets finals on paper only", async () => {
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.maria._id] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.maria], { consent: "declined" });
    await h.start();
    const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { subject: "inf" });
    await h.waitForStatus({ eventId, "recipient.guardianId": guardian._id, channel: "paper" }, "pending_paper");
    expect(await Delivery.countDocuments({ eventId, "recipient.accountId": account._id })).toBe(0);
    await h.stopNotifier();
  });
});

describe("grade alerts", () => {
  let accountId: Types.ObjectId;
  let chatId: number;
  let notifier: Notifier;
  const grade = (value: string, subjectId: string, date: string, before?: string) => ({
    before: before ? { studentId: "st-maria", subjectId, date, value: before } : null,
    after: { studentId: "st-maria", subjectId, date, value, weight: 1, workType: "ответ на уроке" },
  });

  beforeAll(async () => {
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.maria._id] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.maria]);
    [accountId, chatId] = [account._id, account.chatId];
    notifier = await h.start();
  });
  afterAll(() => h.stopNotifier());

  test("instant: grades of one child arriving together make one message", async () => {
    const id = () => new Types.ObjectId();
    const s = { studentIds: [fx.students.maria._id] };
    await publishEvent(h.queues, fx.school._id, "grade.created", { resource: "grades", id: id() }, { ...s, payload: grade("5", "s-alg", "2026-12-01") });
    await publishEvent(h.queues, fx.school._id, "grade.changed", { resource: "grades", id: id() }, { ...s, payload: grade("4", "s-rus", "2026-12-02", "3") });
    const scheduled = h.queues.queue(QUEUES.scheduled);
    let batch: Awaited<ReturnType<typeof scheduled.getJobs>> = [];
    for (let i = 0; i < 100 && batch.length === 0; i++, await sleep(100)) batch = (await scheduled.getJobs(["delayed"])).filter((j) => j.name === SCHEDULED_JOBS.gradeBatch && (j.data as { person?: string }).person === `a${accountId}`);
    // Batches are the person's (their account's), not the guardian record's.
    for (let i = 0; i < 50 && (await h.queues.redis.llen(`${h.redisPrefix}:notify:grades:a${accountId}:${fx.students.maria._id}`)) < 2; i++) await sleep(100);
    expect(batch).toHaveLength(1); // both alerts joined the same window's job
    await batch[0].promote(); // instead of waiting for the end of the 2-minute window
    const message = await h.fake.waitForMessage(chatId, "Оценки", 10_000);
    expect(message.plain).toContain("Алгебра: 5");
    expect(message.plain).toContain("Русский язык: 3 → 4");
    await sleep(500);
    expect(h.fake.sent(chatId)).toHaveLength(1);
  });

  test("digest: grades and homework wait for the daily digest, one message per child", async () => {
    await Account.updateOne({ _id: accountId }, { $set: { "notify.grades": "digest", "notify.homeworkDigest": true } });
    const s = { studentIds: [fx.students.maria._id] };
    await publishEvent(h.queues, fx.school._id, "grade.created", { resource: "grades", id: new Types.ObjectId() }, { ...s, payload: grade("2", "s-geom", "2026-12-03") });
    const hw = await Homework.create({ schoolId: fx.school._id, externalId: "hw-digest", classId: fx.classIds.c7a, subjectId: fx.subjects.hist, assignedOn: "2026-12-03", dueOn: "2026-12-07", text: "§ 12" });
    await publishEvent(h.queues, fx.school._id, "homework.created", { resource: "homework", id: hw._id }, { classIds: [fx.classIds.c7a] });
    const key = `${h.redisPrefix}:notify:digest:${fx.school._id}:a${accountId}:${fx.students.maria._id}`;
    for (let i = 0; i < 100 && (await h.queues.redis.llen(key)) < 2; i++) await sleep(100);
    h.fake.clear();
    const env = notifier.env;
    expect(await flushDigests(env, String(fx.school._id))).toBe(1);
    const message = await h.fake.waitForMessage(chatId, "Итоги дня", 10_000);
    expect(message.plain).toContain("Геометрия: 2");
    expect(message.plain).toContain("История — к 7 декабря");
    expect(await flushDigests(env, String(fx.school._id))).toBe(0); // nothing left
  });
});

describe("timetable and tests", () => {
  test("a cancellation today is told, one a week ahead is not; a test within 7 days is told", async () => {
    const guardian = await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.petya._id] });
    const account = await guardianAccount(fx, ++tgId, guardian, [fx.students.petya]);
    await h.start();
    const today = schoolDay(new Date(), "Europe/Moscow");
    const lesson = (date: string) => Lesson.create({ schoolId: fx.school._id, externalId: `l-${date}-${Math.random()}`, classId: fx.classIds.c7a, subjectId: fx.subjects.geom, teacherId: fx.teachers.kuznetsov, date, start: "09:00", end: "09:45", status: "cancelled" });
    const far = await lesson(addDays(today, 8));
    await publishEvent(h.queues, fx.school._id, "lesson.cancelled", { resource: "lessons", id: far._id }, { classIds: [fx.classIds.c7a] });
    const near = await lesson(today);
    await publishEvent(h.queues, fx.school._id, "lesson.cancelled", { resource: "lessons", id: near._id }, { classIds: [fx.classIds.c7a] });
    const message = await h.fake.waitForMessage(account.chatId, "Урок отменён", 10_000);
    expect(message.plain).toContain("Геометрия");
    expect(message.plain).toContain("Смирнов Пётр Андреевич");
    const test_ = await Assessment.create({ schoolId: fx.school._id, externalId: "as-1", classId: fx.classIds.c7a, subjectId: fx.subjects.alg, date: addDays(today, 3), kind: "control" });
    await publishEvent(h.queues, fx.school._id, "assessment.scheduled", { resource: "assessments", id: test_._id }, { classIds: [fx.classIds.c7a] });
    expect((await h.fake.waitForMessage(account.chatId, "контрольная работа", 10_000)).plain).toContain("Алгебра");
    await sleep(800);
    expect(h.fake.sent(account.chatId)).toHaveLength(2);
    await h.stopNotifier();
  });
});

describe("forecast broadcast", () => {
  test("one message per person per child, at-risk subjects first; a person who opted out gets none", async () => {
    const school = await createSchoolFixture();
    const parent = await guardianAccount(school, ++tgId, school.guardians.parent, [school.students.maria, school.students.alex]);
    const other = await guardianAccount(school, ++tgId, school.guardians.otherParent, [school.students.petya]);
    await Account.updateOne({ _id: other._id }, { $set: { "notify.forecast": false } });
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
    // Physics at risk for Maria: heavy 2s pull the term's average below 2.5.
    const failing = ["2026-10-19", "2026-10-20", "2026-10-21"].map((date, i) => ({ schoolId: school.school._id, externalId: `risk-${i}`, studentId: school.students.maria._id, subjectId: school.subjects.phys, date, value: "2", weight: 10, workType: "контрольная работа" }));
    await Grade.insertMany(failing);
    const env = { ...(await h.start()).env, now: () => new Date("2026-12-03T09:00:00Z") };
    const period = await termPeriod(school);
    const counts = await broadcastForecasts(env, school.school._id, { period: { _id: period, name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-24" } });
    expect(counts.jobs).toBe(2);
    await h.fake.waitForMessage(parent.chatId, "Мария", 10_000);
    await h.fake.waitForMessage(parent.chatId, "Александр", 10_000);
    const text = h.fake.sent(parent.chatId).find((m) => m.plain?.includes("Мария"))!.plain!;
    expect(text).toContain("Прогноз итоговых оценок");
    expect(text).toContain("/settings");
    // The subject at risk comes first, under its own heading, before the others.
    const [risky, fine] = text.split("Остальные предметы:");
    expect(risky).toContain("Требуют внимания:");
    expect(risky).toContain(`${school.subjectNames.phys}: `);
    expect(risky.indexOf("Требуют внимания:")).toBeLessThan(risky.indexOf(school.subjectNames.phys));
    expect(fine).not.toContain(school.subjectNames.phys);
    expect(fine).toContain(school.subjectNames.alg);
    expect(h.fake.sent(other.chatId)).toHaveLength(0);
    // A second run the same day plans the same deliveries: nothing new.
    expect((await broadcastForecasts(env, school.school._id, { period: { _id: period, name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-24" } })).created).toBe(0);
    await h.stopNotifier();
  }, 60_000);
});
