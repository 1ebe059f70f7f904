/**
 * The new school year (issue 15.4) through the exchange API on loopback, with the notifier against
 * real Redis, the Mongo stand-in and the fake Bot API, on the injected clock of 30 August 2027: a
 * rollover that forgets a student is refused whole (422, nothing written); the class 7Б of 2026/27
 * becomes 8Б of 2027/28 — links follow the students, the families are told the new class (ru, en),
 * the leaver's family is told and its link ends, the old codes expire, a re-send changes nothing —
 * and last year's grades and finals stay readable as "Прошлый учебный год".
 */
import pino from "pino";
import type { Types } from "mongoose";
import { registerExchangeApi } from "../../src/api/exchange";
import { gradesView } from "../../src/bot/features/views/grades";
import { finalsView } from "../../src/bot/features/views/finals";
import type { ViewContext } from "../../src/bot/features/views/types";
import { Account, AuditEntry, Delivery, Guardian, GuardianLink, InviteCode, School, Student } from "../../src/db/models";
import { createHttpServer } from "../../src/http/server";
import { createI18n } from "../../src/i18n";
import { createMetrics } from "../../src/metrics";
import { issueClassCodes } from "../../src/services/codes";
import { runDataRetention } from "../../src/services/data-lifecycle";
import { loadScope } from "../../src/services/diary";
import { createSchool } from "../../src/services/schools";
import { giveConsent, type SchoolFixture } from "../support/fixtures";
import { listen, type Listening } from "../support/http";
import { useNotifyHarness, sleep } from "./notify-harness";

const h = useNotifyHarness();
const AT = new Date("2027-08-30T10:00:00+03:00");
let server: Listening;
let token: string;
let schoolId: Types.ObjectId;
const accounts: Record<string, { _id: Types.ObjectId; chatId: number }> = {};

