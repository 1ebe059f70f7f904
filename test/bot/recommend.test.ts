/**
 * /recommend as a teacher would use it: the one-line form, the dialog with buttons, and the rule
 * that a teacher addresses only the classes and subjects they teach. The worker then delivers it to
 * the guardian and sends the teacher a receipt.
 */
import { Types } from "mongoose";
import { DomainEvent, Lesson, Recommendation, School, Account } from "../../src/db/models";
import { NotAllowedError, postRecommendation, teachingScope } from "../../src/services/recommendations";
import type { BotHarness } from "../support/bot-harness";
import { startBotWithWorker, type BotWithWorker } from "../support/bot-worker";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { createSchoolFixture, FIXTURE_TODAY, guardianAccount, type SchoolFixture } from "../support/fixtures";

useTestDb();
/** The fixture's school day: the teachers' scope is counted from the journal's lessons around it. */
const NOW = new Date(`${FIXTURE_TODAY}T09:00:00Z`);
const redis = useTestRedis();
let h: BotHarness;
let fx: SchoolFixture;
let running: BotWithWorker;

beforeAll(async () => {
  fx = await createSchoolFixture();
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  running = await startBotWithWorker(redis, { now: NOW });
  h = running.h;
}, 60_000);

afterAll(() => running.stop());

async function teacher(telegramId: number, key: string) {
  return Account.create({ telegramId, chatId: telegramId, roles: [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers[key] }] });
}

test("a teacher's scope: the classes and subjects of their lessons", async () => {
  const scope = await teachingScope(fx.school._id, fx.teachers.kuznetsov, NOW);
  expect(scope.map((s) => `${s.className} ${s.subjectName}`)).toEqual(["7А Алгебра", "7А Геометрия"]);
});

test("a teacher cannot address a class they do not teach (command and service)", async () => {
  const user = h.user();
  await teacher(user.profile.id, "kuznetsov");
  const replies = await user.send("/recommend 3Б: Повторить таблицу умножения");
  expect(replies[0].plain).toContain("Вы не ведёте уроки в классе «3Б»");
  await expect(
    postRecommendation({
      schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov, authorAccountId: new Types.ObjectId(), classId: fx.classIds.c3b, subjectId: fx.subjects.alg, text: "x", now: NOW,
    }),
  ).rejects.toBeInstanceOf(NotAllowedError);
  // Nor a subject they do not teach in their own class.
  await expect(
    postRecommendation({
      schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov, authorAccountId: new Types.ObjectId(), classId: fx.classIds.c7a, subjectId: fx.subjects.rus, text: "x", now: NOW,
    }),
  ).rejects.toBeInstanceOf(NotAllowedError);
  expect(await Recommendation.countDocuments({ classId: fx.classIds.c3b, text: "x" })).toBe(0);
});

test("non-teachers are told what the command is for", async () => {
  const replies = await h.user().send("/recommend 7А: текст");
  expect(replies[0].plain).toContain("Рекомендации могут отправлять учителя");
});

test("one line: stored, pushed to the guardian, receipt to the teacher", async () => {
  const parent = await guardianAccount(fx, 960_001, fx.guardians.parent, [fx.students.maria]);
  const user = h.user();
  await teacher(user.profile.id, "kuznetsov");
  const replies = await user.send("/recommend 7А алгебра Иванова Мария: Повторить формулы сокращённого умножения <до пятницы>");
  expect(replies[0].plain).toContain("Рекомендация сохранена");
  const stored = await Recommendation.findOne({ studentId: fx.students.maria._id, text: "Повторить формулы сокращённого умножения <до пятницы>" }).lean();
  expect(stored).toMatchObject({ subjectId: fx.subjects.alg, classId: fx.classIds.c7a });
  expect(await DomainEvent.countDocuments({ type: "recommendation.created", "entity.id": stored!._id })).toBe(1);
  const pushed = await h.fake.waitForMessage(parent.chatId, "Рекомендация учителя", 15_000);
  expect(pushed.plain).toContain("Кузнецов Дмитрий Олегович, Алгебра — Иванова Мария Сергеевна");
  expect(pushed.plain).toContain("<до пятницы>");
  const receipt = await h.fake.waitForMessage(user.profile.id, "доставлена", 30_000);
  expect(receipt.plain).toContain("1 из 1");
}, 60_000);

test("the dialog: class → student → subject → text → preview → send", async () => {
  const user = h.user();
  await teacher(user.profile.id, "kuznetsov");
  const [classes] = await user.send("/recommend");
  expect(classes.plain).toContain("Выберите класс");
  const students = (await user.press("rc:x:0")).at(-1)!;
  expect(students.plain).toContain("7А: всему классу или одному ученику?");
  const subjects = (await user.press("rc:x:-1")).at(-1)!; // the whole class
  expect(subjects.plain).toContain("По какому предмету?");
  const ask = (await user.press("rc:x:1")).at(-1)!; // Геометрия
  expect(ask.plain).toContain("Напишите текст");
  const [preview] = await user.send("Принести циркуль & линейку");
  expect(preview.plain).toContain("Так её увидят родители");
  expect(preview.plain).toContain("Геометрия — класс 7А");
  expect(preview.text).toContain("циркуль &amp; линейку");
  const done = await user.press("rc:send");
  expect(done.at(-1)!.plain).toContain("Рекомендация сохранена");
  expect(await Recommendation.countDocuments({ classId: fx.classIds.c7a, subjectId: fx.subjects.geom, text: "Принести циркуль & линейку" })).toBe(1);
});

test("a substitute's access to a class ends a month after their last lesson there", async () => {
  // Kuznetsov stood in for Morozova in 3Б ten days ago.
  await Lesson.create({
    schoolId: fx.school._id, externalId: "sub-3b", classId: fx.classIds.c3b, subjectId: fx.subjects.math, teacherId: fx.teachers.morozova,
    substituteTeacherId: fx.teachers.kuznetsov, status: "substituted", date: "2026-11-23", start: "09:00", end: "09:45",
  });
  const user = h.user();
  await teacher(user.profile.id, "kuznetsov");
  const scope = async (at: Date) => (await teachingScope(fx.school._id, fx.teachers.kuznetsov, at)).map((s) => `${s.className} ${s.subjectName}`);
  expect(await scope(NOW)).toContain("3Б Математика");
  expect((await user.send("/recommend 3Б математика: Принести тетради"))[0].plain).toContain("Рекомендация сохранена");

  const later = new Date("2026-12-24T09:00:00Z"); // 31 days after that lesson
  expect(await scope(later)).not.toContain("3Б Математика");
  expect(await scope(later)).toContain("7А Алгебра");
  h.setNow(later);
  try {
    expect((await user.send("/recommend 3Б математика: Принести тетради"))[0].plain).toContain("Вы не ведёте уроки в классе «3Б»");
    await expect(
      postRecommendation({
        schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov, authorAccountId: new Types.ObjectId(), classId: fx.classIds.c3b, subjectId: fx.subjects.math, text: "y", now: later,
      }),
    ).rejects.toBeInstanceOf(NotAllowedError);
  } finally {
    h.setNow(NOW);
  }
});
