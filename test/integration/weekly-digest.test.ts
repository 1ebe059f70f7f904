/**
 * The weekly digest (issue 15) with the injected clock: Sunday 18:00 on the school's clock, one
 * message per person for all their children (ru and en), one e-mail for an e-mail guardian, nothing
 * for a person who switched it off or a child with nothing to say, nothing twice, nothing during the
 * holidays; and its job scheduler in the school's zone.
 */
import { Account, Assessment, ConsentRecord, Delivery, Grade, Guardian, Holiday, Homework, Period, Recommendation, School } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { inZone } from "../../src/domain/time";
import { QUEUES, SCHEDULED_JOBS } from "../../src/queue/names";
import { registerSchedulers } from "../../src/queue/schedulers";
import { sendWeeklyDigests } from "../../src/services/notify/weekly-digest";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness, sleep } from "./notify-harness";

const h = useNotifyHarness();
let fx: SchoolFixture;
let tgId = 951_000;
const SUNDAY_EVENING = new Date("2026-12-06T15:00:00Z"); // 18:00 in Moscow

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  const schoolId = fx.school._id;
  await Period.create({ schoolId, externalId: "q2", name: "2 четверть", kind: "quarter", start: "2026-11-04", end: "2026-12-30" });
  await Holiday.create({ schoolId, externalId: "winter", name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" });
  const grade = (n: number, subject: string, date: string, value: string, weight = 1) =>
    ({ schoolId, externalId: `wd-${n}`, studentId: fx.students.maria._id, subjectId: fx.subjects[subject], date, value, weight, workType: "ответ на уроке" });
  await Grade.insertMany([
    grade(1, "phys", "2026-11-10", "5"), grade(2, "phys", "2026-11-17", "5"), grade(3, "phys", "2026-11-24", "5"), // forecast 5 before the week
    grade(4, "phys", "2026-12-02", "2", 10), // ... and 3 after it
    grade(5, "alg", "2026-12-01", "5"), grade(6, "alg", "2026-12-03", "4"),
    grade(7, "alg", "2026-11-20", "3"), // before the week: not listed
  ]);
  await Assessment.create({ schoolId, externalId: "wd-test", classId: fx.classIds.c7a, subjectId: fx.subjects.alg, date: "2026-12-09", kind: "control" });
  await Homework.create({ schoolId, externalId: "wd-hw", classId: fx.classIds.c7a, subjectId: fx.subjects.hist, assignedOn: "2026-12-04", dueOn: "2026-12-08", text: "§ 12" });
  await Recommendation.create({
    schoolId, teacherId: fx.teachers.sokolova, authorAccountId: fx.guardians.parent._id, classId: fx.classIds.c7a, studentId: fx.students.maria._id,
    subjectId: fx.subjects.alg, text: "Повторить <дроби>", createdAt: new Date("2026-12-04T10:00:00Z"),
  });
});

test("the scheduler: Sunday 18:00 on the school's clock, and off with the school's setting", async () => {
  const queue = h.queues.queue(QUEUES.scheduled);
  await registerSchedulers(queue);
  const scheduler = (await queue.getJobScheduler(`weekly-${fx.school._id}`))!;
  expect(scheduler).toMatchObject({ name: SCHEDULED_JOBS.weeklyDigest, pattern: "0 18 * * 0", tz: "Europe/Moscow" });
  expect(inZone(new Date(scheduler.next!), "Europe/Moscow").format("dddd HH:mm")).toBe("Sunday 18:00");
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.weeklyDigest.enabled": false } });
  await registerSchedulers(queue);
  expect(await queue.getJobScheduler(`weekly-${fx.school._id}`)).toBeFalsy();
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.weeklyDigest": { weekday: 5, time: "16:30", enabled: true } } });
  await registerSchedulers(queue);
  expect((await queue.getJobScheduler(`weekly-${fx.school._id}`))!.pattern).toBe("30 16 * * 5");
  for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.key);
});

test("Sunday 18:00: one message per person with every child, in their language; one e-mail; nothing twice", async () => {
  const ru = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  const en = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya], { language: "en" });
  const off = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  await Account.updateOne({ _id: off._id }, { $set: { "notify.weeklyDigest": false } });
  const mail = await Guardian.create({
    schoolId: fx.school._id, externalId: "wd-mail", studentIds: [fx.students.maria._id], channelOrder: ["email", "telegram", "paper"],
    contacts: [{ kind: "email", value: "weekly@example.org", source: "school-edoc" }],
  });
  const version = consentVersionOf(fx.school);
  await ConsentRecord.create({ guardianId: mail._id, schoolId: fx.school._id, decision: "granted", form: "edoc", textVersion: version, textHash: consentTextHash(`consent ${version}`) });

  const env = { ...(await h.start({ now: () => SUNDAY_EVENING })).env, now: () => SUNDAY_EVENING };
  const counts = await sendWeeklyDigests(env, fx.school._id);
  expect(counts.planned).toBe(3); // ru, en, the e-mail; not the one who switched it off

  const message = await h.fake.waitForMessage(ru.chatId, "Итоги недели", 10_000);
  const text = message.plain;
  expect(text).toContain("Итоги недели (30 ноября, пн — 6 декабря, вс)");
  expect(text).toContain("Иванова Мария Сергеевна");
  expect(text).not.toContain("Иванов Александр"); // nothing to say about him
  expect(text).toContain("• Алгебра: 5, 4");
  expect(text).toContain("• Физика: 2");
  expect(text).toContain("Прогноз изменился:\n• Алгебра: 3 → 4 ⬆️\n• Физика: 5 → 3 ⬇️");
  expect(text).toContain("Алгебра — контрольная работа, 9 декабря, ср");
  expect(text).toContain("• История — к 8 декабря, вт");
  expect(text).toContain("Рекомендации учителей:\n• Алгебра (");
  expect(message.text ?? "").not.toContain("<дроби>"); // escaped, shown as text
  expect(text).toContain("Повторить <дроби>");

  const english = (await h.fake.waitForMessage(en.chatId, "week in review", 10_000)).plain;
  expect(english).toContain("Смирнов Пётр Андреевич");
  expect(english).toContain("Tests next week:");
  expect(english).toContain("Homework due next week:");
  expect(english).not.toContain("This week's grades:"); // Petya had none

  await h.waitForStatus({ "recipient.guardianId": mail._id, channel: "email", kind: "grade" }, "sent");
  expect(h.mails.filter((m) => m.to.includes("weekly@example.org"))).toHaveLength(1);

  // A retried job plans the same keys: nothing new.
  expect((await sendWeeklyDigests(env, fx.school._id)).created).toBe(0);
  await sleep(500);
  expect(h.fake.sent(ru.chatId)).toHaveLength(1);
  expect(h.fake.sent(off.chatId)).toHaveLength(0);
  await h.stopNotifier();
});

test("a Sunday of the winter holidays: no digest at all", async () => {
  const holidaySunday = new Date("2027-01-03T15:00:00Z");
  await Homework.create({ schoolId: fx.school._id, externalId: "wd-hw2", classId: fx.classIds.c7a, subjectId: fx.subjects.hist, assignedOn: "2026-12-30", dueOn: "2027-01-05", text: "x" });
  const env = { ...(await h.start({ now: () => holidaySunday })).env, now: () => holidaySunday };
  const before = await Delivery.countDocuments({});
  expect((await sendWeeklyDigests(env, fx.school._id)).planned).toBe(0);
  expect(await Delivery.countDocuments({})).toBe(before);
  await h.stopNotifier();
});