const put = async (resource: string, body: unknown, query = "") => {
  const answer = await server.request("PUT", `/api/v1/${resource}${query}`, { headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: answer.status, body: answer.json() };
};
const student = (externalId: string) => Student.findOne({ schoolId, externalId }).orFail().lean();

beforeAll(async () => {
  const created = await createSchool({ name: "Школа нового года" });
  token = created.token;
  const school = await School.findById(created.schoolId).orFail();
  schoolId = school._id;
  await h.start({ now: () => AT });
  const app = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: [], bodyLimitBytes: 1024 * 1024 });
  registerExchangeApi(app, { config: { EXCHANGE_BODY_LIMIT_MB: 1, EXCHANGE_MAX_ITEMS: 5000 }, logger: pino({ level: "silent" }), queues: h.queues, now: () => AT });
  server = await listen(app);

  // 2026/27: 7Б with three students, a grade and the year's final of one of them.
  const year = await put("bundle", {
    subjects: [{ externalId: "math", name: "Математика" }],
    teachers: [{ externalId: "t1", fullName: "Иванова Мария Петровна", subjectIds: ["math"] }],
    classes: [{ externalId: "7b", name: "7Б", grade: 7, homeroomTeacherId: "t1" }],
    students: [
      { externalId: "s1", fullName: "Петров Артём Сергеевич", classId: "7b" },
      { externalId: "s2", fullName: "Сидорова Анна Олеговна", classId: "7b" },
      { externalId: "s3", fullName: "Кузнецов Илья Ильич", classId: "7b" },
    ],
    guardians: [
      { externalId: "p1", fullName: "Петрова Елена Викторовна", studentIds: ["s1"] },
      { externalId: "p2", fullName: "Сидоров Олег Петрович", studentIds: ["s2"] },
      { externalId: "p3", fullName: "Кузнецова Ольга Ивановна", studentIds: ["s3"] },
    ],
    periods: [
      { externalId: "q4-27", name: "4 четверть", kind: "quarter", start: "2027-04-01", end: "2027-05-26" },
      { externalId: "y-27", name: "Год", kind: "year", start: "2026-09-01", end: "2027-05-26" },
    ],
    grades: [{ externalId: "g1", studentId: "s1", subjectId: "math", date: "2027-04-12", value: "5", weight: 1, workType: "контрольная работа" }],
    finalGrades: [{ externalId: "f1", studentId: "s1", subjectId: "math", periodId: "y-27", status: "final", value: "5", resultsAt: "2027-05-27T12:00" }],
  }, "?notify=false");
  expect(year.status).toBe(200);

  // A family account per student (ru, en, ru), linked with consent; the class's codes of the old year.
  const fx = { school } as unknown as SchoolFixture;
  for (const [key, lang] of [["s1", "ru"], ["s2", "en"], ["s3", "ru"]] as const) {
    const s = await student(key);
    const guardian = await Guardian.findOne({ schoolId, studentIds: s._id }).orFail();
    const id = 970_000 + Number(key.slice(1));
    const account = await Account.create({ telegramId: id, chatId: id, language: lang, roles: [{ role: "guardian", schoolId, guardianId: guardian._id }] });
    await GuardianLink.create({ accountId: account._id, guardianId: guardian._id, studentId: s._id, schoolId });
    await giveConsent(fx, account, "granted");
    accounts[key] = { _id: account._id, chatId: id };
  }
  await issueClassCodes({ schoolId, pepper: "pepper", now: new Date("2027-08-20T10:00:00+03:00"), className: "7Б" });

  // The journal sends the new year's class and periods first.
  expect((await put("bundle", {
    classes: [{ externalId: "8b", name: "8Б", grade: 8, homeroomTeacherId: "t1" }],
    periods: [{ externalId: "q1-28", name: "1 четверть", kind: "quarter", start: "2027-09-01", end: "2027-10-24" }],
  }, "?notify=false")).status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

test("a rollover that names a student in neither list is refused whole: 422, nothing written", async () => {
  const answer = await put("schoolYear", { year: "2027/28", movers: [{ studentId: "s1", classId: "8b" }, { studentId: "s2", classId: "8b" }, { studentId: "s9", classId: "9z" }] });
  expect(answer.status).toBe(422);
  expect(answer.body.errors).toEqual(expect.arrayContaining([
    expect.objectContaining({ path: "movers.2.studentId", message: expect.stringContaining('unknown student "s9"') }),
    expect.objectContaining({ path: "movers.2.classId", message: expect.stringContaining('unknown class "9z"') }),
    expect.objectContaining({ path: "students.s3", message: 'student "s3" (class 7Б) is in neither movers nor leavers' }),
  ]));
  expect(JSON.stringify(answer.body)).not.toContain("Кузнецов"); // no names in answers
  // Nothing moved, nothing ended, nothing expired, nobody told.
  expect((await student("s1")).classHistory).toEqual([]);
  expect(String((await student("s1")).classId)).toBe(String((await student("s3")).classId));
  expect(await GuardianLink.countDocuments({ schoolId })).toBe(3);
  expect(await InviteCode.countDocuments({ schoolId, expiresAt: { $lte: AT } })).toBe(0);
  expect(await Delivery.countDocuments({ kind: "school-year" })).toBe(0);
  // Bad shapes: every problem at once.
  const bad = await put("schoolYear", { year: "2027/29", movers: [{ studentId: "s1" }], leavers: [{ studentId: "s3", left: "2027-02-30", why: "x" }] });
  expect(bad.status).toBe(422);
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["leavers.0.left", "leavers.0.why", "movers.0.classId", "year"]);
});

test("7Б of 2026/27 becomes 8Б of 2027/28: links follow, families told, the leaver's link ends, old codes expire", async () => {
  const answer = await put("schoolYear", { year: "2027/28", movers: [{ studentId: "s1", classId: "8b" }, { studentId: "s2", classId: "8b" }], leavers: [{ studentId: "s3", left: "2027-08-31" }] });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ year: "2027/28", moved: 2, stayed: 0, left: 1, unchanged: 0, linksEnded: 1, codesExpired: 3, notified: 3 });

  const s1 = await student("s1");
  expect(s1.classHistory).toEqual([expect.objectContaining({ year: "2026/27", className: "7Б" })]);
  expect(s1.left ?? null).toBeNull();
  // The links name the student: they follow them into 8Б; the leaver's is gone.
  expect(await GuardianLink.countDocuments({ accountId: accounts.s1._id, studentId: s1._id })).toBe(1);
  expect(await GuardianLink.countDocuments({ accountId: accounts.s3._id })).toBe(0);
  expect((await student("s3")).left).toBe("2027-08-31");
  expect(await InviteCode.countDocuments({ schoolId, expiresAt: { $gt: AT } })).toBe(0);

  const ru = (await h.fake.waitForMessage(accounts.s1.chatId, "Новый учебный год 2027/28", 10_000)).plain!;
  expect(ru).toContain("Петров Артём Сергеевич учится в классе 8Б.");
  const en = (await h.fake.waitForMessage(accounts.s2.chatId, "new school year", 10_000)).plain!;
  expect(en).toContain("Сидорова Анна Олеговна is now in class 8Б.");
  const left = (await h.fake.waitForMessage(accounts.s3.chatId, "Выбытие из школы", 10_000)).plain!;
  expect(left).toContain("Кузнецов Илья Ильич, 7Б: выбытие из школы с 31 августа");

  // The same rollover again: nothing changes, nobody is told twice.
  const again = await put("schoolYear", { year: "2027/28", movers: [{ studentId: "s1", classId: "8b" }, { studentId: "s2", classId: "8b" }], leavers: [{ studentId: "s3", left: "2027-08-31" }] });
  expect(again.body).toMatchObject({ moved: 0, left: 0, unchanged: 3, linksEnded: 0, notified: 0 });
  await sleep(500);
  for (const key of ["s1", "s2", "s3"]) expect(h.fake.sent(accounts[key].chatId)).toHaveLength(1);
  // A rollover to an older year is refused.
  expect((await put("schoolYear", { year: "2026/27", movers: [], leavers: [] })).status).toBe(422);
});

