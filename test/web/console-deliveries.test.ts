/**
 * Deliveries, compliance and printouts in the console over real HTTP (issue 13): the compliance
 * report's page with its share and its PDF/CSV, the failed deliveries with a retry through the real
 * queue, the broadcasts with their counts, the printouts per class and week and the hand-over (the
 * homeroom teacher and admins; a subject teacher looks only), and 404 for everyone else.
 */
import { Types } from "mongoose";
import { Delivery, DomainEvent, Guardian, Printout } from "../../src/db/models";
import { schoolDay } from "../../src/domain/time";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { complianceReport } from "../../src/services/reports/compliance";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";

useTestDb();
const redis = useTestRedis();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7501;
const KUZNETSOV = 7502; // algebra in 7А
const SOKOLOVA = 7503; // homeroom teacher of 7А
const OTHER_ADMIN = 7504;
const PARENT = 7505;
let fx: SchoolFixture;
let web: WebServer;
let queues: QueueFactory;
let printoutId: Types.ObjectId;

beforeAll(async () => {
  fx = await createSchoolFixture();
  await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(SOKOLOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.sokolova }]);
  const otherAdmin = await otherSchool("Лицей № 3");
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: otherAdmin.school._id }]);
  const parent = await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  queues = createQueueFactory(redis.url, redis.prefix);
  const schoolId = fx.school._id;
  await Delivery.create({
    schoolId, idempotencyKey: `final-x/a${parent._id}/telegram`, kind: "final", channel: "telegram", status: "failed", attempts: 5,
    lastError: "telegram 500", failedAt: moscow("2026-12-02 10:00"), recipient: { accountId: parent._id, guardianId: fx.guardians.parent._id, studentId: fx.students.maria._id },
    notice: { template: "broadcast", school: fx.school.name, text: "—" },
  });
  await DomainEvent.create({
    schoolId, eventId: "broadcast.requested-abc123", type: "broadcast.requested", entity: { resource: "broadcasts", id: new Types.ObjectId() }, studentIds: [], classIds: [],
    payload: { broadcast: { id: "abc123", text: "Собрание в пятницу в 18:00", target: { kind: "class", classId: String(fx.classIds.c7a) }, authorAccountId: String(parent._id) } },
    createdAt: moscow("2026-12-01 12:00"), processedAt: moscow("2026-12-01 12:00"),
  });
  await Delivery.insertMany([
    { schoolId, idempotencyKey: `broadcast-abc123/a${parent._id}/telegram`, kind: "broadcast", channel: "telegram", status: "sent", sentAt: NOW },
    { schoolId, idempotencyKey: `broadcast-abc123/g${fx.guardians.otherParent._id}/paper`, kind: "broadcast", channel: "paper", status: "pending_paper" },
  ]);
  // Анна gets paper; last week's printout of 7А has her slip.
  await Guardian.updateOne({ _id: fx.guardians.otherParent._id }, { $set: { delivery: "paper", deliveryReason: "journal" } });
  printoutId = (await Printout.create({ schoolId, classId: fx.classIds.c7a, weekStart: "2026-11-23", producedAt: moscow("2026-11-27 15:00"), slips: [{ studentId: fx.students.petya._id, guardianId: fx.guardians.otherParent._id }] }))._id;
  web = await startWeb({ now: NOW, queues });
}, 60_000);
afterAll(async () => {
  await web?.close();
  await queues?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const school = (path: string) => `/app/school/${fx.school._id}/${path}`;
const classPrintouts = () => `/app/school/${fx.school._id}/class/${fx.classIds.c7a}/printouts`;

test("the compliance report: its share, overdue lines first, and the same as PDF and CSV", async () => {
  const admin = await signedIn(ADMIN);
  const expected = await complianceReport({ schoolId: fx.school._id, today: schoolDay(NOW, "Europe/Moscow"), now: NOW, periodId: "period-1" });
  const page = await admin.get(`${school("compliance")}?period=period-1`);
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  expect(expected.rows.length).toBeGreaterThan(0);
  expect(text).toContain(`Доведено в течение 24 часов ${expected.share.onTime} из ${expected.share.results}`);
  expect(text).toContain(expected.period.name);
  // Nothing was delivered in the fixture: every result is "не доводилось", in the report's order.
  const first = expected.rows[0];
  expect(page.text.indexOf(first.student)).toBeLessThan(page.text.lastIndexOf(expected.rows.at(-1)!.student) + 1);
  expect(page.text).toContain('<tr class="reach-none">');
  const pdf = await admin.get(`${school("compliance.pdf")}?period=period-1`);
  expect(pdf.headers.get("content-type")).toBe("application/pdf");
  expect(pdf.text.startsWith("%PDF")).toBe(true);
  const csv = await admin.get(`${school("compliance.csv")}?period=period-1&class=${fx.classIds.c7a}`);
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.text.split("\r\n")[0]).toBe("Состояние;Класс;Ученик;Предмет / экзамен;Результат;Результат получен;Родитель;Как доведено;Когда;Часов");
  expect(csv.text).not.toContain(";3Б;");
  expect((await admin.get(`${school("compliance")}?period=nope`)).status).toBe(404);
});

test("failed deliveries with a retry through the queue; broadcasts with their counts", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(school("deliveries"));
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  expect(text).toContain("итоговая Иванова Мария Сергеевна Telegram 5 telegram 500");
  expect(text).toMatch(/01\.12\.2026 12:00 класс 7А Собрание в пятницу в 18:00 2 1 1 0 0 0 Telegram: 1, на бумаге: 1/);
  const failed = await Delivery.findOne({ status: "failed" }).lean();
  const retried = await admin.post(school(`deliveries/${failed!._id}/retry`), { _csrf: csrfOf(page.text) });
  expect(retried.location).toBe(`${school("deliveries")}?done=retried`);
  expect((await Delivery.findById(failed!._id).lean())!.status).toBe("queued");
  const again = await admin.post(school(`deliveries/${failed!._id}/retry`), { _csrf: csrfOf(page.text) });
  expect(again.location).toBe(`${school("deliveries")}?done=cannot-retry`);
});

