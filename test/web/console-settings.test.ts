/**
 * The console's settings and audit log pages over real HTTP (issue 13.1): only the school's admins
 * (teachers, guardians, students, other schools' admins, someone signed out: the same 404 as a
 * missing page, for GET and POST); saving all or nothing with the audit log; errors next to their
 * fields with the values kept; the consent text's preview and its new version; CSRF; the log's pages.
 */
import { AuditEntry, School } from "../../src/db/models";
import { recordAudit } from "../../src/services/audit";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, studentAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { csrfOf, pageText, startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7201;
const KUZNETSOV = 7202;
const OTHER_ADMIN = 7203;
const PARENT = 7204;
const STUDENT = 7205;
const EN_ADMIN = 7206;
let fx: SchoolFixture;
let other: Awaited<ReturnType<typeof otherSchool>>;
let web: WebServer;
let adminId: string;

beforeAll(async () => {
  fx = await createSchoolFixture();
  other = await otherSchool();
  adminId = String((await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]))._id);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await staffAccount(EN_ADMIN, [{ role: "admin", schoolId: fx.school._id }], "en");
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  await studentAccount(fx, STUDENT, fx.students.maria);
  web = await startWeb({ now: NOW });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const settings = (schoolId: unknown = fx.school._id) => `/app/school/${String(schoolId)}/settings`;
const audit = (schoolId: unknown = fx.school._id) => `/app/school/${String(schoolId)}/audit`;
const stored = async () => (await School.findById(fx.school._id).lean())!;

async function expectRefused(client: WebClient, path: string) {
  const [response, missing] = [await client.get(path), await client.get("/app/no-such-page")];
  expect({ path, status: response.status }).toEqual({ path, status: 404 });
  expect(response.text.split(path).join("PATH")).toBe(missing.text.split("/app/no-such-page").join("PATH"));
}

test("only the school's admins: teachers, guardians, students, other admins and strangers get the 404 page", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(settings());
  expect(page.status).toBe(200);
  expect(page.text).toContain("<h1>Настройки школы</h1>");
  // In the console's navigation and on the school's page, for admins.
  expect(page.text).toMatch(new RegExp(`<a href="${settings()}" aria-current="page">Настройки школы</a>`));
  expect((await admin.get(`/app/school/${fx.school._id}/`)).text).toContain(`href="${audit()}"`);
  expect((await admin.get(audit())).status).toBe(200);
  for (const path of [settings(other.school._id), audit(other.school._id)]) await expectRefused(admin, path);

  const teacher = await signedIn(KUZNETSOV);
  expect((await teacher.get(`/app/school/${fx.school._id}/`)).text).not.toContain(settings());
  const refusedOwn = [settings(), audit()];
  for (const telegramId of [KUZNETSOV, OTHER_ADMIN, PARENT, STUDENT]) {
    const client = await signedIn(telegramId);
    for (const path of refusedOwn) await expectRefused(client, path);
    // A POST is refused the same way, and changes nothing.
    const csrf = csrfOf((await client.get("/app/settings")).text);
    const post = await client.post(settings(), { _csrf: csrf, action: "save", "quietHours.start": "20:00" });
    expect(post.status).toBe(404);
  }
  for (const path of refusedOwn) await expectRefused(web.client(), path);
  expect((await stored()).settings.quietHours.start).toBe("21:00");
  expect(await AuditEntry.countDocuments({ schoolId: fx.school._id })).toBe(0);
});

test("every setting by topic, each with its meaning; the consent text as guardians see it", async () => {
  const admin = await signedIn(ADMIN);
  const page = await admin.get(settings());
  const text = pageText(page.text);
  for (const topic of ["Школа", "Оператор персональных данных", "Время и тихие часы", "Прогнозы и сводки", "Оценивание", "Бумажные выписки и неответившие", "Доставка и SMS", "Хранение данных и коды"]) {
    expect(page.text).toContain(`>${topic}</h2>`);
  }
  expect(page.text).toMatch(/<label for="f-quietHours-start">Тихие часы: начало<\/label>\s*<input type="text" id="f-quietHours-start" name="quietHours.start" aria-describedby="f-quietHours-start-hint" value="21:00"/);
  expect(text).toContain("С этого времени сообщения не отправляются");
  expect(page.text).toContain('<option value="5" selected>пятница</option>'); // printouts on Friday
  expect(text).toContain("Версия текста согласия сейчас: 2026-12.");
  expect(text).toContain("Сейчас так согласился 1 человек: его спросят снова."); // the parent, in the bot
  expect(text).toContain(`даю согласие оператору — ${fx.school.name} (адрес:`);
});

