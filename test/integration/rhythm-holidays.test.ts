/**
 * Holidays are quiet days (issue 15), with the injected clock against real Redis and the Mongo
 * stand-in: no forecast, no daily digest and no lesson alert for a class on holiday (its digest
 * waits for the first school day), and the first school day after holidays brings the day's
 * timetable in the morning — one message per person, ru and en, by their settings and quiet
 * hours, nothing twice; and the morning's job scheduler in the school's zone.
 */
import { randomUUID } from "node:crypto";
import { Account, Delivery, Holiday, Lesson, Period } from "../../src/db/models";
import { inZone } from "../../src/domain/time";
import { QUEUES, SCHEDULED_JOBS } from "../../src/queue/names";
import { registerSchedulers } from "../../src/queue/schedulers";
import { runSchoolMorning } from "../../src/queue/school-rhythm";
import { broadcastForecasts } from "../../src/services/notify/forecast-broadcast";
import { flushDigests, onGradeEvent } from "../../src/services/notify/grade-alerts";
import { onLessonEvent } from "../../src/services/notify/timetable";
import type { NotifyEnv } from "../../src/services/notify/env";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness, sleep } from "./notify-harness";

const h = useNotifyHarness();
let fx: SchoolFixture;
let tgId = 952_000;
/** 08:00 in Moscow of a day. */
const morning = (day: string, time = "08:00") => new Date(`${day}T${time}:00+03:00`);

/** A notifier whose clock stands at `at` (the previous one is stopped first: each engine has its own clock). */
async function envAt(at: Date): Promise<NotifyEnv> {
  await h.stopNotifier();
  return { ...(await h.start({ now: () => at })).env, now: () => at };
}

const lesson = (n: number, over: Record<string, unknown>) => ({
  schoolId: fx.school._id, externalId: `rh-${n}`, classId: fx.classIds.c7a, subjectId: fx.subjects.alg, teacherId: fx.teachers.sokolova,
  date: "2027-01-12", start: "08:30", end: "09:15", room: "214", ...over,
});

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  const schoolId = fx.school._id;
  await Period.create({ schoolId, externalId: "q3", name: "3 четверть", kind: "quarter", start: "2027-01-12", end: "2027-03-19" });
  await Holiday.create([
    { schoolId, externalId: "winter", name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
    // An extra week of one class only (as first graders have in February).
    { schoolId, externalId: "extra-3b", name: "Дополнительные каникулы", start: "2027-02-15", end: "2027-02-21", classIds: [fx.classIds.c3b] },
  ]);
  await Lesson.create([
    lesson(1, {}),
    lesson(2, { subjectId: fx.subjects.phys, start: "09:25", end: "10:10", status: "substituted", substituteTeacherId: fx.teachers.orlov }),
    lesson(3, { subjectId: fx.subjects.eng, groupId: fx.groups.eng1, start: "10:20", end: "11:05", room: "301" }),
    lesson(4, { subjectId: fx.subjects.eng, groupId: fx.groups.eng2, start: "10:20", end: "11:05", room: "302" }),
    lesson(5, { classId: fx.classIds.c3b, subjectId: fx.subjects.rus, start: "08:30", end: "09:10", room: "105", status: "cancelled" }),
    lesson(6, { classId: fx.classIds.c3b, subjectId: fx.subjects.rus, date: "2027-02-22", start: "08:30", end: "09:10", room: "105", status: "cancelled" }),
    lesson(7, { classId: fx.classIds.c3b, subjectId: fx.subjects.rus, date: "2027-02-22", start: "09:20", end: "10:00", room: "105" }),
  ]);
});

test("the morning's scheduler: every day at the school's morning time, in its zone", async () => {
  const queue = h.queues.queue(QUEUES.scheduled);
  await registerSchedulers(queue);
  const scheduler = (await queue.getJobScheduler(`rhythm-${fx.school._id}`))!;
  expect(scheduler).toMatchObject({ name: SCHEDULED_JOBS.rhythm, pattern: "0 8 * * *", tz: "Europe/Moscow" });
  expect(inZone(new Date(scheduler.next!), "Europe/Moscow").format("HH:mm")).toBe("08:00");
  for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.key);
});

