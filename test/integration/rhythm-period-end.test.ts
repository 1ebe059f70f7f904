/**
 * The end of a period (issue 15.2) with the injected clock against real Redis, the Mongo stand-in
 * and the fake Bot API: N school days before the end (on the journal's calendar) the homeroom and
 * subject teachers get their students at risk and the families of those students the forecast with
 * what moves it — once; after the end the admins get the missing finals each school day until the
 * list is empty, and a class's curriculum statistics and summary sheet once all its finals are in.
 */
import pino from "pino";
import type { Types } from "mongoose";
import { Account, Curriculum, Delivery, FinalGrade, Grade, Holiday, Lesson, Period, RhythmMark } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { createMaxChannel } from "../../src/channels/max";
import { printoutApi } from "../../src/queue/notifier";
import type { PrintoutJobDeps } from "../../src/queue/printouts";
import { runSchoolMorning } from "../../src/queue/school-rhythm";
import type { NotifyEnv } from "../../src/services/notify/env";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { FakeMax } from "../support/fake-max";
import { useNotifyHarness, sleep } from "./notify-harness";

const h = useNotifyHarness();
let fx: SchoolFixture;
let tgId = 961_000;
const morning = (day: string) => new Date(`${day}T08:00:00+03:00`);

async function envAt(at: Date): Promise<NotifyEnv> {
  await h.stopNotifier();
  return { ...(await h.start({ now: () => at })).env, now: () => at };
}

function filesAt(at: Date): PrintoutJobDeps {
  const logger = pino({ level: "silent" });
  return { api: printoutApi({ BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot }, logger), i18n: createI18n("ru"), logger, now: () => at };
}

const staff = (role: "teacher" | "admin", teacherId?: Types.ObjectId, language: "ru" | "en" = "ru") => {
  const id = ++tgId;
  return Account.create({ telegramId: id, chatId: id, language, roles: [{ role, schoolId: fx.school._id, ...(teacherId ? { teacherId } : {}) }] });
};

let q2: { _id: Types.ObjectId };

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  const schoolId = fx.school._id;
  q2 = await Period.create({ schoolId, externalId: "q2", name: "2 четверть", kind: "quarter", start: "2026-11-05", end: "2026-12-30" });
  await Holiday.create([
    { schoolId, externalId: "winter", name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
    // A school-wide day off inside the period: the warning moves a school day earlier.
    { schoolId, externalId: "day-off", name: "Выходной", start: "2026-12-21", end: "2026-12-21" },
  ]);
  const c7a = fx.classIds.c7a;
  await Curriculum.create([
    { schoolId, externalId: "cur-alg", classId: c7a, subjectId: fx.subjects.alg, periodId: q2._id, plannedLessons: 40 },
    { schoolId, externalId: "cur-phys", classId: c7a, subjectId: fx.subjects.phys, periodId: q2._id, plannedLessons: 20 },
  ]);
  const lesson = (n: number, subjectId: Types.ObjectId, teacherId: Types.ObjectId) => ({ schoolId, externalId: `pe-l${n}`, classId: c7a, subjectId, teacherId, date: "2026-11-10", start: `0${7 + n}:30`, end: `0${7 + n}:59`, status: "held" as const });
  await Lesson.create([lesson(1, fx.subjects.alg, fx.teachers.kuznetsov), lesson(2, fx.subjects.phys, fx.teachers.volkova)]);
  const grade = (n: number, student: { _id: Types.ObjectId }, subject: Types.ObjectId, value: string) => ({ schoolId, externalId: `pe-g${n}`, studentId: student._id, subjectId: subject, date: "2026-11-1" + (n % 10), value, weight: 1, workType: "ответ на уроке" });
  const { maria, petya } = fx.students;
  await Grade.insertMany([
    grade(1, maria, fx.subjects.alg, "5"), grade(2, maria, fx.subjects.alg, "5"), grade(3, maria, fx.subjects.alg, "4"),
    grade(4, maria, fx.subjects.phys, "2"), grade(5, maria, fx.subjects.phys, "2"), grade(6, maria, fx.subjects.phys, "3"),
    grade(7, petya, fx.subjects.alg, "4"), // one grade of three: "not attested"
    grade(8, petya, fx.subjects.phys, "4"), grade(9, petya, fx.subjects.phys, "5"), grade(10, petya, fx.subjects.phys, "4"),
  ]);
});