test("saving: all at once, back with a line saying so, each change in the audit log", async () => {
  const admin = await signedIn(ADMIN);
  const csrf = csrfOf((await admin.get(settings())).text);
  const saved = await admin.post(settings(), { _csrf: csrf, action: "save", "quietHours.start": "22:00", "quietHours.end": "7:30", "sms.forecasts": "true", "forecastSchedule.enabled": "false", "workTypeWeights": "Контрольная работа: 3\nтест: 2" });
  expect(saved.status).toBe(303);
  expect(saved.location).toBe(`${settings()}?done=saved`);
  const school = await stored();
  expect(school.settings.quietHours).toEqual({ start: "22:00", end: "07:30" });
  expect(school.settings.sms.forecasts).toBe(true);
  expect(school.settings.forecastSchedule.enabled).toBe(false);
  expect(school.settings.workTypeWeights).toEqual({ "контрольная работа": 3, тест: 2 });
  const back = await admin.get(saved.location!);
  expect(pageText(back.text)).toContain("Настройки сохранены.");
  expect(back.text).toContain('value="22:00"');

  const log = await admin.get(audit());
  expect(log.status).toBe(200);
  const rows = pageText(log.text);
  expect(rows).toContain("5 записей, новые сверху");
  expect(rows).toContain("03.12.2026 18:00 администратор …7201 Тихие часы: начало 21:00 22:00");
  expect(rows).toContain("Рассылать прогнозы итоговых оценок да нет");
  expect(rows).toContain("Веса по видам работ — контрольная работа: 3, тест: 2");
  const entries = await AuditEntry.find({ schoolId: fx.school._id }).lean();
  expect(entries.every((e) => e.actor.kind === "account" && String(e.actor.accountId) === adminId)).toBe(true);
});

test("errors: next to their fields, the typed values kept, nothing saved", async () => {
  const admin = await signedIn(ADMIN);
  const before = await stored();
  const logged = await AuditEntry.countDocuments({ schoolId: fx.school._id });
  const csrf = csrfOf((await admin.get(settings())).text);
  const page = await admin.post(settings(), { _csrf: csrf, action: "save", "quietHours.start": "23:00", "quietHours.end": "31:00", minGrades: "много", "thresholds.four": "4,8", "operator.inn": "12345" });
  expect(page.status).toBe(422);
  const text = pageText(page.text);
  expect(text).toContain("Ничего не сохранено: 3 ошибки.");
  expect(page.text).toMatch(/id="f-quietHours-end" name="quietHours.end" aria-describedby="f-quietHours-end-hint f-quietHours-end-error" aria-invalid="true" value="31:00"/);
  expect(page.text).toContain('<p class="error" id="f-quietHours-end-error">время в виде ЧЧ:ММ, например 21:00</p>');
  expect(page.text).toContain('<p class="error" id="f-minGrades-error">нужно целое число</p>');
  expect(page.text).toContain('<p class="error" id="f-operator-inn-error">нужно 10 / 12 цифр</p>');
  expect(page.text).toContain('value="много"');
  // A valid value typed with the invalid ones is kept too, but not saved.
  expect(page.text).toContain('id="f-quietHours-start" name="quietHours.start" aria-describedby="f-quietHours-start-hint" value="23:00"');
  expect(page.text).toContain('<a href="#f-quietHours-end">Тихие часы: конец</a>');
  expect(await stored()).toEqual(before);
  expect(await AuditEntry.countDocuments({ schoolId: fx.school._id })).toBe(logged);

  // Thresholds out of order: the error names the field changed.
  const order = await admin.post(settings(), { _csrf: csrf, action: "save", "thresholds.four": "4,8" });
  expect(order.status).toBe(422);
  expect(order.text).toContain('<p class="error" id="f-thresholds-four-error">пороги должны идти по убыванию: «5» &gt; «4» &gt; «3» (сейчас 4.5, 4.8, 2.5)</p>');

  // A form from elsewhere (no token) is refused before anything is read.
  const forged = await admin.post(settings(), { action: "save", "quietHours.start": "20:00" });
  expect(forged.status).toBe(403);
  expect(await stored()).toEqual(before);
});

