/**
 * E-mail sign-in over real HTTP and a real SMTP server on loopback: who gets a link (an account by
 * its own confirmed address with consent in force, a record person by the record's address with a
 * written consent), that the page says the same for everyone, the 15 minutes, once, and the limits.
 */
import { Account, ConsentRecord, Guardian, WebSession, WebSignIn } from "../../src/db/models";
import { surnameInitialOf } from "../../src/domain/format";
import { consentVersionOf } from "../../src/domain/consent";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer } from "../support/web";
import { decodeMail, startSmtp, type TestSmtp } from "../support/smtp";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const OLGA = 5201;
let fx: SchoolFixture;
let web: WebServer;
let smtp: TestSmtp;

beforeAll(async () => {
  fx = await createSchoolFixture();
  const olga = await guardianAccount(fx, OLGA, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  await Account.updateOne({ _id: olga._id }, { $push: { contacts: { kind: "email", value: "olga@example.org", source: "guardian", verifiedAt: NOW } } });
  // The other parent's journal record: an address from the journal and a consent given on paper.
  await Guardian.updateOne({ _id: fx.guardians.otherParent._id }, { $push: { contacts: { kind: "email", value: "paper.parent@example.org", source: "journal" } } });
  await ConsentRecord.create({ guardianId: fx.guardians.otherParent._id, schoolId: fx.school._id, decision: "granted", form: "paper", textVersion: consentVersionOf(fx.school), textHash: "d".repeat(64) });
  // A record with a journal address but no written consent: no link.
  await Guardian.create({ schoolId: fx.school._id, studentIds: [fx.students.maria._id], contacts: [{ kind: "email", value: "no.consent@example.org", source: "journal" }] });
  // An account whose address was never confirmed: no link.
  await Account.create({ telegramId: 5202, chatId: 5202, contacts: [{ kind: "email", value: "unconfirmed@example.org", source: "guardian" }] });
  smtp = await startSmtp();
  web = await startWeb({ now: NOW, smtpUrl: smtp.url });
});
afterAll(async () => {
  await web?.close();
  await smtp?.close();
});

async function ask(client: WebClient, email: string) {
  const form = await client.get("/app/login");
  expect(form.status).toBe(200);
  const answer = await client.post("/app/login", { _csrf: csrfOf(form.text), email });
  await web.idle();
  return answer;
}

/** The link in the newest e-mail to this address. */
function linkTo(email: string): string {
  const mail = [...smtp.mails].reverse().find((m) => m.to.includes(email));
  if (!mail) throw new Error(`no e-mail to ${email}`);
  const { text } = decodeMail(mail);
  const url = new RegExp(`${web.url}(/app/auth/link/[A-Za-z0-9_-]{43})`).exec(text);
  if (!url) throw new Error("no link in the e-mail");
  return url[1];
}

async function openLink(client: WebClient, path: string) {
  const confirm = await client.get(path);
  if (confirm.status !== 200) return confirm;
  return client.post(path, { _csrf: csrfOf(confirm.text) });
}

test("the sign-in page offers e-mail; an account's confirmed address gets a link that signs in once", async () => {
  const client = web.client();
  expect(pageText((await client.get("/app/")).text)).toContain("Войти по почте");
  const answer = await ask(client, "  Olga@Example.org ");
  expect(answer.status).toBe(200);
  expect(pageText(answer.text)).toContain("Ссылка действует 15 минут и открывается один раз");

  const mail = smtp.mails.find((m) => m.to.includes("olga@example.org"))!;
  expect(mail.from).toBe("school@example.org");
  const { subject, text } = decodeMail(mail);
  expect(subject).toBe("Вход в школьный дневник");
  expect(text).toContain("действует 15 минут");

  const path = linkTo("olga@example.org");
  const signedIn = await openLink(client, path);
  expect(signedIn.status).toBe(303);
  const start = pageText((await client.get("/app/")).text);
  expect(start).toContain("Иванова Мария Сергеевна");
  const account = await Account.findOne({ telegramId: OLGA });
  expect(await WebSession.countDocuments({ accountId: account!._id, via: "email" })).toBe(1);

  // The same link again, in another browser: refused.
  const reused = await openLink(web.client(), path);
  expect(reused.status).toBe(410);
  expect(pageText(reused.text)).toContain("Ссылка больше не действует");
});

test("a record person known only on paper signs in with the journal's address and sees the child masked", async () => {
  const client = web.client();
  await ask(client, "paper.parent@example.org");
  expect((await openLink(client, linkTo("paper.parent@example.org"))).status).toBe(303);
  const start = pageText((await client.get("/app/")).text);
  const { fullName } = fx.students.petya;
  expect(start).toContain(surnameInitialOf(fullName));
  expect(start).not.toContain(fullName);
  expect(await WebSession.countDocuments({ guardianId: fx.guardians.otherParent._id, via: "email" })).toBe(1);
});

test("the page says the same for an unknown address, one without consent and an unconfirmed one; none gets mail", async () => {
  const before = smtp.mails.length;
  const known = pageText((await ask(web.client(), "olga@example.org")).text);
  expect(smtp.mails.length).toBe(before + 1);
  for (const email of ["stranger@example.org", "no.consent@example.org", "unconfirmed@example.org"]) {
    const answer = await ask(web.client(), email);
    expect(answer.status).toBe(200);
    expect(pageText(answer.text)).toBe(known);
  }
  expect(smtp.mails.length).toBe(before + 1);
  // The logs carry outcomes, never the address.
  expect(web.logs.join("")).not.toContain("stranger@example.org");
  expect(web.logs.join("")).not.toContain("olga@example.org");
});

test("at most three unexpired e-mail links per person: the fourth request sends nothing, and says the same", async () => {
  await WebSignIn.deleteMany({ purpose: "email" });
  const before = smtp.mails.length;
  const pages = [];
  for (let i = 0; i < 4; i++) pages.push(pageText((await ask(web.client(), "olga@example.org")).text));
  expect(smtp.mails.length).toBe(before + 3);
  expect(new Set(pages).size).toBe(1);
});

test("a link is valid 15 minutes", async () => {
  const client = web.client();
  await ask(client, "paper.parent@example.org");
  const path = linkTo("paper.parent@example.org");
  web.setNow(new Date(NOW.getTime() + 16 * 60_000));
  try {
    expect((await client.get(path)).status).toBe(410);
  } finally {
    web.setNow(NOW);
  }
});

test("a wrong address is shown back with the error; a POST without the form's token is refused", async () => {
  const client = web.client();
  const form = await client.get("/app/login");
  const wrong = await client.post("/app/login", { _csrf: csrfOf(form.text), email: "olga@" });
  expect(wrong.status).toBe(400);
  expect(pageText(wrong.text)).toContain("Это не похоже на адрес электронной почты");
  expect(wrong.text).toContain('aria-invalid="true"');
  expect((await client.post("/app/login", { email: "olga@example.org" })).status).toBe(403);
  expect((await web.client().post("/app/login", { _csrf: csrfOf(form.text), email: "olga@example.org" })).status).toBe(403);
});

test("without an e-mail channel the cabinet offers no e-mail sign-in", async () => {
  const plain = await startWeb({ now: NOW });
  try {
    const client = plain.client();
    expect(pageText((await client.get("/app/")).text)).not.toContain("Войти по почте");
    expect((await client.get("/app/login")).status).toBe(404);
  } finally {
    await plain.close();
  }
});
