/**
 * Invite codes in the console over real HTTP (issue 13): an admin issues a class's guardian codes
 * (slips PDF, CSV, or shown once), a student's and a teacher's code; only hashes are stored; the list
 * shows each code's state (active, used, revoked, expired) without the code; revoking one or a
 * class's; CSRF; teachers, other schools' admins and guardians get 404 and issue nothing.
 */
import { Account, InviteCode } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7401;
const KUZNETSOV = 7402;
const OTHER_ADMIN = 7404;
const PARENT = 7405;
const CODE_RE = /<code class="invite-code">([A-Z0-9-]+)<\/code>/g;
let fx: SchoolFixture;
let web: WebServer;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  const other = await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  web = await startWeb({ now: NOW });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const codes = () => `/app/school/${fx.school._id}/codes`;
const codesOf = (html: string) => [...html.matchAll(CODE_RE)].map((m) => m[1]);

test("a class's guardian codes, shown once: only their hashes are stored; issuing again revokes the old ones", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(codes());
  expect(page.status).toBe(200);
  expect(page.text).toContain(`href="${codes()}"`); // in the navigation
  const csrf = csrfOf(page.text);
  const shown = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "class", classId: String(fx.classIds.c7a), format: "screen" });
  expect(shown.status).toBe(200);
  const issued = codesOf(shown.text);
  expect(issued).toHaveLength(2);
  expect(pageText(shown.text)).toContain("Иванова Мария Сергеевна для родителя, 7А");
  const stored = await InviteCode.find({ schoolId: fx.school._id }).lean();
  expect(stored.map((c) => c.codeHash).sort()).toEqual(issued.map((c) => hashCode(web.config.codePepper, normalizeCode(c))).sort());
  expect(JSON.stringify(stored)).not.toContain(issued[0]);
  expect(stored.every((c) => c.role === "guardian" && String(c.issuedBy) !== "undefined")).toBe(true);

  const pdf = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "class", classId: String(fx.classIds.c7a), format: "pdf" });
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get("content-type")).toBe("application/pdf");
  expect(pdf.text.startsWith("%PDF")).toBe(true);
  const csv = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "class", classId: String(fx.classIds.c3b), format: "csv" });
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.text).toMatch(/^класс;ученик;код;действует до\r\n3Б;Иванов Александр Сергеевич;[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2};\d\d\.\d\d\.\d{4}\r\n$/);

  const list = (await admin.get(`${codes()}?class=${fx.classIds.c7a}`)).text;
  expect(list.match(/<tr data-state="active">/g)).toHaveLength(2);
  expect(list.match(/<tr data-state="revoked">/g)).toHaveLength(2); // the codes shown first were replaced by the PDF's
  for (const code of issued) expect(list).not.toContain(code);
});

test("a student's and a teacher's codes; the list by state; revoking one, a used one, and a class's", async () => {
  const admin = await signedIn(ADMIN);
  const csrf = csrfOf((await admin.get(codes())).text);
  const studentPage = await admin.get(`${codes()}?class=${fx.classIds.c7a}`);
  expect(studentPage.text).toContain(`<option value="${fx.students.petya._id}">Смирнов Пётр Андреевич</option>`);
  const one = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "student", studentId: String(fx.students.petya._id), role: "guardian", format: "screen" });
  expect(codesOf(one.text)).toHaveLength(1);
  // A student's own code needs a guardian's consent first: Пётр's guardian has none.
  const refused = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "student", studentId: String(fx.students.petya._id), role: "student", format: "screen" });
  expect(refused.location).toBe(`${codes()}?done=student-needs-consent`);
  const teacher = await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "teacher", teacherId: String(fx.teachers.kuznetsov), label: "алгебра 7А", format: "screen" });
  expect(codesOf(teacher.text)).toHaveLength(1);
  const staffList = pageText((await admin.get(`${codes()}?class=staff`)).text);
  expect(staffList).toContain("Кузнецов");
  expect(staffList).toContain("для учителя: алгебра 7А");
  // Forged ids: a student of another school, a class not of this school.
  expect((await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "student", studentId: "0123456789abcdef01234567", role: "guardian" })).location).toBe(`${codes()}?done=bad-request`);

  const active = await InviteCode.findOne({ schoolId: fx.school._id, studentId: fx.students.petya._id, usedAt: null, revokedAt: null }).lean();
  const revoked = await admin.post(`${codes()}/${active!._id}/revoke`, { _csrf: csrf, class: String(fx.classIds.c7a) });
  expect(revoked.location).toBe(`${codes()}?done=revoked&class=${fx.classIds.c7a}`);
  expect((await InviteCode.findById(active!._id).lean())!.revokedAt).toEqual(NOW);
  expect((await admin.post(`${codes()}/${active!._id}/revoke`, { _csrf: csrf })).location).toBe(`${codes()}?done=already-revoked`);

  const parent = await Account.findOne({ telegramId: PARENT }).lean();
  const usedOne = await InviteCode.findOne({ schoolId: fx.school._id, studentId: fx.students.maria._id, usedAt: null, revokedAt: null }).lean();
  await InviteCode.updateOne({ _id: usedOne!._id }, { $set: { usedAt: NOW, usedByAccountId: parent!._id } });
  expect((await admin.post(`${codes()}/${usedOne!._id}/revoke`, { _csrf: csrf })).location).toBe(`${codes()}?done=used`);
  const used = pageText((await admin.get(`${codes()}?state=used`)).text);
  expect(used).toContain("Иванова Мария Сергеевна для родителя, 7А использован");
  expect(used).toContain("аккаунт Telegram …7405");

  await admin.post(`${codes()}/issue`, { _csrf: csrf, kind: "class", classId: String(fx.classIds.c7a), format: "csv" });
  const all = await admin.post(`${codes()}/revoke-class`, { _csrf: csrf, classId: String(fx.classIds.c7a) });
  expect(all.location).toBe(`${codes()}?done=revoked-class&n=2&class=${fx.classIds.c7a}`);
  expect(pageText((await admin.get(all.location!)).text)).toContain("Отозвано 2 неиспользованных кода класса.");
  expect(await InviteCode.countDocuments({ schoolId: fx.school._id, studentId: { $in: [fx.students.maria._id, fx.students.petya._id] }, usedAt: null, revokedAt: null })).toBe(0);
});

test("without the CSRF token nothing is issued; teachers, other schools' admins and guardians get 404", async () => {
  const before = await InviteCode.countDocuments();
  const admin = await signedIn(ADMIN);
  expect((await admin.post(`${codes()}/issue`, { kind: "class", classId: String(fx.classIds.c7a), format: "screen" })).status).toBe(403);
  for (const telegramId of [KUZNETSOV, OTHER_ADMIN, PARENT]) {
    const client = await signedIn(telegramId);
    expect((await client.get(codes())).status).toBe(404);
    const csrf = csrfOf((await client.get("/app/settings")).text);
    const post = await client.post(`${codes()}/issue`, { _csrf: csrf, kind: "class", classId: String(fx.classIds.c7a), format: "screen" });
    expect(post.status).toBe(404);
    expect(codesOf(post.text)).toEqual([]);
  }
  expect(pageText((await (await signedIn(KUZNETSOV)).get(`/app/school/${fx.school._id}/`)).text)).not.toContain("Коды приглашения");
  expect(await InviteCode.countDocuments()).toBe(before);
});
