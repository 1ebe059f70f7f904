/**
 * The school's settings in a real browser (Debian's chromium, issue 13.7): an admin moves the start
 * of the school's quiet hours from 21:00 to 20:00 on the console's settings page, and the next
 * delivery obeys it — a final grade published at 20:30 on the school's clock, which went out at once
 * before the change, now waits in the queue until 08:00 and goes out then. The change is in the
 * change log. With SCREENSHOTS=1 the pages are saved to docs/screenshots/.
 */
import { AuditEntry, Delivery, School } from "../../src/db/models";
import { QUEUES } from "../../src/queue/names";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { staffAccount } from "../support/console";
import { addDays, schoolDay, zonedInstant } from "../../src/domain/time";
import { miniAppInitData, startWeb, type WebServer } from "../support/web";
import { launchBrowser, screenshot, type TestBrowser } from "../support/browser";
import { sleep, useNotifyHarness } from "../integration/notify-harness";
import { publishFinal } from "../integration/notify-events";

const h = useNotifyHarness();

const ADMIN = 7401;
const PARENT = 7402;
/**
 * The school's clock: real time moved by less than half a day to an evening 20:30 in Moscow. The
 * delivery engine delays a job until the end of quiet hours on this clock while BullMQ counts real
 * time, so the move must leave that end in the real future: it does (at least half an hour ahead).
 */
const ZONE = "Europe/Moscow";
function eveningNear(real: Date): Date {
  const from = real.getTime() - 11 * 3600_000;
  for (let day = schoolDay(new Date(from), ZONE); ; day = addDays(day, 1)) {
    const at = zonedInstant(day, "20:30", ZONE);
    if (at.getTime() > from) return at;
  }
}
const EVENING = eveningNear(new Date());
const MORNING = zonedInstant(addDays(schoolDay(EVENING, ZONE), 1), "08:00", ZONE);
let offset = 0;
const clock = () => new Date(Date.now() + offset);
const setClock = (at: Date) => {
  offset = at.getTime() - Date.now();
};
let fx: SchoolFixture;
let web: WebServer;
let browser: TestBrowser;
let chatId: number;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  chatId = (await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria])).chatId!;
  setClock(EVENING);
  web = await startWeb({ now: clock() });
  browser = await launchBrowser();
  await h.start({ now: clock });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function openAs(telegramId: number, path: string) {
  const page = await browser.page();
  page.setDefaultTimeout(8000);
  const hash = new URLSearchParams({ tgWebAppData: miniAppInitData(telegramId, web.deps.now()), tgWebAppVersion: "8.0", tgWebAppPlatform: "android" });
  await page.goto(`${web.url}${path}#${hash}`);
  await page.waitForURL(`${web.url}${path}`);
  return page;
}

/** The delivery of this final to the parent's Telegram, once the worker has planned it. */
async function deliveryOf(eventId: string, until: (d: { status: string; notBefore?: Date | null }) => boolean) {
  for (let i = 0; i < 150; i++, await sleep(100)) {
    const found = await Delivery.findOne({ eventId, channel: "telegram" }).lean();
    if (found && until(found)) return found;
  }
  throw new Error(`the delivery of ${eventId} did not get there`);
}

test("an admin changes quiet hours on the settings page and the next delivery obeys them", async () => {
  // Before: 20:30 is outside the school's 21:00–08:00, so a final goes out at once.
  const before = await publishFinal(h.queues, fx, fx.students.maria, { subject: "alg" });
  await deliveryOf(before.eventId, (d) => d.status === "sent");
  expect(h.fake.sent(chatId)).toHaveLength(1);

  const page = await openAs(ADMIN, `/app/school/${fx.school._id}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("link", { name: "Настройки школы" }).first().click();
  await page.waitForURL(/\/settings$/);
  const start = page.getByLabel("Тихие часы: начало");
  expect(await start.inputValue()).toBe("21:00");

  // A mistake first: shown next to the field, the value kept, nothing saved.
  await start.fill("20:70");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await page.locator("#f-quietHours-start-error").waitFor();
  expect(await page.locator("#f-quietHours-start-error").innerText()).toBe("время в виде ЧЧ:ММ, например 21:00");
  expect(await page.getByLabel("Тихие часы: начало").inputValue()).toBe("20:70");
  expect(await page.getByLabel("Тихие часы: начало").getAttribute("aria-invalid")).toBe("true");
  expect((await School.findById(fx.school._id).lean())!.settings.quietHours.start).toBe("21:00");

  await page.getByLabel("Тихие часы: начало").fill("20:00");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await page.getByText("Настройки сохранены.").waitFor();
  expect(await page.getByLabel("Тихие часы: начало").inputValue()).toBe("20:00");
  await screenshot(page, "console-settings");

  // The next final, also at 20:30: now inside the quiet hours, it waits until 08:00 on the school's clock.
  const after = await publishFinal(h.queues, fx, fx.students.maria, { subject: "rus" });
  const held = await deliveryOf(after.eventId, (d) => !!d.notBefore);
  expect(held.notBefore!.toISOString()).toBe(MORNING.toISOString());
  const job = await h.queues.queue(QUEUES.deliveries).getJob(held.idempotencyKey);
  // notBefore is written just before the job moves to the delayed set.
  for (let i = 0; i < 50 && (await job!.getState()) !== "delayed"; i++) await sleep(100);
  expect(await job!.getState()).toBe("delayed");
  await sleep(300);
  expect(h.fake.sent(chatId)).toHaveLength(1);
  expect((await Delivery.findById(held._id).lean())!.status).toBe("queued");

  // 08:00: the window ends and the message goes out (BullMQ's delay is promoted as the hour comes).
  setClock(MORNING);
  await job!.promote();
  await deliveryOf(after.eventId, (d) => d.status === "sent");
  expect(h.fake.sent(chatId)).toHaveLength(2);

  // The change log names the change.
  await page.getByRole("link", { name: "Журнал изменений" }).first().click();
  await page.waitForURL(/\/audit$/);
  const row = await page.locator("tbody tr").first().innerText();
  expect(row).toContain("Тихие часы: начало");
  expect(row).toMatch(/21:00\s+20:00/);
  expect(await AuditEntry.countDocuments({ schoolId: fx.school._id, key: "quietHours.start" })).toBe(1);
  await screenshot(page, "console-audit");
  expect(browser.problems).toEqual([]);
});
