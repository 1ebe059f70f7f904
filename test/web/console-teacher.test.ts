/**
 * A class's pages for its teachers over real HTTP (issue 13): a teacher writes a recommendation in
 * a subject they teach there (the bot's service: stored, its event on the real events queue) and
 * sees whom each reached; the class's summary sheet and curriculum statistics with their files;
 * a teacher of another class, an admin of another school and a guardian get 404; a forged subject
 * posts nothing.
 */
import { Delivery, DomainEvent, Recommendation } from "../../src/db/models";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { recommendationEventId } from "../../src/services/recommendations";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";

useTestDb();
const redis = useTestRedis();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7601;
const KUZNETSOV = 7602; // algebra and geometry in 7А
const MOROZOVA = 7603; // 3Б
const OTHER_ADMIN = 7604;
const PARENT = 7605;
let fx: SchoolFixture;
let web: WebServer;
let queues: QueueFactory;

beforeAll(async () => {
  fx = await createSchoolFixture();
  const other = await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(MOROZOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.morozova }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  queues = createQueueFactory(redis.url, redis.prefix);
  web = await startWeb({ now: NOW, queues });
}, 60_000);
afterAll(async () => {
  await web?.close();
  await queues?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const classPage = (path: string, key: "c7a" | "c3b" = "c7a") => `/app/school/${fx.school._id}/class/${fx.classIds[key]}/${path}`;

test("a teacher writes a recommendation in their subject and sees whom it reached", async () => {
  const kuznetsov = await signedIn(KUZNETSOV);
  const page = await kuznetsov.get(classPage("recommendations"));
  expect(page.status).toBe(200);
  const subjects = [...page.text.matchAll(/<option value="([0-9a-f]{24}:[0-9a-f]{24})">([^<]+)<\/option>/g)].map((m) => [m[1], m[2]]);
  expect(subjects.map(([, name]) => name).sort()).toEqual(["Алгебра", "Геометрия"]);
  // The fixture's recommendations of the class are listed, newest first.
  expect(pageText(page.text)).toContain("Пётр, нужно пересдать самостоятельную работу.");
  const geometry = subjects.find(([, name]) => name === "Геометрия")![0];
  const posted = await kuznetsov.post(classPage("recommendations"), { _csrf: csrfOf(page.text), subject: geometry, student: "", text: "Принести циркуль и транспортир в понедельник." });
  expect(posted.location).toBe(`${classPage("recommendations")}?done=posted`);
  const rec = await Recommendation.findOne({ text: "Принести циркуль и транспортир в понедельник." }).lean();
  expect(rec).toMatchObject({ classId: fx.classIds.c7a, subjectId: fx.subjects.geom, teacherId: fx.teachers.kuznetsov });
  const eventId = recommendationEventId(rec!._id);
  expect(await DomainEvent.exists({ eventId })).toBeTruthy();
  expect(await queues.queue(QUEUES.events).getJob(eventId)).toBeTruthy();

  // What the worker makes of it (two families of 7А): one delivered in the bot, one on paper.
  await Delivery.insertMany([
    { schoolId: fx.school._id, idempotencyKey: `${eventId}/a1/telegram`, eventId, kind: "recommendation", channel: "telegram", status: "sent", sentAt: NOW, recipient: { guardianId: fx.guardians.parent._id, studentId: fx.students.maria._id } },
    { schoolId: fx.school._id, idempotencyKey: `${eventId}/g2/paper`, eventId, kind: "recommendation", channel: "paper", status: "pending_paper", recipient: { guardianId: fx.guardians.otherParent._id, studentId: fx.students.petya._id } },
  ]);
  const after = pageText((await kuznetsov.get(classPage("recommendations"))).text);
  expect(after).toContain("Принести циркуль и транспортир в понедельник. Кому дошло: доставлено 1, на бумагу 1, всего 2");
  expect(after).toContain("Иванова Мария Сергеевна Иванова Ольга Николаевна Telegram доставлено");
  expect(after).toContain("Смирнов Пётр Андреевич Смирнова Анна Викторовна на бумаге на бумагу");
});

test("a forged subject, another teacher's class, or an admin without a teacher role posts nothing", async () => {
  const before = await Recommendation.countDocuments();
  const kuznetsov = await signedIn(KUZNETSOV);
  const csrf = csrfOf((await kuznetsov.get(classPage("recommendations"))).text);
  const forged = `${fx.teachers.kuznetsov}:${fx.subjects.rus}`;
  expect((await kuznetsov.post(classPage("recommendations"), { _csrf: csrf, subject: forged, text: "x" })).status).toBe(404);
  expect((await kuznetsov.post(classPage("recommendations", "c3b"), { _csrf: csrf, subject: forged, text: "x" })).status).toBe(404);
  const admin = await signedIn(ADMIN);
  const adminPage = await admin.get(classPage("recommendations"));
  expect(adminPage.status).toBe(200);
  expect(adminPage.text).not.toContain('name="text"');
  expect((await admin.post(classPage("recommendations"), { _csrf: csrfOf(adminPage.text), subject: `${fx.teachers.kuznetsov}:${fx.subjects.alg}`, text: "x" })).status).toBe(404);
  expect(await Recommendation.countDocuments()).toBe(before);
});

test("the class's summary sheet and curriculum statistics, on the page and as files", async () => {
  const kuznetsov = await signedIn(KUZNETSOV);
  const page = await kuznetsov.get(`${classPage("reports")}?period=period-1`);
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  expect(text).toContain("Сводная ведомость итоговых оценок");
  expect(text).toContain("Выполнение учебного плана");
  expect(text).toMatch(/1 Иванова Мария Сергеевна/);
  expect(text).toContain("Алгебра");
  const csv = await kuznetsov.get(`${classPage("reports/finals.csv")}?period=period-1`);
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.text).toContain("Смирнов Пётр Андреевич");
  const pdf = await kuznetsov.get(`${classPage("reports/curriculum.pdf")}?period=period-1`);
  expect(pdf.headers.get("content-type")).toBe("application/pdf");
  expect((await kuznetsov.get(`${classPage("reports")}?period=nope`)).status).toBe(404);
});

test("a teacher of another class, an admin of another school and a guardian get 404", async () => {
  const paths = [classPage("recommendations"), classPage("reports"), classPage("reports/finals.pdf"), classPage("printouts"), classPage("consents")];
  for (const telegramId of [MOROZOVA, OTHER_ADMIN, PARENT]) {
    const client = await signedIn(telegramId);
    for (const path of paths) expect({ telegramId, path, status: (await client.get(path)).status }).toEqual({ telegramId, path, status: 404 });
  }
  const morozova = await signedIn(MOROZOVA);
  expect((await morozova.get(classPage("recommendations", "c3b"))).status).toBe(200);
  const landing = await (await signedIn(KUZNETSOV)).get(classPage(""));
  for (const link of ["consents", "printouts", "recommendations", "reports"]) expect(landing.text).toContain(`href="${classPage(link)}"`);
});
