/**
 * The school's staff in the console over real HTTP: an admin sees the teachers and admins with their
 * term, revokes a teacher at once (with the unused codes they issued) and renews roles through the
 * next school year, each change in the audit log; their own admin role is not revoked here; CSRF;
 * teachers, other schools' admins and guardians get 404 and change nothing.
 */
import { Account, AuditEntry, InviteCode } from "../../src/db/models";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";

useTestDb();

const NOW = moscow("2027-06-10 10:00");
const ADMIN = 7501;
const KUZNETSOV = 7502;
const VOLKOVA = 7503;
const OTHER_ADMIN = 7504;
const PARENT = 7505;
let fx: SchoolFixture;
let web: WebServer;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  const other = await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(VOLKOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.volkova }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  web = await startWeb({ now: NOW });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const staff = () => `/app/school/${fx.school._id}/staff`;
const accountOf = async (telegramId: number) => (await Account.findOne({ telegramId }).lean())!;

test("the staff list; revoking a teacher takes the role and their unused codes away at once, audited", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(staff());
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  expect(text).toContain("Сотрудники школы");
  expect(text).toMatch(/учитель/);
  expect(text).toContain("31.08.2027");
  const kuznetsov = await accountOf(KUZNETSOV);
  await InviteCode.create({ schoolId: fx.school._id, codeHash: "a".repeat(64), role: "guardian", studentId: fx.students.maria._id, issuedBy: kuznetsov._id, expiresAt: new Date(NOW.getTime() + 86_400_000) });

  // Without the session's token nothing changes.
  expect((await admin.post(`${staff()}/revoke`, { account: String(kuznetsov._id), role: "teacher", confirm: "1" })).status).toBe(403);
  // "Снять" on the list is a link-like form (GET): one click opens the confirmation and changes nothing.
  expect(page.text).toContain(`<form method="get" action="${staff()}/revoke"`);
  const ask = await admin.get(`${staff()}/revoke?account=${kuznetsov._id}&role=teacher&withCodes=1`);
  expect(ask.status).toBe(200);
  const question = pageText(ask.text);
  expect(question).toContain("Снять роль «учитель» у сотрудника Кузнецов");
  expect(question).toContain("Будет отозван и 1 неиспользованный код, который он выдал.");
  expect((await accountOf(KUZNETSOV)).roles.map((r) => r.role)).toEqual(["teacher"]);
  // A POST that is not the confirmation's (an older page's form) is sent to ask first.
  const unconfirmed = await admin.post(`${staff()}/revoke`, { _csrf: csrfOf(page.text), account: String(kuznetsov._id), role: "teacher", withCodes: "1" });
  expect(unconfirmed.status).toBe(303);
  expect(unconfirmed.location).toBe(`${staff()}/revoke?account=${kuznetsov._id}&role=teacher&withCodes=1`);
  expect((await accountOf(KUZNETSOV)).roles.map((r) => r.role)).toEqual(["teacher"]);
  expect(await AuditEntry.countDocuments({ action: "role.revoked" })).toBe(0);
  // Confirming (the confirmation's own form) revokes.
  const done = await admin.post(`${staff()}/revoke`, { _csrf: csrfOf(ask.text), account: String(kuznetsov._id), role: "teacher", withCodes: "1", confirm: "1" });
  expect(done.status).toBe(303);
  expect(pageText((await admin.get(done.location!)).text)).toContain("Роль снята, отозван 1 неиспользованный код.");
  expect((await accountOf(KUZNETSOV)).roles).toEqual([]);
  expect(await InviteCode.countDocuments({ issuedBy: kuznetsov._id, revokedAt: null })).toBe(0);
  expect(await AuditEntry.findOne({ action: "role.revoked", "target.id": kuznetsov._id }).lean()).toMatchObject({ actor: { kind: "account" } });
});

test("renewing keeps roles through the next school year; the admin's own admin role is not revoked here", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(staff());
  const volkova = await accountOf(VOLKOVA);
  const renewed = await admin.post(`${staff()}/renew`, { _csrf: csrfOf(page.text), account: String(volkova._id), role: "teacher" });
  expect(pageText((await admin.get(renewed.location!)).text)).toContain("Продлена 1 роль.");
  const until = (await accountOf(VOLKOVA)).roles[0].expiresAt!;
  expect(until.getTime()).toBeGreaterThan(new Date("2027-08-31T21:00:00Z").getTime());
  // Again: nothing left to renew.
  const again = await admin.post(`${staff()}/renew`, { _csrf: csrfOf(page.text), account: String(volkova._id), role: "teacher" });
  expect(pageText((await admin.get(again.location!)).text)).toContain("Продлевать нечего");

  const self = await accountOf(ADMIN);
  const refused = await admin.post(`${staff()}/revoke`, { _csrf: csrfOf(page.text), account: String(self._id), role: "admin", confirm: "1" });
  expect(pageText((await admin.get(refused.location!)).text)).toContain("Свою роль администратора здесь снять нельзя");
  const askSelf = await admin.get(`${staff()}/revoke?account=${self._id}&role=admin`);
  expect(askSelf.location).toBe(`${staff()}?done=self`);
  expect(pageText((await admin.get(refused.location!)).text)).toContain("Свою роль администратора здесь снять нельзя");
  expect((await accountOf(ADMIN)).roles.map((r) => r.role)).toEqual(["admin"]);
  // A forged id or role changes nothing.
  const forged = await admin.post(`${staff()}/revoke`, { _csrf: csrfOf(page.text), account: "nope", role: "teacher", confirm: "1" });
  expect(pageText((await admin.get(forged.location!)).text)).toContain("Запрос не понят");
  // Asking about someone who holds no such role here: nothing to confirm.
  const volkovaAsAdmin = await admin.get(`${staff()}/revoke?account=${volkova._id}&role=admin`);
  expect(pageText((await admin.get(volkovaAsAdmin.location!)).text)).toContain("Не получилось");
});

test("teachers, another school's admin and guardians get 404 and change nothing", async () => {
  const volkova = await accountOf(VOLKOVA);
  for (const telegramId of [VOLKOVA, OTHER_ADMIN, PARENT]) {
    const client = await signedIn(telegramId);
    expect((await client.get(staff())).status).toBe(404);
    const home = await client.get("/app/");
    expect((await client.get(`${staff()}/revoke?account=${volkova._id}&role=teacher`)).status).toBe(404);
    expect((await client.post(`${staff()}/revoke`, { _csrf: csrfOf(home.text), account: String(volkova._id), role: "teacher", confirm: "1" })).status).toBe(404);
  }
  expect((await accountOf(VOLKOVA)).roles.map((r) => r.role)).toEqual(["teacher"]);
});
