/**
 * The console's consent registry over real HTTP (issue 13): the class's persons with their
 * decisions, the filters, the CSV for Excel, the paper forms for non-responders, a written decision
 * with its statement's number, date, contacts and (e-document) file hash, contacts on their own,
 * the form's checks (nothing written), CSRF, and who may see and do what (404 for everyone else).
 */
import { createHash } from "node:crypto";
import { Account, AuditEntry, ConsentRecord, Guardian } from "../../src/db/models";
import { createI18n, translator } from "../../src/i18n";
import { registerPaperDecision } from "../../src/services/paper-consent";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";
import { UPLOAD_LIMIT } from "../../src/web/console/upload";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7201;
const KUZNETSOV = 7202; // algebra in 7А only
const MOROZOVA = 7203; // homeroom teacher of 3Б
const OTHER_ADMIN = 7204;
const PARENT = 7205;
let fx: SchoolFixture;
let other: Awaited<ReturnType<typeof otherSchool>>;
let web: WebServer;

beforeAll(async () => {
  fx = await createSchoolFixture();
  other = await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(MOROZOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.morozova }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  web = await startWeb({ now: NOW });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const consents = (key: "c7a" | "c3b" = "c7a") => `/app/school/${fx.school._id}/class/${fx.classIds[key]}/consents`;
const guardianPage = (guardianId: unknown, key: "c7a" | "c3b" = "c7a") => `${consents(key)}/guardian/${String(guardianId)}`;

function form(fields: Record<string, string>, file?: { name: string; content: string }): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append("file", new Blob([file?.content ?? ""], { type: "application/octet-stream" }), file?.name ?? "");
  return data;
}

async function expectRefused(client: WebClient, path: string) {
  const [response, missing] = [await client.get(path), await client.get("/app/no-such-page")];
  expect({ path, status: response.status }).toEqual({ path, status: 404 });
  expect(response.text.split(path).join("PATH")).toBe(missing.text.split("/app/no-such-page").join("PATH"));
}

test("an admin sees every person of the class with their decision, filtered, and as CSV for Excel", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(consents());
  expect(page.status).toBe(200);
  const text = pageText(page.text);
  // Ольга's account acts for her record for Мария (consent in the bot); Анна is known from the journal only.
  expect(text).toMatch(/Иванова Мария Сергеевна Иванова Ольга Николаевна аккаунт Telegram …7205 согласие Telegram \d\d\.\d\d\.\d{4} \d\d:\d\d сам, в мессенджере/);
  expect(text).toContain("Смирнов Пётр Андреевич Смирнова Анна Викторовна запись журнала (сам родитель) нет ответа —");
  expect(text).not.toContain("Иванов Александр"); // 3Б
  expect(page.text).toContain(`href="${guardianPage(fx.guardians.otherParent._id)}"`);

  const filtered = pageText((await admin.get(`${consents()}?state=none&form=none`)).text);
  expect(filtered).toContain("Смирнова Анна Викторовна запись журнала (сам родитель) нет ответа — — Зарегистрировать");
  expect(filtered).toContain("Смирнова Анна Викторовна");
  expect(filtered).not.toContain("Иванова Ольга Николаевна");

  const csv = await admin.get(`${consents()}.csv?state=granted`);
  expect(csv.status).toBe(200);
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.headers.get("content-disposition")).toContain("filename*=UTF-8''");
  const bytes = Buffer.from(await (await fetch(`${web.url}${consents()}.csv?state=granted`, { headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } })).arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs for Cyrillic
  const lines = csv.text.trim().split("\r\n");
  expect(lines[0]).toBe("Ученик;Родитель;Кто;Состояние;Форма;Дата решения;Кто зарегистрировал;Заявление;Дата заявления;SHA-256 файла;Контакты");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^Иванова Мария Сергеевна;Иванова Ольга Николаевна;аккаунт Telegram …7205;согласие;Telegram;/);
});

