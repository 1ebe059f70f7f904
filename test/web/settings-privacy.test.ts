/**
 * The settings and privacy pages over real HTTP: the same stored settings as the bot's /settings
 * (notifications, channel order, contacts with the e-mail code through a real SMTP server), the
 * consent state, withdrawal, and the data export; another school's id answers 404, and every
 * change needs the session's CSRF token.
 */
import { Account, ConsentRecord, Guardian, WebSession } from "../../src/db/models";
import { consentVersionOf } from "../../src/domain/consent";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { issueSignInLink, signInLinkUsable } from "../../src/services/web-sign-in";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";
import { decodeMail, startSmtp, type TestSmtp } from "../support/smtp";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const OLGA = 5401;
const ANNA = 5402;
let fx: SchoolFixture;
let web: WebServer;
let smtp: TestSmtp;

beforeAll(async () => {
  fx = await createSchoolFixture();
  await guardianAccount(fx, OLGA, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  await guardianAccount(fx, ANNA, fx.guardians.otherParent, [fx.students.petya]);
  await Guardian.updateOne({ _id: fx.guardians.parent._id }, { $push: { contacts: { kind: "email", value: "journal.olga@mail.ru", source: "journal" } } });
  smtp = await startSmtp();
  web = await startWeb({ now: NOW, smtpUrl: smtp.url });
});
afterAll(async () => {
  await web?.close();
  await smtp?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

let afterTest: (() => void) | null = null;
afterEach(() => {
  afterTest?.();
  afterTest = null;
});

const account = async (telegramId: number) => (await Account.findOne({ telegramId }).lean())!;

test("notifications: the form stores what the bot's /settings shows", async () => {
  const client = await signedIn(OLGA);
  const page = await client.get("/app/settings");
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  expect(text).toContain("Итоговые оценки и результаты экзаменов приходят всегда");
  expect(text).toContain("как в школе");
  // No child on this page: the way back to the diary is in the navigation.
  expect(page.text).toContain('<a href="/app/">Дневник</a>');
  // The journal's address of her record: shown masked, never as hers.
  expect(text).toContain("j***@mail.ru");
  expect(text).not.toContain("journal.olga@mail.ru");

  const saved = await client.post("/app/settings/notifications", { _csrf: csrfOf(page.text), grades: "digest", forecast: "on", homeworkDigest: "on", quiet: "2" });
  expect(saved.status).toBe(303);
  expect(saved.location).toBe("/app/settings?done=saved");
  const notify = (await account(OLGA)).notify;
  expect(notify).toMatchObject({ grades: "digest", forecast: true, timetable: false, assessments: false, homeworkDigest: true, quietHours: { start: "23:00", end: "07:00" } });
  const after = await client.get(saved.location!);
  expect(pageText(after.text)).toContain("Сохранено.");
  expect(after.text).toMatch(/<option value="digest" selected>/);

  // A mode that does not exist changes nothing.
  expect((await client.post("/app/settings/notifications", { _csrf: csrfOf(page.text), grades: "hourly", quiet: "0" })).status).toBe(404);
  expect((await account(OLGA)).notify.grades).toBe("digest");
  // Without the session's token: refused, nothing stored.
  expect((await client.post("/app/settings/notifications", { grades: "off", quiet: "0" })).status).toBe(403);
  expect((await account(OLGA)).notify.grades).toBe("digest");
});

test("channel order: a channel moves up one place", async () => {
  const client = await signedIn(OLGA);
  const page = await client.get("/app/settings");
  await client.post("/app/settings/channels", { _csrf: csrfOf(page.text), up: "email" });
  expect((await account(OLGA)).channelOrder).toEqual(["email", "telegram", "max", "sms", "paper"]);
  expect((await client.post("/app/settings/channels", { _csrf: csrfOf(page.text), up: "pigeon" })).status).toBe(404);
});

test("contacts: an e-mail confirmed with the code from the letter, then removed", async () => {
  const client = await signedIn(OLGA);
  const page = await client.get("/app/settings");
  const asked = await client.post("/app/settings/email", { _csrf: csrfOf(page.text), email: "Olga.New@Example.org" });
  expect(asked.location).toBe("/app/settings?done=email-sent");
  const withCode = await client.get(asked.location!);
  expect(pageText(withCode.text)).toContain("Код из письма на olga.new@example.org");
  // A mistyped address can be dropped at once and another one asked for.
  expect((await client.post("/app/settings/email/cancel", { _csrf: csrfOf(page.text) })).location).toBe("/app/settings?done=email-cancelled");
  expect(pageText((await client.get("/app/settings")).text)).not.toContain("Код из письма");
  await client.post("/app/settings/email", { _csrf: csrfOf(page.text), email: "Olga.New@Example.org" });
  const code = /\b(\d{6})\b/.exec(decodeMail([...smtp.mails].reverse().find((m) => m.to.includes("olga.new@example.org"))!).text)![1];
  const wrong = await client.post("/app/settings/email/confirm", { _csrf: csrfOf(page.text), code: code === "000000" ? "111111" : "000000" });
  expect(wrong.location).toBe("/app/settings?done=email-wrong");
  const confirmed = await client.post("/app/settings/email/confirm", { _csrf: csrfOf(page.text), code });
  expect(confirmed.location).toBe("/app/settings?done=email-confirmed");
  expect((await account(OLGA)).contacts).toEqual([expect.objectContaining({ kind: "email", value: "olga.new@example.org", source: "guardian" })]);
  expect(pageText((await client.get("/app/settings")).text)).toContain("olga.new@example.org (указан вами)");

  await client.post("/app/settings/contacts/remove", { _csrf: csrfOf(page.text), kind: "email" });
  expect((await account(OLGA)).contacts).toEqual([]);
});

test("privacy: the consent in force, its text, the export; another school's id is 404", async () => {
  const client = await signedIn(ANNA);
  const page = await client.get("/app/privacy");
  const text = pageText(page.text);
  expect(text).toMatch(new RegExp(`${fx.school.name} ?: согласие действует с`));
  expect(text).toContain(`версия текста ${consentVersionOf(fx.school)}`);
  const schoolId = String(fx.school._id);
  expect(pageText((await client.get(`/app/privacy/text/${schoolId}`)).text)).toContain("СОГЛАСИЕ НА ОБРАБОТКУ ПЕРСОНАЛЬНЫХ ДАННЫХ");

  const exported = await client.get("/app/privacy/mydata.json");
  expect(exported.status).toBe(200);
  expect(exported.headers.get("content-disposition")).toBe('attachment; filename="mydata.json"');
  const data = JSON.parse(exported.text);
  expect(data.account.telegramId).toBe(ANNA);
  expect(data.children.map((c: { name: string }) => c.name)).toEqual([fx.students.petya.fullName]);

  const foreign = "0123456789abcdef01234567";
  expect((await client.get(`/app/privacy/withdraw/${foreign}`)).status).toBe(404);
  expect((await client.post(`/app/privacy/withdraw/${foreign}`, { _csrf: csrfOf(page.text) })).status).toBe(404);
});

test("privacy: withdrawing (asked once more) hides the children at once, in this session too", async () => {
  // The fixture's consent was recorded on the real clock: the withdrawal must come after it.
  web.setNow(new Date());
  afterTest = () => web.setNow(NOW);
  const client = await signedIn(ANNA);
  // Anna is also signed in on her phone and has a sign-in link from the bot she has not opened.
  const phone = await signedIn(ANNA);
  const unused = await issueSignInLink({ accountId: (await account(ANNA))._id }, "bot-link", new Date());
  expect(pageText((await client.get("/app/")).text)).toContain(fx.students.petya.fullName);
  const schoolId = String(fx.school._id);
  const confirm = await client.get(`/app/privacy/withdraw/${schoolId}`);
  expect(pageText(confirm.text)).toContain(`Отозвать согласие для школы «${fx.school.name}»?`);
  // A missing token changes nothing.
  expect((await client.post(`/app/privacy/withdraw/${schoolId}`, {})).status).toBe(403);
  const done = await client.post(`/app/privacy/withdraw/${schoolId}`, { _csrf: csrfOf(confirm.text) });
  expect(done.location).toBe(`/app/privacy?withdrawn=${schoolId}`);
  const anna = await account(ANNA);
  expect((await ConsentRecord.findOne({ accountId: anna._id }).sort({ recordedAt: -1, _id: -1 }).lean())!.decision).toBe("withdrawn");
  expect(pageText((await client.get(done.location!)).text)).toContain("согласие отозвано");
  expect((await client.get(`/app/c/${fx.students.petya._id}/`)).status).toBe(404);
  // Her last consent withdrawn: the other session and the unused link close at once, this browser shows the outcome.
  // Signed out there: the sign-in page at the same address, whose Mini App form comes back to it.
  const after = await phone.get("/app/privacy");
  expect(pageText(after.text)).toContain("Вход в дневник");
  expect(after.text).toContain('name="next" value="/app/privacy"');
  expect(await WebSession.countDocuments({ accountId: anna._id })).toBe(1);
  expect(await signInLinkUsable(unused.token, new Date())).toBe(false);
  expect((await client.get("/app/privacy")).status).toBe(200);
});

test("privacy: deleting the account (asked once more) erases it, withdraws the consent and signs out", async () => {
  const DARIA = 5403;
  await guardianAccount(fx, DARIA, fx.guardians.parent, [fx.students.maria]);
  // The consent was recorded on the real clock: the withdrawal must come after it.
  web.setNow(new Date(Date.now() + 1000));
  afterTest = () => web.setNow(NOW);
  const client = await signedIn(DARIA);
  expect(pageText((await client.get("/app/privacy")).text)).toContain("Удалить мой аккаунт");
  const confirm = await client.get("/app/privacy/delete");
  expect(pageText(confirm.text)).toContain("Удалить ваш аккаунт? Это нельзя отменить");
  const daria = await account(DARIA);
  // A missing token deletes nothing.
  expect((await client.post("/app/privacy/delete", {})).status).toBe(403);
  expect(await Account.exists({ _id: daria._id })).not.toBeNull();

  const done = await client.post("/app/privacy/delete", { _csrf: csrfOf(confirm.text) });
  expect(done.status).toBe(200);
  expect(pageText(done.text)).toContain("Ваш аккаунт удалён, вы вышли из дневника");
  expect(await Account.exists({ _id: daria._id })).toBeNull();
  expect((await ConsentRecord.findOne({ accountId: daria._id }).sort({ recordedAt: -1, _id: -1 }).lean())!.decision).toBe("withdrawn");
  // The session is gone: the pages ask to sign in again; the other parent of the record keeps everything.
  expect(pageText((await client.get("/app/privacy")).text)).toContain("Вход в дневник");
  expect(await Account.exists({ telegramId: OLGA })).not.toBeNull();
});

test("a record person (e-mail sign-in) is told the school keeps their settings and consent; no export of an account", async () => {
  await ConsentRecord.create({ guardianId: fx.guardians.parent._id, schoolId: fx.school._id, decision: "granted", form: "paper", textVersion: consentVersionOf(fx.school), textHash: "e".repeat(64), recordedAt: NOW });
  const { token } = await issueSignInLink({ guardianId: fx.guardians.parent._id }, "email", NOW);
  const client = web.client();
  const form = await client.get(`/app/auth/link/${token}`);
  expect((await client.post(`/app/auth/link/${token}`, { _csrf: csrfOf(form.text) })).status).toBe(303);
  expect(pageText((await client.get("/app/settings")).text)).toContain("Ваши настройки хранит школа");
  expect(pageText((await client.get("/app/privacy")).text)).toContain("Школа зарегистрировала ваше письменное согласие 03.12.2026");
  expect((await client.get("/app/privacy/mydata.json")).status).toBe(404);
  const page = await client.get("/app/settings");
  expect((await client.post("/app/settings/channels", { _csrf: csrfOf(page.text), up: "email" })).status).toBe(200);
  expect((await Guardian.findById(fx.guardians.parent._id).lean())!.channelOrder).not.toEqual(["email", "telegram", "paper"]);
  // Signed out: back to the sign-in page.
  expect(pageText((await web.client().get("/app/settings")).text)).toContain("Вход в дневник");
});

test("signed out at /app/settings or /app/privacy: the sign-in page right there, so the Mini App comes back to the page", async () => {
  const visitor = web.client();
  for (const path of ["/app/settings", "/app/privacy"]) {
    const page = await visitor.get(path);
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain("Вход в дневник");
    expect(page.text).toContain(`name="next" value="${path}"`);
  }
  // A form posted without a session still goes to the start page (and changes nothing).
  expect((await visitor.post("/app/privacy/delete", {})).status).not.toBe(200);
});