test("N school days before the end: teachers' lists and the families' forecast, once", async () => {
  const homeroom = await staff("teacher", fx.teachers.sokolova);
  const algebra = await staff("teacher", fx.teachers.kuznetsov, "en");
  const physics = await staff("teacher", fx.teachers.volkova);
  const ru = await guardianAccount(fx, ++tgId, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  const en = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya], { language: "en" });
  const off = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  await Account.updateOne({ _id: off._id }, { $set: { "notify.forecast": false } });

  // The period ends Wed 30 Dec; with 21 Dec off, 10 school days are left after Tue 15 Dec.
  const before = await runSchoolMorning(await envAt(morning("2026-12-14")), fx.school._id);
  expect(before.periodEnd.warning).toBeNull();

  const env = await envAt(morning("2026-12-15"));
  const { periodEnd } = await runSchoolMorning(env, fx.school._id);
  expect(periodEnd.warning).toMatchObject({ students: 2, teachers: 3 });
  expect(periodEnd.warning!.guardians.planned).toBe(2); // ru and en; not the one with forecasts off

  const list = (await h.fake.waitForMessage(homeroom.chatId!, "ученики под угрозой", 10_000)).plain!;
  expect(list).toContain("Осталось 10 учебных дней (последний — 30 декабря, ср).");
  expect(list).toContain("Риск «не аттестован» (меньше 3 оценок):\n• 7А Смирнов Пётр Андреевич — Алгебра: 1 оценка из 3");
  expect(list).toContain("Риск итоговой «2»:\n• 7А Иванова Мария Сергеевна — Физика: средний балл 2,33");
  const alg = (await h.fake.waitForMessage(algebra.chatId!, "students at risk", 10_000)).plain!;
  expect(alg).toContain("• 7А Смирнов Пётр Андреевич — Алгебра: 1 grade of 3");
  expect(alg).not.toContain("Физика");
  const phys = (await h.fake.waitForMessage(physics.chatId!, "ученики под угрозой", 10_000)).plain!;
  expect(phys).toContain("Иванова Мария Сергеевна — Физика");
  expect(phys).not.toContain("Алгебра");

  const forecast = (await h.fake.waitForMessage(ru.chatId, "Прогноз итоговых оценок", 10_000)).plain!;
  expect(forecast).toContain("До конца периода 10 учебных дней (последний — 30 декабря, ср)");
  expect(forecast).toMatch(/Физика: 2,33 → 2 — прогноз «2»; до «3» не хватает \d+ пятёр/);
  const english = (await h.fake.waitForMessage(en.chatId, "forecast", 10_000)).plain!;
  expect(english).toContain("10 school days left in the period");
  expect(english).toContain("Алгебра: 4.00 → 4 — too few grades — risk of \"not attested\"; 2 more grades needed");

  // The same morning again, and the next school day: nothing new.
  expect((await runSchoolMorning(env, fx.school._id)).periodEnd.warning).toBeNull();
  expect((await runSchoolMorning(await envAt(morning("2026-12-16")), fx.school._id)).periodEnd.warning).toBeNull();
  await sleep(500);
  expect(h.fake.sent(homeroom.chatId!)).toHaveLength(1);
  expect(h.fake.sent(ru.chatId)).toHaveLength(1);
  expect(h.fake.sent(off.chatId)).toHaveLength(0);
  expect(await RhythmMark.countDocuments({ kind: "period-warning" })).toBe(1);
  await h.stopNotifier();
});