test("paper consent forms for the non-responders, once the school's days have passed", async () => {
  const admin = await signedIn(ADMIN);
  const none = await admin.get(`${consents()}/forms.pdf`);
  expect(none.status).toBe(303);
  expect(none.location).toBe(`${consents()}?done=no-forms`);
  web.setNow(new Date(Date.now() + 8 * 86400_000));
  try {
    const pdf = await admin.get(`${consents()}/forms.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.text.startsWith("%PDF")).toBe(true);
  } finally {
    web.setNow(NOW);
  }
});

test("an admin registers a paper consent with contacts, number and date; the registry shows it", async () => {
  const admin = await signedIn(ADMIN);
  const path = guardianPage(fx.guardians.otherParent._id);
  const page = await admin.get(path);
  expect(page.status).toBe(200);
  const csrf = csrfOf(page.text);
  const posted = await admin.postMultipart(`${path}/decision`, form({ _csrf: csrf, decision: "granted", form: "paper", signer: "record", number: "17-П", date: "2026-12-02", email: "Anna@Example.org", phone: "8 (916) 123-45-67" }));
  expect(posted.status).toBe(303);
  expect(posted.location).toBe(`${consents()}?done=registered`);
  const record = await ConsentRecord.findOne({ guardianId: fx.guardians.otherParent._id }).lean();
  expect(record).toMatchObject({ decision: "granted", form: "paper", document: { number: "17-П", date: "2026-12-02" } });
  expect(record!.document!.fileHash).toBeUndefined();
  const admins = await Account.findOne({ telegramId: ADMIN }).lean();
  expect(String(record!.recordedBy)).toBe(String(admins!._id));
  const guardian = await Guardian.findById(fx.guardians.otherParent._id).lean();
  expect(guardian!.contacts.map((c) => [c.kind, c.value, c.source])).toEqual([["email", "anna@example.org", "school-paper"], ["phone", "+79161234567", "school-paper"]]);
  const text = pageText((await admin.get(`${consents()}?done=registered`)).text);
  expect(text).toContain("Решение записано.");
  expect(text).toMatch(/Смирнова Анна Викторовна запись журнала \(сам родитель\) согласие бумага 03\.12\.2026 18:00 администратор …7201 № 17-П от 2 декабря 2026 anna@example\.org \(заявление на бумаге\), \+79161234567 \(заявление на бумаге\)/);
});

test("an e-document needs its signed file, and only the file's SHA-256 is kept; contacts on their own are audited", async () => {
  const admin = await signedIn(ADMIN);
  const path = guardianPage(fx.guardians.parent._id);
  const csrf = csrfOf((await admin.get(path)).text);
  const before = await ConsentRecord.countDocuments();
  const missing = await admin.postMultipart(`${path}/decision`, form({ _csrf: csrf, decision: "withdrawn", form: "edoc", number: "5", date: "2026-12-01" }));
  expect(missing.status).toBe(422);
  expect(pageText(missing.text)).toContain("Для электронного документа приложите подписанный файл.");
  const future = await admin.postMultipart(`${path}/decision`, form({ _csrf: csrf, decision: "granted", form: "paper", number: "5", date: "2026-12-04" }));
  expect(future.status).toBe(422);
  expect(pageText(future.text)).toContain("Дата заявления не может быть позже сегодняшней.");
  expect(await ConsentRecord.countDocuments()).toBe(before);

  const content = "%PDF-1.7 signed statement";
  const ok = await admin.postMultipart(`${path}/decision`, form({ _csrf: csrf, decision: "granted", form: "edoc", number: "ЭД-9", date: "2026-12-03" }, { name: "statement.pdf.sig", content }));
  expect(ok.status).toBe(303);
  const record = await ConsentRecord.findOne({ guardianId: fx.guardians.parent._id, form: "edoc" }).lean();
  expect(record!.document).toEqual({ number: "ЭД-9", date: "2026-12-03", fileHash: createHash("sha256").update(content).digest("hex") });

  const contacts = await admin.postMultipart(`${path}/contacts`, form({ _csrf: csrf, form: "paper", number: "18", date: "2026-12-03", phone: "+79035550000" }));
  expect(contacts.status).toBe(303);
  expect(contacts.location).toBe(`${consents()}?done=contacts`);
  const guardian = await Guardian.findById(fx.guardians.parent._id).lean();
  expect(guardian!.contacts.map((c) => [c.kind, c.value, c.source])).toEqual([["phone", "+79035550000", "school-paper"]]);
  const audit = await AuditEntry.findOne({ action: "contacts.written" }).lean();
  expect(audit).toMatchObject({ schoolId: fx.school._id, target: { kind: "guardian", id: fx.guardians.parent._id }, after: { set: ["phone"], form: "paper" } });
  expect(JSON.stringify(audit)).not.toContain("+79035550000");
  const nothing = await admin.postMultipart(`${path}/contacts`, form({ _csrf: csrf, form: "paper", number: "19", date: "2026-12-03" }));
  expect(nothing.status).toBe(422);
});

test("a signed file over the upload limit is refused and nothing is written", async () => {
  const admin = await signedIn(ADMIN);
  const path = guardianPage(fx.guardians.otherParent._id);
  const csrf = csrfOf((await admin.get(path)).text);
  const before = await ConsentRecord.countDocuments();
  const big = form({ _csrf: csrf, decision: "granted", form: "edoc", number: "9", date: "2026-12-01" }, { name: "huge.pdf", content: "x".repeat(UPLOAD_LIMIT + 1024) });
  const refused = await admin.postMultipart(`${path}/decision`, big);
  expect(refused.status).toBe(413);
  expect(await ConsentRecord.countDocuments()).toBe(before);
});

test("a form without its CSRF token or from another origin is refused and nothing is written", async () => {
  const admin = await signedIn(ADMIN);
  const path = guardianPage(fx.guardians.otherParent._id);
  const csrf = csrfOf((await admin.get(path)).text);
  const before = await ConsentRecord.countDocuments();
  const fields = { decision: "declined", form: "paper", number: "1", date: "2026-12-01" };
  expect((await admin.postMultipart(`${path}/decision`, form(fields))).status).toBe(403);
  expect((await admin.postMultipart(`${path}/decision`, form({ ...fields, _csrf: csrf }), { origin: "https://evil.example" })).status).toBe(403);
  expect(await ConsentRecord.countDocuments()).toBe(before);
});

test("teachers see their classes' registry only and register nothing; other schools and guardians get 404", async () => {
  const kuznetsov = await signedIn(KUZNETSOV);
  const page = await kuznetsov.get(consents());
  expect(page.status).toBe(200);
  expect(page.text).not.toContain("/guardian/");
  expect((await kuznetsov.get(`${consents()}.csv`)).status).toBe(200);
  await expectRefused(kuznetsov, consents("c3b"));
  await expectRefused(kuznetsov, guardianPage(fx.guardians.otherParent._id));
  const csrf = csrfOf((await kuznetsov.get("/app/settings")).text);
  const before = await ConsentRecord.countDocuments();
  const post = await kuznetsov.postMultipart(`${guardianPage(fx.guardians.otherParent._id)}/decision`, form({ _csrf: csrf, decision: "declined", form: "paper", number: "1", date: "2026-12-01" }));
  expect(post.status).toBe(404);
  expect(await ConsentRecord.countDocuments()).toBe(before);

  const morozova = await signedIn(MOROZOVA);
  expect((await morozova.get(consents("c3b"))).status).toBe(200);
  await expectRefused(morozova, consents("c7a"));

  const admin = await signedIn(ADMIN);
  // Анна's record has no child in 3Б: not a guardian of that class.
  await expectRefused(admin, guardianPage(fx.guardians.otherParent._id, "c3b"));
  expect((await admin.get(guardianPage(fx.guardians.parent._id, "c3b"))).status).toBe(200);
  await expectRefused(admin, `/app/school/${other.school._id}/class/${other.schoolClass._id}/consents`);
  await expectRefused(admin, `${consents()}/guardian/nope`);

  const otherAdmin = await signedIn(OTHER_ADMIN);
  for (const path of [consents(), `${consents()}.csv`, `${consents()}/forms.pdf`, guardianPage(fx.guardians.parent._id)]) await expectRefused(otherAdmin, path);
  const parent = await signedIn(PARENT);
  for (const path of [consents(), `${consents()}.csv`, guardianPage(fx.guardians.parent._id)]) await expectRefused(parent, path);
});

test("a decision registered on the command line says so in the registry", async () => {
  await registerPaperDecision({
    schoolId: fx.school._id, guardianId: fx.guardians.otherParent._id, decision: "declined", form: "paper", t: translator(createI18n("ru"), "ru"), now: NOW, note: "№ 77",
  });
  const admin = await signedIn(ADMIN);
  const text = pageText((await admin.get(`${consents()}?form=paper`)).text);
  expect(text).toContain("Смирнова Анна Викторовна запись журнала (сам родитель) отказ бумага 03.12.2026 18:00 из командной строки № 77");
});
