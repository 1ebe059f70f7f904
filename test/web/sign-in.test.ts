/**
 * The cabinet over real HTTP: signing in (Mini App init data, the bot's one-time link), sessions
 * and their cookies, CSRF, and the access rules of the start page.
 */
import { Types } from "mongoose";
import { Account, ConsentRecord, Grade, WebSession } from "../../src/db/models";
import { formatDecimal } from "../../src/domain/format";
import { weightedAverage } from "../../src/domain/grading";
import { issueSignInLink } from "../../src/services/web-sign-in";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { csrfOf, miniAppInitData, pageText, startWeb, type WebServer } from "../support/web";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
let fx: SchoolFixture;
let web: WebServer;
const OLGA = 5101; // Мария and Александр
const ANNA = 5102; // Пётр, another family

beforeAll(async () => {
  fx = await createSchoolFixture();
  await guardianAccount(fx, OLGA, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  await guardianAccount(fx, ANNA, fx.guardians.otherParent, [fx.students.petya]);
  web = await startWeb({ now: NOW });
});
afterAll(() => web.close());

/** Maria's averages of the second quarter, from the journal's records, as the bot writes them. */
async function mariaAverages(): Promise<Map<string, string>> {
  const grades = await Grade.find({ studentId: fx.students.maria._id, date: { $gte: "2026-11-04", $lte: "2026-12-30" } }).lean();
  const averages = new Map<string, string>();
  for (const [key, id] of Object.entries(fx.subjects)) {
    const own = grades.filter((g) => g.subjectId.equals(id));
    const average = weightedAverage(own);
    if (average !== null) averages.set(fx.subjectNames[key], formatDecimal(average, "ru"));
  }
  return averages;
}

describe("signing in with the Mini App's init data", () => {
  test("a visitor sees how to sign in, with a strict CSP and no session", async () => {
    const client = web.client();
    const page = await client.get("/app/");
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain("Отправьте боту школы команду /web");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self' https://web.telegram.org");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(client.cookies.size).toBe(0);
  });

  test("valid init data opens a session; the start page names the child and lists the averages as the bot does", async () => {
    const client = web.client();
    const signIn = await client.signInTelegram(OLGA);
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe("/app/");
    const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith("ed_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // WEB_URL is not https here

    const start = await client.get("/app/");
    expect(start.status).toBe(200);
    const text = pageText(start.text);
    expect(text).toContain("Иванова Мария Сергеевна");
    expect(text).toContain("2 четверть (04.11–30.12)");
    const averages = await mariaAverages();
    expect(averages.size).toBeGreaterThan(5);
    for (const [subject, average] of averages) expect(text).toMatch(new RegExp(`${subject} \\d+ оцен\\S* ${average} `));
    // The hand-made physics grades: two of them, too few to be attested (fixture-year.ts).
    expect(text).toContain("Физика : мало оценок (2, нужно не меньше 3)");
    // The switcher offers both children; the token of the session is on the sign-out form.
    expect(start.text).toContain(`href="/app/c/${fx.students.alex._id}/"`);
    expect(csrfOf(start.text)).toHaveLength(32);
  });

  test("opening the Mini App again reuses the session", async () => {
    const client = web.client();
    await client.signInTelegram(OLGA);
    const before = await WebSession.countDocuments({});
    const again = await client.signInTelegram(OLGA);
    expect(again.status).toBe(303);
    expect(await WebSession.countDocuments({})).toBe(before);
  });

  test.each([
    ["older than an hour", () => miniAppInitData(OLGA, new Date(NOW.getTime() - 61 * 60_000)), "устарели"],
    ["signed with another bot's token", () => miniAppInitData(OLGA, NOW, "ru", "987654321:ANOTHER-token-of-another-bot"), "Не удалось проверить"],
  ])("init data %s is refused and opens nothing", async (_name, initData, words) => {
    const client = web.client();
    const before = await WebSession.countDocuments({});
    const refused = await client.post("/app/auth/telegram", { initData: initData(), next: "/app/" });
    expect(refused.status).toBe(403);
    expect(pageText(refused.text)).toContain(words);
    expect(client.cookies.has("ed_session")).toBe(false);
    expect(await WebSession.countDocuments({})).toBe(before);
  });

  test("a Telegram user without an account gets one (as /start would) and a page saying what to do", async () => {
    const client = web.client();
    expect((await client.signInTelegram(5199, { languageCode: "en" })).status).toBe(303);
    const account = await Account.findOne({ telegramId: 5199 }).lean();
    expect(account).toMatchObject({ chatId: 5199, language: "en" });
    const page = await client.get("/app/");
    expect(pageText(page.text)).toContain("There is no child whose data can be shown here yet");
  });

  test("the next page after signing in is a page of the app, never another site", async () => {
    const client = web.client();
    const initData = miniAppInitData(OLGA, NOW);
    expect((await client.post("/app/auth/telegram", { initData, next: `/app/c/${fx.students.alex._id}/` })).location).toBe(`/app/c/${fx.students.alex._id}/`);
    for (const next of ["https://evil.example/", "//evil.example/app/", "/app/\\evil", "/elsewhere"]) {
      expect((await client.post("/app/auth/telegram", { initData, next })).location).toBe("/app/");
    }
  });
});

describe("access", () => {
  test("another family's child answers 404 exactly like a missing one", async () => {
    const client = web.client();
    await client.signInTelegram(OLGA);
    const foreign = await client.get(`/app/c/${fx.students.petya._id}/`);
    const missing = await client.get(`/app/c/${new Types.ObjectId()}/`);
    const garbage = await client.get("/app/c/not-an-id/");
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(garbage.status).toBe(404);
    // The same page, word for word: only the address it was asked at differs.
    const unaddressed = (page: string) => page.replaceAll(/\/app\/c\/[0-9a-f]{24}\//g, "/app/c/ID/");
    expect(unaddressed(foreign.text)).toBe(unaddressed(missing.text));
    expect(pageText(foreign.text)).not.toContain("Смирнов");
    // Her own second child opens, and is remembered for the bot too.
    const alex = await client.get(`/app/c/${fx.students.alex._id}/`);
    expect(alex.status).toBe(200);
    expect(pageText(alex.text)).toContain("Иванов Александр Сергеевич");
    expect((await Account.findOne({ telegramId: OLGA }).lean())!.selectedStudentId).toEqual(fx.students.alex._id);
  });

  test("a withdrawn or outdated consent shows no child any more, in a session already open", async () => {
    const account = await guardianAccount(fx, 5103, fx.guardians.parent, [fx.students.maria]);
    const client = web.client();
    await client.signInTelegram(5103);
    expect((await client.get(`/app/c/${fx.students.maria._id}/`)).status).toBe(200);
    await ConsentRecord.create({ accountId: account._id, schoolId: fx.school._id, decision: "withdrawn", form: "telegram", textVersion: "2026-11", textHash: "0".repeat(64) });
    expect((await client.get(`/app/c/${fx.students.maria._id}/`)).status).toBe(404);
    expect(pageText((await client.get("/app/")).text)).toContain("проверьте согласие");
  });
});

describe("forms", () => {
  test("a POST without the session's CSRF token, or from another origin, is refused", async () => {
    const client = web.client();
    await client.signInTelegram(OLGA);
    const token = csrfOf((await client.get("/app/")).text);
    const sessions = await WebSession.countDocuments({});
    expect((await client.post("/app/logout", {})).status).toBe(403);
    expect((await client.post("/app/logout", { _csrf: "x".repeat(32) })).status).toBe(403);
    expect((await client.post("/app/logout", { _csrf: token }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await client.post("/app/logout", { _csrf: token }, { origin: "", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await WebSession.countDocuments({})).toBe(sessions);
    // With the token, from our own page: signed out, the session is gone from the database.
    const out = await client.post("/app/logout", { _csrf: token });
    expect(out.status).toBe(303);
    expect(await WebSession.countDocuments({})).toBe(sessions - 1);
    expect(pageText((await client.get("/app/")).text)).toContain("Вход в дневник");
  });

  test("the language switch is stored for the person (the bot answers in it too)", async () => {
    const account = await guardianAccount(fx, 5104, fx.guardians.parent, [fx.students.maria]);
    const client = web.client();
    await client.signInTelegram(5104);
    const token = csrfOf((await client.get("/app/")).text);
    expect((await client.post("/app/language", { _csrf: token, language: "en", next: "/app/" })).location).toBe("/app/");
    expect(pageText((await client.get("/app/")).text)).toContain("Forecast");
    expect((await Account.findById(account._id).lean())!.language).toBe("en");
  });
});

describe("the bot's one-time link", () => {
  test("GET only shows a button (link previews must not use it up); POST signs in; a second use is refused", async () => {
    const account = await Account.findOne({ telegramId: OLGA });
    const { token } = await issueSignInLink({ accountId: account!._id }, "bot-link", NOW);
    const client = web.client();
    for (let i = 0; i < 2; i++) {
      const page = await client.get(`/app/auth/link/${token}`);
      expect(page.status).toBe(200);
      expect(pageText(page.text)).toContain("Войти");
    }
    const form = await client.get(`/app/auth/link/${token}`);
    const signIn = await client.post(`/app/auth/link/${token}`, { _csrf: csrfOf(form.text) });
    expect(signIn.status).toBe(303);
    // Her children's switcher (which child is first depends on the one she chose last).
    expect(pageText((await client.get("/app/")).text)).toContain("Мария Александр");
    expect(await WebSession.findOne({ accountId: account!._id, via: "bot-link" })).not.toBeNull();

    // Another browser posting the token it saw on the page: no pre-session cookie of its own, refused.
    const other = web.client();
    expect((await other.post(`/app/auth/link/${token}`, { _csrf: csrfOf(form.text) })).status).toBe(403);
    const retry = await other.get(`/app/auth/link/${token}`);
    expect(retry.status).toBe(410);
    expect(pageText(retry.text)).toContain("Ссылка больше не действует");
  });

  test("a used link is refused even with a valid form token; an expired one too", async () => {
    const account = await Account.findOne({ telegramId: OLGA });
    const { token } = await issueSignInLink({ accountId: account!._id }, "bot-link", NOW);
    const first = web.client();
    await first.post(`/app/auth/link/${token}`, { _csrf: csrfOf((await first.get(`/app/auth/link/${token}`)).text) });
    const second = web.client();
    const page = await second.get(`/app/auth/link/${token}`);
    expect(page.status).toBe(410);
    // Even posting straight away with its own form token (from another link's page):
    const { token: fresh } = await issueSignInLink({ accountId: account!._id }, "bot-link", NOW);
    const csrf = csrfOf((await second.get(`/app/auth/link/${fresh}`)).text);
    expect((await second.post(`/app/auth/link/${token}`, { _csrf: csrf })).status).toBe(410);

    web.setNow(new Date(NOW.getTime() + 11 * 60_000));
    try {
      const late = web.client();
      expect((await late.get(`/app/auth/link/${fresh}`)).status).toBe(410);
    } finally {
      web.setNow(NOW);
    }
  });
});

describe("cookies behind https (WEB_URL)", () => {
  let secure: WebServer;
  beforeAll(async () => {
    secure = await startWeb({ now: NOW, env: { WEB_URL: "https://diary.school.test" } });
  });
  afterAll(() => secure.close());

  test("Mini App sessions may travel in Telegram's iframe (SameSite=None, Partitioned); link sessions stay Lax; both __Host- and Secure", async () => {
    const origin = { origin: "https://diary.school.test" };
    const mini = secure.client();
    const signIn = await mini.post("/app/auth/telegram", { initData: miniAppInitData(OLGA, NOW), next: "/app/" }, origin);
    expect(signIn.status).toBe(303);
    const miniCookie = signIn.headers.getSetCookie().find((c) => c.startsWith("__Host-ed_session="))!;
    expect(miniCookie).toMatch(/; Secure/i);
    expect(miniCookie).toMatch(/SameSite=None/i);
    expect(miniCookie).toMatch(/Partitioned/i);
    expect(miniCookie).toMatch(/Path=\//);

    const account = await Account.findOne({ telegramId: OLGA });
    const { token } = await issueSignInLink({ accountId: account!._id }, "bot-link", NOW);
    const browser = secure.client();
    const form = await browser.get(`/app/auth/link/${token}`);
    expect(form.headers.getSetCookie().find((c) => c.startsWith("__Host-ed_form="))).toMatch(/SameSite=Lax/i);
    const linked = await browser.post(`/app/auth/link/${token}`, { _csrf: csrfOf(form.text) }, origin);
    const linkCookie = linked.headers.getSetCookie().find((c) => c.startsWith("__Host-ed_session="))!;
    expect(linkCookie).toMatch(/SameSite=Lax/i);
    expect(linkCookie).toMatch(/; Secure/i);
    // Our own origin is WEB_URL's, whatever Host the proxy forwarded.
    expect((await browser.post("/app/logout", { _csrf: csrfOf((await browser.get("/app/")).text) })).status).toBe(403);
  });
});