test("the consent: a preview of the typed values saves nothing; saving gives a new version", async () => {
  const admin = await signedIn(ADMIN);
  const csrf = csrfOf((await admin.get(settings())).text);
  const fields = { _csrf: csrf, "operator.name": "МБОУ «Средняя школа № 12»", "operator.ogrn": "1027100000000", "operator.responsible": "Петрова Анна Сергеевна, заместитель директора", "operator.contact": "+7 4872 00-00-00", "consent.text": "Срок хранения сведений — до окончания обучения." };
  const preview = await admin.post(settings(), { ...fields, action: "preview" });
  expect(preview.status).toBe(200);
  const text = pageText(preview.text);
  expect(text).toContain("Ничего не сохранено: ниже — текст согласия с введёнными значениями.");
  expect(text).toContain("С этими значениями у текста будет новая версия: 2026-12.1.");
  expect(text).toContain("оператору — МБОУ «Средняя школа № 12», ОГРН 1027100000000 (адрес:");
  expect(text).toContain("7. Лицо, ответственное за организацию обработки персональных данных: Петрова Анна Сергеевна, заместитель директора (+7 4872 00-00-00).");
  expect(text).toContain("8. Срок хранения сведений — до окончания обучения.");
  expect(text).toContain("Версия текста: 2026-12.1.");
  expect(preview.text).toContain('<details class="consent-preview" open>');
  expect((await stored()).operator).toEqual({});

  const saved = await admin.post(settings(), { ...fields, action: "save" });
  expect(saved.location).toBe(`${settings()}?done=consent`);
  expect(pageText((await admin.get(saved.location!)).text)).toContain("У текста согласия новая версия 2026-12.1: бот попросит родителей согласиться снова.");
  expect((await stored()).settings.consentRevision).toBe(1);
  expect(pageText((await admin.get(settings())).text)).toContain("Сейчас на этот текст в боте никто не согласился.");
  const log = pageText((await admin.get(audit())).text);
  expect(log).toContain("Версия текста согласия 2026-12 2026-12.1");
  expect(log).toContain("Полное наименование оператора — МБОУ «Средняя школа № 12»");
});

test("the log: newest first, 50 a page; other actors named; English", async () => {
  const base = NOW.getTime() - 86_400_000 * 30;
  await recordAudit(Array.from({ length: 60 }, (_, i) => ({
    at: new Date(base + i * 60_000), schoolId: fx.school._id, actor: { kind: "cli" as const, name: "school:settings" }, action: "school.setting-changed" as const,
    target: { kind: "school" as const, id: fx.school._id }, key: "minGrades", before: i, after: i + 1,
  })));
  const total = await AuditEntry.countDocuments({ schoolId: fx.school._id });
  const admin = await signedIn(ADMIN);
  const first = await admin.get(audit());
  expect(pageText(first.text)).toContain(`Страница 1 из ${Math.ceil(total / 50)}`);
  expect((first.text.match(/<tr>/g) ?? []).length).toBe(51); // the header and 50 rows
  expect(first.text).toContain(`href="${audit()}?page=2" rel="next"`);
  const second = await admin.get(`${audit()}?page=2`);
  const rows = pageText(second.text);
  expect(rows).toContain("командная строка (school:settings) Минимум оценок для аттестации 0 1");
  expect(rows).not.toContain("Минимум оценок для аттестации 59 60");
  expect((await admin.get(`${audit()}?page=999`)).status).toBe(200);

  const english = await signedIn(EN_ADMIN);
  const en = pageText((await english.get(audit())).text);
  expect(en).toContain("Change log");
  expect(en).toContain("command line (school:settings) Minimum grades to be assessed 59 60");
  expect(pageText((await english.get(settings())).text)).toContain("Quiet hours: start");
});
