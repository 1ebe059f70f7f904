/**
 * The cabinet in a real browser (Debian's chromium): a guardian opens the Mini App's URL with init
 * data signed for the test bot token, as Telegram opens it, and sees the fixture's facts on each
 * page; forged and expired init data, another family's child, a form without its CSRF token and a
 * reused e-mail link are refused; the chart's PNG is a whole picture of the expected size. With
 * SCREENSHOTS=1 (`npm run screenshots`) every page is saved to docs/screenshots/.
 */
import { Account, Grade } from "../../src/db/models";
import { averagesChartSize } from "../../src/charts/averages";
import { AVERAGES_PNG } from "../../src/charts/child";
import { formatDecimal } from "../../src/domain/format";
import { weightedAverage } from "../../src/domain/grading";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { miniAppInitData, startWeb, type WebServer } from "../support/web";
import { launchBrowser, screenshot, type TestBrowser } from "../support/browser";
import { decodeMail, startSmtp, type TestSmtp } from "../support/smtp";
import { readPng } from "../support/png";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const OLGA = 5301;
let fx: SchoolFixture;
let web: WebServer;
let browser: TestBrowser;
let smtp: TestSmtp;

beforeAll(async () => {
  fx = await createSchoolFixture();
  const olga = await guardianAccount(fx, OLGA, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  await Account.updateOne({ _id: olga._id }, { $push: { contacts: { kind: "email", value: "olga@example.org", source: "guardian", verifiedAt: NOW } } });
  smtp = await startSmtp();
  web = await startWeb({ now: NOW, smtpUrl: smtp.url });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await smtp?.close();
});

/** The URL Telegram opens: the app with its launch parameters in the hash. */
function miniAppUrl(initData: string, path = "/app/"): string {
  const theme = JSON.stringify({ bg_color: "#ffffff", text_color: "#000000", button_color: "#2481cc", button_text_color: "#ffffff" });
  return `${web.url}${path}#${new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: "8.0", tgWebAppPlatform: "android", tgWebAppThemeParams: theme })}`;
}

test("the Mini App signs in from its URL and shows the child with the period's averages", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW)));
  await page.waitForURL(`${web.url}/app/`);
  await page.locator("h1").waitFor();
  expect(await page.locator("h1").innerText()).toContain("Иванова Мария Сергеевна");
  // Telegram's theme colours came from the hash into CSS variables.
  expect(await page.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--tg-button")')).toBe("#2481cc");
  const algebra = await Grade.find({ studentId: fx.students.maria._id, subjectId: fx.subjects.alg, date: { $gte: "2026-11-04", $lte: "2026-12-30" } }).lean();
  const row = page.locator("tr", { has: page.locator("th", { hasText: "Алгебра" }) });
  expect(await row.locator("td").first().innerText()).toBe(formatDecimal(weightedAverage(algebra)!, "ru"));
  expect(await page.locator(".card.risk").innerText()).toContain("Физика");
  // The address bar no longer carries the init data.
  expect(page.url()).toBe(`${web.url}/app/`);
  await screenshot(page, "start");
  // Keyboard: the first Tab reaches the "skip to content" link.
  await page.keyboard.press("Tab");
  expect(await page.evaluate("document.activeElement.className")).toBe("skip");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("the child switcher and a deep link opened as a Mini App", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), `/app/c/${fx.students.alex._id}/`));
  await page.waitForURL(`${web.url}/app/c/${fx.students.alex._id}/`);
  expect(await page.locator("h1").innerText()).toContain("Иванов Александр Сергеевич");
  await page.getByRole("link", { name: "Мария" }).click();
  expect(await page.locator("h1").innerText()).toContain("Иванова Мария Сергеевна");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("expired or forged init data is refused in the browser too", async () => {
  const fresh = await launchBrowser();
  try {
    const page = await fresh.page();
    await page.goto(miniAppUrl(miniAppInitData(OLGA, new Date(NOW.getTime() - 2 * 3600_000))));
    await page.getByText("Данные для входа из Telegram устарели").waitFor();
    await screenshot(page, "sign-in-refused");
    await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW, "ru", "987654321:ANOTHER-token-of-another-bot")));
    await page.getByText("Не удалось проверить данные для входа").waitFor();
    await page.goto(`${web.url}/app/`);
    expect(await page.locator("h1").innerText()).toBe("Вход в дневник");
    await screenshot(page, "sign-in");
    expect(fresh.problems).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test("grades, the week, charts and the forecast: the fixture's facts, pictures drawn", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), `/app/c/${fx.students.maria._id}/`));
  await page.waitForURL(`${web.url}/app/c/${fx.students.maria._id}/`);
  await page.getByRole("link", { name: "Оценки", exact: true }).first().click();
  const physics = page.locator("tr", { has: page.locator("th", { hasText: "Физика" }) }).first();
  expect(await physics.innerText()).toMatch(/Физика\s+5 4\s+4,50/);
  await screenshot(page, "grades");
  await page.getByRole("link", { name: "Оценки по неделям" }).click();
  await page.getByText("Две ошибки на безударные гласные").waitFor();
  await screenshot(page, "grades-week");
  await page.getByRole("link", { name: "Графики" }).first().click();
  const chart = page.locator("figure.chart img").first();
  await chart.waitFor();
  await page.waitForFunction("Array.from(document.images).every((i) => i.complete)");
  type Picture = { naturalWidth: number; naturalHeight: number };
  const [width, height] = await chart.evaluate((img) => [(img as unknown as Picture).naturalWidth, (img as unknown as Picture).naturalHeight]);
  expect(width).toBe(420); // one column on a phone: one panel wide
  expect(height).toBeGreaterThan(178 * 8); // a panel for each subject with grades
  await screenshot(page, "charts");
  await page.getByRole("link", { name: "Прогноз" }).first().click();
  expect(await page.locator("section.card").first().innerText()).toContain("⚠️");
  await screenshot(page, "forecast");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("homework, the timetable, tests, teachers, holidays, recommendations and finals open from the navigation", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), `/app/c/${fx.students.maria._id}/`));
  await page.waitForURL(`${web.url}/app/c/${fx.students.maria._id}/`);
  const facts: Array<[string, string, string]> = [
    ["Домашние задания", "homework", "К пт, 4 декабря"],
    ["Расписание", "timetable", "урок отменён"],
    ["Контрольные", "tests", "Уже прошли"],
    ["Учителя", "teachers", "Соколова Ирина Петровна"],
    ["Каникулы", "holidays", "Зимние каникулы"],
    ["Рекомендации", "recommendations", "Кузнецов Дмитрий Олегович"],
    ["Итоговые", "finals", "ВПР по математике"],
  ];
  for (const [link, name, fact] of facts) {
    await page.locator("nav.main").getByRole("link", { name: link, exact: true }).click();
    await page.waitForURL(`${web.url}/app/c/${fx.students.maria._id}/${name}`);
    expect(await page.locator("main").innerText()).toContain(fact);
    expect(await page.locator(`nav.main a[aria-current="page"]`).innerText()).toBe(link);
    await screenshot(page, name);
  }
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("another family's child answers 404, in a deep link too; the page says only that it is not there", async () => {
  const page = await browser.page();
  const petya = `/app/c/${fx.students.petya._id}/`;
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), petya));
  await page.waitForURL(`${web.url}${petya}`);
  await page.locator("h1", { hasText: "Страница не найдена" }).waitFor();
  // Signed in now: the same address answers 404 itself (the page above came after the sign-in's redirect).
  expect((await page.reload())!.status()).toBe(404);
  for (const sub of ["grades", "charts", "charts/averages.png", "homework"]) {
    expect((await page.goto(`${web.url}${petya}${sub}`))!.status()).toBe(404);
  }
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("the chart's PNG: a whole picture of the bot's size, shown by the browser", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), `/app/c/${fx.students.maria._id}/charts`));
  await page.waitForURL(`${web.url}/app/c/${fx.students.maria._id}/charts`);
  const href = await page.getByRole("link", { name: "Скачать картинку (PNG)" }).getAttribute("href");
  const response = await page.request.get(`${web.url}${href}`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("image/png");
  const png = readPng(await response.body());
  const subjects = await chartedSubjects();
  const size = averagesChartSize(subjects, AVERAGES_PNG.columns);
  const width = Math.min(AVERAGES_PNG.maxWidth, size.width * 2);
  expect(png.width).toBe(width);
  expect(png.height).toBe(Math.round((size.height * width) / size.width));
  // The browser decodes it too.
  await page.goto(`${web.url}${href}`);
  type Picture = { naturalWidth: number; complete: boolean };
  await page.waitForFunction("document.images.length === 1 && document.images[0].complete");
  expect(await page.locator("img").evaluate((img) => (img as unknown as Picture).naturalWidth)).toBe(width);
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("settings and privacy: the person's own settings and consent, saved from the page", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), "/app/settings"));
  await page.waitForURL(`${web.url}/app/settings`);
  expect(await page.locator("main").innerText()).toContain("olga@example.org");
  await page.getByLabel("Новые оценки").selectOption("digest");
  await page.getByLabel("Домашние задания в вечерней сводке").check();
  await page.getByRole("button", { name: "Сохранить" }).click();
  await page.getByText("Сохранено.").waitFor();
  expect((await Account.findOne({ telegramId: OLGA }).lean())!.notify).toMatchObject({ grades: "digest", homeworkDigest: true });
  await screenshot(page, "settings");
  await page.locator("nav.main").getByRole("link", { name: "Согласие и данные" }).click();
  await page.waitForURL(`${web.url}/app/privacy`);
  expect(await page.locator("main").innerText()).toContain("согласие действует с");
  await screenshot(page, "privacy");
  expect(browser.problems).toEqual([]);
  await page.close();
});