test("last year's grades and finals stay readable as 'Прошлый учебный год'", async () => {
  const s1 = await student("s1");
  const scope = (await loadScope({ studentId: s1._id, schoolId, via: "guardian" }, new Date("2027-09-10T12:00:00+03:00")))!;
  expect(scope.className).toBe("8Б");
  const i18n = createI18n("ru");
  const view: ViewContext = { t: i18n.getFixedT("ru"), lang: "ru", scope, button: (mode, arg) => ["v", "g", String(s1._id), mode ?? "", arg ?? ""].join(":") };

  const now = await gradesView.render(view, {});
  expect(now.sections.join("\n")).not.toContain("контрольная работа");
  expect(now.buttons!.flat().map((b) => b.text)).toContain("📚 Прошлый учебный год");
  const past = await gradesView.render(view, { mode: "y" });
  const text = past.sections.join("\n");
  expect(text).toContain("Прошлый учебный год 2026/27, 7Б");
  expect(text).toMatch(/Математика.*5/);
  expect(past.buttons!.flat().map((b) => b.text)).toContain("◀ Этот учебный год");

  expect((await finalsView.render(view, {})).sections.join("\n")).not.toContain("Год");
  const finals = (await finalsView.render(view, { mode: "y" })).sections.join("\n");
  expect(finals).toContain("Прошлый учебный год 2026/27, 7Б");
  expect(finals).toMatch(/Год.*\n.*Математика.*5/);
});

test("the leaver's data enters the retention clock: erased after the school's retention days", async () => {
  const s3 = await student("s3");
  expect(await Delivery.countDocuments({ "recipient.studentId": s3._id, notice: { $exists: true } })).toBeGreaterThan(0);
  await h.waitForStatus({ "recipient.studentId": s3._id }, "sent");
  expect((await runDataRetention(new Date("2027-09-20T12:00:00Z"))).leavers).toBe(0); // 30 days not over
  const report = await runDataRetention(new Date("2027-10-05T12:00:00Z"));
  expect(report.leavers).toBe(1);
  expect(await Delivery.countDocuments({ "recipient.studentId": s3._id, notice: { $exists: true } })).toBe(0);
  expect(await AuditEntry.countDocuments({ "target.kind": "student", "target.id": s3._id })).toBe(1);
  expect((await runDataRetention(new Date("2027-10-06T12:00:00Z"))).leavers).toBe(0);
});