test("after the end: missing finals each school day until none, then each class's sheets once", async () => {
  const admin = await staff("admin");
  const adminEn = await staff("admin", undefined, "en");
  const final = (student: { _id: Types.ObjectId }, subject: Types.ObjectId, value: string) => ({
    schoolId: fx.school._id, externalId: `pe-f-${String(student._id)}-${String(subject)}`, studentId: student._id, subjectId: subject, periodId: q2._id, status: "final" as const, value, resultsAt: new Date("2027-01-12T10:00:00Z"),
  });
  const { maria, petya } = fx.students;

  // During the holidays nothing (not a school day); the first school day: four finals missing.
  expect((await runSchoolMorning(await envAt(morning("2027-01-05")), fx.school._id)).periodEnd.closing).toEqual([]);
  let env = await envAt(morning("2027-01-12"));
  let { periodEnd } = await runSchoolMorning(env, fx.school._id, filesAt(morning("2027-01-12")));
  expect(periodEnd.closing).toEqual([expect.objectContaining({ missing: 4, admins: 2, sheets: [] })]);
  const first = (await h.fake.waitForMessage(admin.chatId!, "не выставлены", 10_000)).plain!;
  expect(first).toContain("На 12 января, вт не хватает 4 итоговых оценок:");
  expect(first).toContain("• 7А Иванова Мария Сергеевна — Алгебра");
  await h.fake.waitForMessage(adminEn.chatId!, "4 final grades are missing", 10_000);
  // A second run of the morning repeats nothing.
  await runSchoolMorning(env, fx.school._id, filesAt(morning("2027-01-12")));

  // Three finals in: the next school day lists the last one.
  await FinalGrade.insertMany([final(maria, fx.subjects.alg, "5"), final(maria, fx.subjects.phys, "3"), final(petya, fx.subjects.phys, "4")]);
  env = await envAt(morning("2027-01-13"));
  ({ periodEnd } = await runSchoolMorning(env, fx.school._id, filesAt(morning("2027-01-13"))));
  expect(periodEnd.closing[0]).toMatchObject({ missing: 1, sheets: [] });
  const second = (await h.fake.waitForMessage(admin.chatId!, "не хватает 1 итоговой оценки", 10_000)).plain!;
  expect(second).toContain("• 7А Смирнов Пётр Андреевич — Алгебра");

  // The last one in: no list, 7А's curriculum statistics and summary sheet to each admin.
  await FinalGrade.insertMany([final(petya, fx.subjects.alg, "3")]);
  env = await envAt(morning("2027-01-14"));
  ({ periodEnd } = await runSchoolMorning(env, fx.school._id, filesAt(morning("2027-01-14"))));
  expect(periodEnd.closing[0]).toMatchObject({ missing: 0, sheets: ["7А"] });
  const sheet = await h.fake.waitForMessage(admin.chatId!, "Сводная ведомость 7А, 2 четверть", 10_000);
  expect(sheet.document!.bytes.subarray(0, 4).toString()).toBe("%PDF");
  await h.fake.waitForMessage(admin.chatId!, "Выполнение учебного плана 7А", 10_000);
  await h.fake.waitForMessage(adminEn.chatId!, "Summary sheet 7А", 10_000);

  // Done: later school days send nothing more.
  ({ periodEnd } = await runSchoolMorning(await envAt(morning("2027-01-15")), fx.school._id, filesAt(morning("2027-01-15"))));
  expect(periodEnd.closing).toEqual([]);
  await sleep(500);
  expect(h.fake.sent(admin.chatId!)).toHaveLength(4); // two lists, two files
  expect(await Delivery.countDocuments({ kind: "admin-alert", "recipient.accountId": admin._id })).toBe(2);
  await h.stopNotifier();
});

test("an admin known only in MAX gets the class's sheets as files there; one who stopped the MAX bot is recorded as failed", async () => {
  const max = await FakeMax.start();
  try {
    // The period's sheets again, from scratch (the test above sent them to the Telegram admins).
    await RhythmMark.deleteMany({});
    await Delivery.deleteMany({ kind: "printout" });
    await Account.deleteMany({ roles: { $elemMatch: { role: "admin" } } });
    const inMax = await Account.create({ max: { userId: 77_001, chatId: 500_077_001 }, language: "ru", roles: [{ role: "admin", schoolId: fx.school._id }] });
    const stopped = await Account.create({ max: { userId: 77_002, chatId: 500_077_002 }, language: "en", roles: [{ role: "admin", schoolId: fx.school._id }] });
    const both = await staff("admin");
    await Account.updateOne({ _id: both._id }, { $set: { max: { userId: 77_003, chatId: 500_077_003 } } });
    max.block(77_002);
    max.notReady(1); // MAX still processing the first upload: the message waits for it
    const at = morning("2027-01-18");
    const env = await envAt(at);
    const { periodEnd } = await runSchoolMorning(env, fx.school._id, { ...filesAt(at), max: createMaxChannel(max.token, max.apiRoot) });
    expect(periodEnd.closing[0]).toMatchObject({ missing: 0, sheets: ["7А"] });

    const got = max.sentTo(77_001);
    expect(got.map((m) => m.plain)).toEqual([expect.stringContaining("Выполнение учебного плана 7А"), expect.stringContaining("Сводная ведомость 7А, 2 четверть")]);
    for (const m of got) {
      expect(m.files).toHaveLength(1);
      expect(m.files[0].bytes.subarray(0, 4).toString()).toBe("%PDF");
      expect(m.files[0].name).toMatch(/\.pdf$/);
    }
    expect(max.calls.filter((c) => c.path === "/messages" && c.status === 400)).toHaveLength(1); // the one "not ready", waited out
    const records = async (accountId: Types.ObjectId) => (await Delivery.find({ kind: "printout", "recipient.accountId": accountId }).lean()).map((d) => `${d.channel} ${d.status}`).sort();
    expect(await records(inMax._id)).toEqual(["max sent", "max sent"]);
    expect(await records(stopped._id)).toEqual(["max failed", "max failed"]);
    expect((await Account.findById(stopped._id).lean())!.max!.blockedAt).toBeInstanceOf(Date);
    // An admin with both messengers gets them in Telegram, as before, and nothing in MAX.
    expect(await records(both._id)).toEqual(["telegram sent", "telegram sent"]);
    expect(max.sentTo(77_003)).toEqual([]);
  } finally {
    await max.stop();
    await h.stopNotifier();
  }
});

