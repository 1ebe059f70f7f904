/** /web and the Mini App buttons: the bot's side of the web cabinet, against the fake Bot API. */
import { WebSignIn } from "../../src/db/models";
import { registerWebAppButton } from "../../src/bot/features/web";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow, plain } from "./views-support";
import { csrfOf, pageText, startWeb } from "../support/web";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
let fx: SchoolFixture;
let harness: BotHarness;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  harness = await startBotHarness({ now: NOW, env: { WEB_URL: "https://diary.school.test" } });
});
afterAll(() => harness.stop());

test("/web sends a one-time link for a computer without a preview, and the Mini App button; the link signs in on the web", async () => {
  const parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria]);
  const [reply] = await parent.send("/web");
  const url = /https:\/\/diary\.school\.test\/app\/auth\/link\/([A-Za-z0-9_-]{43})/.exec(reply.plain ?? "");
  expect(url).not.toBeNull();
  expect(reply.plain).toContain("Действует 10 минут и открывается один раз");
  const call = harness.fake.calls.filter((c) => c.method === "sendMessage").at(-1)!;
  expect(call.params.link_preview_options).toEqual({ is_disabled: true });
  expect(reply.reply_markup).toEqual({ inline_keyboard: [[{ text: "📖 Открыть дневник", web_app: { url: "https://diary.school.test/app/" } }]] });

  // The link works on the cabinet once (the web app of the same database, served on loopback).
  const web = await startWeb({ now: NOW, env: { WEB_URL: "https://diary.school.test" } });
  try {
    const browser = web.client();
    const origin = { origin: "https://diary.school.test" };
    const form = await browser.get(`/app/auth/link/${url![1]}`);
    expect((await browser.post(`/app/auth/link/${url![1]}`, { _csrf: csrfOf(form.text) }, origin)).status).toBe(303);
    expect(pageText((await browser.get("/app/")).text)).toContain("Иванова Мария Сергеевна");
    expect((await browser.get(`/app/auth/link/${url![1]}`)).status).toBe(410);
  } finally {
    await web.close();
  }
  // Only the hash of the token is stored.
  expect(await WebSignIn.countDocuments({ tokenHash: url![1] })).toBe(0);
});

test("a few links at a time, then the bot asks to use the latest one", async () => {
  const parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria]);
  for (let i = 0; i < 3; i++) expect(plain(await parent.send("/web"))).toContain("/app/auth/link/");
  expect(plain(await parent.send("/web"))).toBe("Ссылок уже достаточно: воспользуйтесь последней или подождите 10 минут.");
  harness.setNow(new Date(NOW.getTime() + 10 * 60_000 + 1000));
  try {
    expect(plain(await parent.send("/web"))).toContain("/app/auth/link/");
  } finally {
    harness.setNow(NOW);
  }
});

test("someone who never started the bot is sent to /start; the menu button opens the Mini App", async () => {
  const stranger = harness.user({ language_code: "en" });
  expect(plain(await stranger.send("/web"))).toBe("Please start with /start first.");
  await registerWebAppButton(harness.bot.api, harness.deps);
  expect(harness.fake.menuButton).toEqual({ type: "web_app", text: "Дневник", web_app: { url: "https://diary.school.test/app/" } });
});

test("without WEB_URL: /web says the cabinet is not set up, and the menu button is Telegram's default", async () => {
  const plainHarness = await startBotHarness({ now: NOW });
  try {
    const parent = plainHarness.user();
    await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria]);
    expect(plain(await parent.send("/web"))).toBe("Веб-версия дневника в этой школе пока не настроена.");
    await registerWebAppButton(plainHarness.bot.api, plainHarness.deps);
    expect(plainHarness.fake.menuButton).toEqual({ type: "default" });
  } finally {
    await plainHarness.stop();
  }
});