test("the first school day after the winter holidays: the day's timetable, one message per person, nothing twice", async () => {
  const ru = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  const en = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya], { language: "en" });
  const off = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  await Account.updateOne({ _id: off._id }, { $set: { "notify.timetable": false } });
  const late = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  await Account.updateOne({ _id: late._id }, { $set: { "notify.quietHours": { start: "21:00", end: "09:30" } } });

  // The last day of the holidays and the second school day: nothing.
  for (const day of ["2027-01-11", "2027-01-13"]) expect((await runSchoolMorning(await envAt(morning(day)), fx.school._id)).afterHolidays.planned).toBe(0);

  const env = await envAt(morning("2027-01-12"));
  const result = (await runSchoolMorning(env, fx.school._id)).afterHolidays;
  expect(result).toMatchObject({ classes: 2, planned: 3 }); // ru, en, the late riser; not the one who switched it off

  const text = (await h.fake.waitForMessage(ru.chatId, "Каникулы позади", 10_000)).plain!;
  expect(text).toContain("Расписание на 12 января, вт");
  expect(text).toContain("Иванова Мария Сергеевна, 7А (после: Зимние каникулы)\n3 урока:\n• 08:30–09:15 Алгебра, каб. 214\n• 09:25–10:10 Физика, каб. 214 — замена: ведёт Орлов");
  expect(text).toContain("• 10:20–11:05 Английский язык, каб. 301");
  expect(text).not.toContain("каб. 302"); // the other English group
  expect(text).toContain("Иванов Александр Сергеевич, 3Б (после: Зимние каникулы)\n0 уроков:\n• 08:30–09:10 Русский язык, каб. 105 — отменён");

  const english = (await h.fake.waitForMessage(en.chatId, "back to school", 10_000)).plain!;
  expect(english).toContain("Смирнов Пётр Андреевич, 7А (after: Зимние каникулы)\n3 lessons:");
  expect(english).toContain("10:20–11:05 Английский язык, room 302");

  // Quiet hours of the person: the message waits for 09:30.
  await h.waitForStatus({ "recipient.accountId": late._id, kind: "timetable" }, "queued");
  const waiting = await Delivery.findOne({ "recipient.accountId": late._id, kind: "timetable" }).lean();
  expect(inZone(waiting!.notBefore!, "Europe/Moscow").format("YYYY-MM-DD HH:mm")).toBe("2027-01-12 09:30");

  // A retried or second run of the morning plans the same keys.
  expect((await runSchoolMorning(env, fx.school._id)).afterHolidays.created).toBe(0);
  await sleep(500);
  expect(h.fake.sent(ru.chatId)).toHaveLength(1);
  expect(h.fake.sent(off.chatId)).toHaveLength(0);
  expect(h.fake.sent(late.chatId)).toHaveLength(0);
  await h.stopNotifier();
});

test("a holiday of one class: no forecast, digest or lesson alert for it; its first school day brings the timetable", async () => {
  const digest = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  await Account.updateOne({ _id: digest._id }, { $set: { "notify.grades": "digest" } });
  const monday = morning("2027-02-15", "17:00"); // the weekly forecast day, 3Б on holiday
  let env = await envAt(monday);

  await broadcastForecasts(env, fx.school._id);
  const forecasts = await Delivery.find({ kind: "forecast", "recipient.accountId": digest._id }).lean();
  expect(forecasts.map((d) => String(d.recipient!.studentId))).toEqual([String(fx.students.maria._id)]);

  // A grade of each child goes to the daily digest; on the holiday only Maria's is sent, Alex's waits.
  for (const student of [fx.students.maria, fx.students.alex]) {
    await onGradeEvent(env, { eventId: randomUUID(), type: "grade.created", schoolId: fx.school._id, entity: { kind: "grade", id: String(student._id) }, payload: { after: { subjectId: "s-rus", date: "2027-02-12", value: "5" } }, studentIds: [student._id], classIds: [] } as never);
  }
  await flushDigests(env, String(fx.school._id));
  await h.fake.waitForMessage(digest.chatId, "Иванова Мария", 10_000);
  await sleep(300);
  expect(h.fake.sent(digest.chatId).filter((m) => m.plain?.includes("Иванов Александр"))).toHaveLength(0);

  // A cancellation of 3Б's first day back, announced during its holiday: no alert; 7А's would go.
  const alert = (id: unknown) => onLessonEvent(env, { eventId: randomUUID(), type: "lesson.cancelled", schoolId: fx.school._id, entity: { kind: "lesson", id: String(id) } } as never);
  const cancelled = await Lesson.findOne({ externalId: "rh-6" }).lean();
  expect(await alert(cancelled!._id)).toBe(0);
  const seventh = await Lesson.create(lesson(8, { date: "2027-02-16", status: "cancelled" }));
  expect(await alert(seventh._id)).toBeGreaterThan(0);
  await h.stopNotifier();

  // Monday after: the timetable for Alex only, and his digest goes with that evening's.
  env = await envAt(morning("2027-02-22"));
  const back = (await runSchoolMorning(env, fx.school._id)).afterHolidays;
  expect(back.classes).toBe(1);
  const text = (await h.fake.waitForMessage(digest.chatId, "Каникулы позади", 10_000)).plain!;
  expect(text).toContain("Иванов Александр Сергеевич, 3Б (после: Дополнительные каникулы)\n1 урок:");
  expect(text).not.toContain("Мария");
  await h.stopNotifier();
  env = await envAt(morning("2027-02-22", "18:00"));
  await flushDigests(env, String(fx.school._id));
  await h.fake.waitForMessage(digest.chatId, "Итоги дня: Иванов Александр", 10_000);
  await h.stopNotifier();
});
