/**
 * The school's console in a real browser (Debian's chromium, issue 13): an admin registers a paper
 * consent with contacts, the statement's number and date on the web, naming the guardian's own bot
 * account as the signer, and the guardian then finds it in their /mydata (the web cabinet's export,
 * the bot's /mydata document); a teacher sees their class and cannot open another. With
 * SCREENSHOTS=1 the console's pages are saved to docs/screenshots/.
 */
import { Account, ConsentRecord } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { miniAppInitData, startWeb, type WebServer } from "../support/web";
import { launchBrowser, screenshot, type TestBrowser } from "../support/browser";
import { startBotHarness } from "../support/bot-harness";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7301;
const KUZNETSOV = 7302; // algebra in 7А only
const OLGA = 7305;
const VOLKOVA = 7306;
let fx: SchoolFixture;
let web: WebServer;
let browser: TestBrowser;

beforeAll(async () => {
  fx = await createSchoolFixture();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  // Her consent in the bot, given in September (before the paper statement below).
  const olga = await guardianAccount(fx, OLGA, fx.guardians.parent, [fx.students.maria, fx.students.alex], { consent: "none" });
  const textVersion = consentVersionOf(fx.school);
  await ConsentRecord.create({ accountId: olga._id, schoolId: fx.school._id, decision: "granted", form: "telegram", textVersion, textHash: consentTextHash(`consent ${textVersion}`), recordedAt: moscow("2026-09-01 10:00") });
  web = await startWeb({ now: NOW });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** Signs the browser in as this Telegram user (the Mini App's URL) and opens `path`. */
async function openAs(telegramId: number, path: string, b: TestBrowser = browser) {
  const page = await b.page();
  page.setDefaultTimeout(8000);
  const theme = JSON.stringify({ bg_color: "#ffffff", text_color: "#000000", button_color: "#2481cc", button_text_color: "#ffffff" });
  const hash = new URLSearchParams({ tgWebAppData: miniAppInitData(telegramId, NOW), tgWebAppVersion: "8.0", tgWebAppPlatform: "android", tgWebAppThemeParams: theme });
  await page.goto(`${web.url}${path}#${hash}`);
  await page.waitForURL(`${web.url}${path}`);
  return page;
}

test("a paper consent with contacts registered on the web appears in the guardian's /mydata", async () => {
  const page = await openAs(ADMIN, `/app/school/${fx.school._id}/`);
  await page.setViewportSize({ width: 1280, height: 900 }); // the console is mostly used at a desk
  await screenshot(page, "console-school");
  await page.getByRole("link", { name: "7А", exact: true }).click();
  await page.getByRole("link", { name: "Согласия", exact: true }).click();
  await page.waitForURL(/\/consents$/);
  const olgaRow = page.locator("tr", { hasText: "Иванова Ольга Николаевна" });
  expect(await olgaRow.innerText()).toContain("согласие");
  await screenshot(page, "console-consents");
  await olgaRow.getByRole("link", { name: "Зарегистрировать" }).click();
  await page.locator("h1", { hasText: "Иванова Ольга Николаевна" }).waitFor();

  const form = page.locator("form", { has: page.getByRole("button", { name: "Записать решение" }) });
  await form.getByLabel("Согласие", { exact: true }).check();
  await form.getByLabel("бумага").check();
  await form.getByLabel(`аккаунт Telegram …${String(OLGA).slice(-4)}`).check();
  await form.getByLabel("Номер заявления").fill("42-П");
  await form.getByLabel("Дата заявления").fill("2026-12-02");
  await form.getByLabel("E-mail из заявления").fill("olga.paper@example.org");
  await form.getByLabel("Телефон из заявления").fill("+7 916 000-11-22");
  await screenshot(page, "console-consent-form");
  await form.getByRole("button", { name: "Записать решение" }).click();
  await page.getByText("Решение записано.").waitFor();
  const row = await page.locator("tr", { hasText: "Иванова Ольга Николаевна" }).innerText();
  expect(row).toContain("бумага");
  expect(row).toContain("№ 42-П от 2 декабря 2026");
  expect(row).toContain("olga.paper@example.org");
  expect(row).toContain("администратор …7301");
  await screenshot(page, "console-consent-registered");
  expect(browser.problems).toEqual([]);
  await page.close();

  // The guardian, in a browser of their own: the web cabinet's /mydata export.
  const own = await launchBrowser();
  try {
    const privacy = await openAs(OLGA, "/app/", own);
    const response = await privacy.request.get(`${web.url}/app/privacy/mydata.json`);
    expect(response.status()).toBe(200);
    const mydata = (await response.json()) as {
      consents: Array<{ decision: string; form: string; document?: { number: string; date: string } }>;
      account: { contacts: Array<{ kind: string; value: string; source: string }> };
    };
    expect(mydata.consents.at(-1)).toMatchObject({ decision: "granted", form: "paper", document: { number: "42-П", date: "2026-12-02" } });
    expect(mydata.account.contacts).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: "email", value: "olga.paper@example.org", source: "school-paper" }),
      expect.objectContaining({ kind: "phone", value: "+79160001122", source: "school-paper" }),
    ]));
    expect(own.problems).toEqual([]);
  } finally {
    await own.close();
  }
  // And the real bot, fed her /mydata as Telegram would send it.
  const bot = await startBotHarness({ now: NOW });
  try {
    const replies = await bot.user({ id: OLGA, language_code: "ru" }).send("/mydata");
    const text = replies.map((m) => m.text ?? "").join("\n");
    expect(text).toContain("согласие (на бумаге, заявление № 42-П от 2026-12-02");
    expect(text).toContain("olga.paper@example.org");
  } finally {
    await bot.stop();
  }
});

