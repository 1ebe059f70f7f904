/**
 * /web in MAX (real update JSON through the fake MAX Bot API, the web app on loopback): an admin
 * known only through MAX gets a one-time sign-in link and reaches the school's console with it —
 * the way such staff get the printouts, the paper forms and the reports' PDFs; a user the bot does
 * not know yet is asked to /start; a few links at a time.
 */
import { Account, WebSignIn } from "../../src/db/models";
import { useTestDb } from "../support/db";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";
import { startMaxHarness, plainOf, type MaxHarness } from "../support/max-harness";
import { csrfOf, pageText, startWeb } from "../support/web";
import { moscow } from "./views-support";

useTestDb();

const WEB_URL = "https://diary.school.test";
const NOW = moscow("2026-12-03 12:00");
let h: MaxHarness;
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  h = await startMaxHarness({ now: NOW, env: { WEB_URL } });
}, 60_000);
afterAll(async () => h.stop());

test("an admin known only through MAX signs in to the console with the link /web sends", async () => {
  const admin = h.user({ user_id: 71_001 });
  await Account.create({ max: { userId: 71_001, chatId: 500_071_001 }, language: "ru", roles: [{ role: "admin", schoolId: fx.school._id }] });
  const reply = plainOf(await admin.write("/web"));
  expect(reply).toContain("Ссылка для входа в дневник с компьютера");
  expect(reply).toContain("Действует 10 минут и открывается один раз");
  const token = new RegExp(`${WEB_URL}/app/auth/link/([A-Za-z0-9_-]+)`).exec(reply)![1];
  expect(await WebSignIn.countDocuments({ tokenHash: token })).toBe(0); // only its hash is kept

  const web = await startWeb({ now: NOW, env: { WEB_URL } });
  try {
    const browser = web.client();
    const form = await browser.get(`/app/auth/link/${token}`);
    expect((await browser.post(`/app/auth/link/${token}`, { _csrf: csrfOf(form.text) }, { origin: WEB_URL })).status).toBe(303);
    const school = await browser.get(`/app/school/${fx.school._id}/`);
    expect(school.status).toBe(200);
    expect(pageText(school.text)).toContain(fx.school.name);
    expect((await browser.get(`/app/school/${fx.school._id}/printouts`)).status).toBe(200);
    expect((await browser.get(`/app/auth/link/${token}`)).status).toBe(410);
  } finally {
    await web.close();
  }
});

test("a user the bot does not know is asked to /start; three links at a time, then the latest one", async () => {
  const stranger = h.user();
  expect(plainOf(await stranger.write("/web"))).toContain("отправьте /start");
  const admin = h.user({ user_id: 71_002 });
  await Account.create({ max: { userId: 71_002, chatId: 500_071_002 }, language: "en", roles: [{ role: "admin", schoolId: fx.school._id }] });
  for (let i = 0; i < 3; i++) expect(plainOf(await admin.write("/web"))).toContain("/app/auth/link/");
  expect(plainOf(await admin.write("/web"))).toContain("You have enough links already");
  expect(plainOf(await admin.write("/help"))).toContain("/web — a sign-in link to the diary for a computer");
});