test("a broadcast whose words the retention job erased is listed with its counts and without its text", async () => {
  await DomainEvent.create({
    schoolId: fx.school._id, eventId: "broadcast.requested-def456", type: "broadcast.requested", entity: { resource: "broadcasts", id: new Types.ObjectId() }, studentIds: [], classIds: [],
    payload: { broadcast: { id: "def456", target: { kind: "school" }, authorAccountId: String(new Types.ObjectId()), textErasedAt: NOW } },
    createdAt: moscow("2026-09-01 12:00"), processedAt: moscow("2026-09-01 12:00"),
  });
  const admin = await signedIn(ADMIN);
  const text = pageText((await admin.get(school("deliveries"))).text);
  expect(text).toMatch(/01\.09\.2026 12:00 \S.* текст удалён по истечении срока хранения 0 0 0 0 0 0/);
});

test("printouts per class and week; the homeroom teacher hands a slip over, a subject teacher only looks", async () => {
  const admin = await signedIn(ADMIN);
  const overview = pageText((await admin.get(school("printouts"))).text);
  expect(overview).toContain("Неделя с 23.11.2026 7А выдано 0 из 1");

  const kuznetsov = await signedIn(KUZNETSOV);
  const look = await kuznetsov.get(classPrintouts());
  expect(look.status).toBe(200);
  expect(pageText(look.text)).toContain("Смирнов Пётр Андреевич — Смирнова Анна Викторовна");
  expect(look.text).not.toContain("/handover");
  const slip = `${printoutId}.0`;
  const refused = await kuznetsov.post(`${classPrintouts()}/handover`, { _csrf: csrfOf(look.text), slip });
  expect(refused.status).toBe(404);
  expect((await kuznetsov.get(school("printouts"))).status).toBe(404);

  const sokolova = await signedIn(SOKOLOVA);
  const own = await sokolova.get(classPrintouts());
  const handed = await sokolova.post(`${classPrintouts()}/handover`, { _csrf: csrfOf(own.text), slip });
  expect(handed.location).toBe(`${classPrintouts()}?done=handed#p${printoutId}`);
  expect((await Printout.findById(printoutId).lean())!.slips[0].handedAt).toEqual(NOW);
  expect(pageText((await admin.get(school("printouts"))).text)).toContain("7А выдано 1 из 1");
  // A slip id of another class's sheet is refused (checked against the class in the address).
  const otherClass = `/app/school/${fx.school._id}/class/${fx.classIds.c3b}/printouts`;
  const adminCsrf = csrfOf((await admin.get(otherClass)).text);
  expect((await admin.post(`${otherClass}/handover`, { _csrf: adminCsrf, slip })).status).toBe(404);

  const built = await sokolova.post(`${classPrintouts()}/build`, { _csrf: csrfOf(own.text) });
  expect(built.status).toBe(200);
  expect(built.headers.get("content-type")).toBe("application/pdf");
});

test("teachers, other schools' admins and guardians get 404 on the school's delivery pages", async () => {
  const pages = [school("compliance"), school("compliance.pdf"), school("deliveries"), school("printouts")];
  for (const telegramId of [KUZNETSOV, OTHER_ADMIN, PARENT]) {
    const client = await signedIn(telegramId);
    for (const path of pages) expect({ path, status: (await client.get(path)).status }).toEqual({ path, status: 404 });
  }
  const parent = await signedIn(PARENT);
  expect((await parent.get(classPrintouts())).status).toBe(404);
  const csrf = csrfOf((await parent.get("/app/settings")).text);
  const failed = await Delivery.findOne({ kind: "final" }).lean();
  expect((await parent.post(school(`deliveries/${failed!._id}/retry`), { _csrf: csrf })).status).toBe(404);
});