test("an admin issues a class's codes, sees them once, and finds them in the list without the codes", async () => {
  const page = await openAs(ADMIN, `/app/school/${fx.school._id}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("nav.main").getByRole("link", { name: "Коды приглашения" }).click();
  await page.waitForURL(/\/codes$/);
  const form = page.locator("form", { has: page.locator('input[name="kind"][value="class"]') });
  await form.getByLabel("Класс").selectOption({ label: "7А" });
  await form.getByLabel("показать на экране").check();
  await form.getByRole("button", { name: "Выпустить" }).click();
  await page.locator("h1", { hasText: "Коды выпущены" }).waitFor();
  const shown = await page.locator("code.invite-code").allInnerTexts();
  expect(shown).toHaveLength(2);
  await screenshot(page, "console-codes-issued");
  await page.getByRole("link", { name: "← Коды приглашения" }).click();
  await page.locator("table.codes").waitFor();
  const list = await page.locator("table.codes").innerText();
  expect(list).toContain("Смирнов Пётр Андреевич");
  for (const code of shown) expect(list).not.toContain(code);
  await screenshot(page, "console-codes");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("an admin reads the compliance report and the deliveries in the browser", async () => {
  const page = await openAs(ADMIN, `/app/school/${fx.school._id}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("nav.main").getByRole("link", { name: "Доведение результатов" }).click();
  await page.waitForURL(/\/compliance$/);
  await page.getByLabel("Период").selectOption({ index: 0 });
  await page.getByRole("button", { name: "Показать" }).click();
  await page.locator("table.compliance").waitFor();
  expect(await page.locator("dd.share").innerText()).toMatch(/^\d+ из \d+/);
  await screenshot(page, "console-compliance");
  await page.locator("nav.main").getByRole("link", { name: "Доставка", exact: true }).click();
  await page.waitForURL(/\/deliveries$/);
  expect(await page.locator("main").innerText()).toContain("Неудачных отправок нет.");
  await screenshot(page, "console-deliveries");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("a teacher sees their class and cannot open another", async () => {
  const teacher = await launchBrowser();
  try {
    const page = await openAs(KUZNETSOV, `/app/school/${fx.school._id}/`, teacher);
    const classes = await page.locator("ul.classes").innerText();
    expect(classes).toContain("7А");
    expect(classes).not.toContain("3Б");
    await page.getByRole("link", { name: "7А", exact: true }).click();
    await page.getByRole("link", { name: "Согласия", exact: true }).click();
    await page.waitForURL(/\/consents$/);
    expect(await page.locator("main").innerText()).not.toContain("Зарегистрировать");
    await screenshot(page, "console-consents-teacher");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("link", { name: "← Класс 7А" }).click();
    await page.getByRole("link", { name: "Рекомендации", exact: true }).click();
    await page.getByLabel("Предмет").selectOption({ label: "Геометрия" });
    await page.getByLabel("Текст").fill("Принести циркуль в понедельник.");
    await page.getByRole("button", { name: "Отправить" }).click();
    await page.getByText("Рекомендация отправлена").waitFor();
    expect(await page.locator("article.recommendation").first().innerText()).toContain("Принести циркуль в понедельник.");
    await screenshot(page, "console-recommendations");
    await page.getByRole("link", { name: "← Класс 7А" }).click();
    await page.getByRole("link", { name: "Ведомость и учебный план" }).click();
    await page.locator("table.report").first().waitFor();
    await page.getByLabel("Период").selectOption({ index: 0 });
    await page.getByRole("button", { name: "Показать" }).click();
    await page.waitForURL(/period=/);
    expect(await page.locator("table.report").first().innerText()).toContain("Алгебра");
    await screenshot(page, "console-reports");
    for (const path of [`/app/school/${fx.school._id}/class/${fx.classIds.c3b}/`, `/app/school/${fx.school._id}/class/${fx.classIds.c3b}/consents`]) {
      const response = await page.goto(`${web.url}${path}`);
      expect(response!.status()).toBe(404);
      expect(await page.locator("main").innerText()).not.toContain("Иванов Александр");
    }
    await screenshot(page, "console-not-found");
    expect(teacher.problems).toEqual([]);
  } finally {
    await teacher.close();
  }
});

test("revoking a staff role asks once more: Cancel keeps it, confirming takes it away", async () => {
  await staffAccount(VOLKOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.volkova }]);
  const roles = async () => (await Account.findOne({ telegramId: VOLKOVA }).lean())!.roles.map((r) => r.role);
  const page = await openAs(ADMIN, `/app/school/${fx.school._id}/staff`);
  await page.setViewportSize({ width: 1280, height: 900 });
  const row = () => page.locator("tr", { hasText: "Волкова" });
  await row().getByRole("button", { name: "Снять" }).click();
  await page.locator("h1", { hasText: "Снять роль?" }).waitFor();
  expect(await page.locator("main").innerText()).toContain("Снять роль «учитель» у сотрудника Волкова");
  expect(await roles()).toEqual(["teacher"]);
  await screenshot(page, "console-staff-revoke");
  await page.getByRole("link", { name: "Отмена" }).click();
  await page.waitForURL(/\/staff$/);
  expect(await roles()).toEqual(["teacher"]);
  await row().getByRole("button", { name: "Снять" }).click();
  await page.getByRole("button", { name: "Снять роль" }).click();
  await page.getByText("Роль снята.").waitFor();
  expect(await roles()).toEqual([]);
  expect(browser.problems).toEqual([]);
  await page.close();
});