test("a form without its CSRF token is refused and changes nothing", async () => {
  const page = await browser.page();
  await page.goto(miniAppUrl(miniAppInitData(OLGA, NOW), "/app/settings"));
  await page.waitForURL(`${web.url}/app/settings`);
  const before = (await Account.findOne({ telegramId: OLGA }).lean())!.notify.grades;
  await page.getByLabel("Новые оценки").selectOption(before === "off" ? "instant" : "off");
  await page.evaluate('document.querySelectorAll("input[name=_csrf]").forEach((i) => i.remove())');
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Сохранить" }).click()]);
  expect(response.status()).toBe(403);
  await page.locator("h1", { hasText: "Форма устарела" }).waitFor();
  expect((await Account.findOne({ telegramId: OLGA }).lean())!.notify.grades).toBe(before);
  await page.close();
});

test("e-mail sign-in in the browser: the link from the letter signs in once; used again, it is refused", async () => {
  const fresh = await launchBrowser();
  const other = await launchBrowser();
  try {
    const page = await fresh.page();
    await page.goto(`${web.url}/app/`);
    await page.getByRole("link", { name: "Войти по почте" }).click();
    await page.waitForURL(`${web.url}/app/login`);
    await screenshot(page, "email-sign-in");
    await page.getByLabel("Адрес электронной почты").fill("olga@example.org");
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.locator("h1", { hasText: "Проверьте почту" }).waitFor();
    await web.idle();
    const mail = [...smtp.mails].reverse().find((m) => m.to.includes("olga@example.org"))!;
    const link = new RegExp(`${web.url}/app/auth/link/[A-Za-z0-9_-]{43}`).exec(decodeMail(mail).text)![0];
    await page.goto(link);
    await page.getByRole("button", { name: "Войти" }).click();
    await page.waitForURL(`${web.url}/app/`);
    expect(await page.locator("h1").innerText()).toContain("Иванова Мария Сергеевна");

    const second = await other.page();
    await second.goto(link);
    await second.locator("h1", { hasText: "Ссылка больше не действует" }).waitFor();
    expect(fresh.problems).toEqual([]);
    expect(other.problems).toEqual([]);
  } finally {
    await fresh.close();
    await other.close();
  }
});

/** Subjects of Maria's second quarter with numeric grades so far: a panel each. */
async function chartedSubjects(): Promise<number> {
  const grades = await Grade.find({ studentId: fx.students.maria._id, date: { $gte: "2026-11-04", $lte: "2026-12-03" }, value: { $in: ["1", "2", "3", "4", "5"] } }).lean();
  return new Set(grades.map((g) => String(g.subjectId))).size;
}
