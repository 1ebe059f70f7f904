/**
 * A six-day school week (`settings.sixDayWeek`): on a Friday the schedule's "next school day" is
 * Saturday and the week has six days; a five-day school goes on to Monday. The daily results slip is
 * scheduled Monday to Saturday and runs on a Saturday morning only for a six-day school.
 */
import { School } from "../../src/db/models";
import pino from "pino";
import { createI18n } from "../../src/i18n";
import { dailySlipCron, processDailySlipJob } from "../../src/queue/daily-slips";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow, plain } from "./views-support";

useTestDb();

let harness: BotHarness;
let fx: SchoolFixture;
let parent: TestUser;

beforeAll(async () => {
  fx = await createSchoolFixture();
  harness = await startBotHarness({ now: moscow("2026-12-04 12:00") }); // a Friday
  parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria]);
}, 60_000);
afterAll(async () => harness.stop());

test("Friday's schedule: the next school day is Monday in a five-day week, Saturday in a six-day one", async () => {
  expect(plain(await parent.send("/schedule"))).toMatch(/^пн, 7 декабря$/m);
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.sixDayWeek": true } });
  const text = plain(await parent.send("/schedule"));
  expect(text).toMatch(/^сб, 5 декабря \(завтра\)$/m);
  expect(text).not.toMatch(/^пн, 7 декабря$/m);
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.sixDayWeek": false } });
});

test.each([
  [{}, "0 8 * * 1-5"],
  [{ sixDayWeek: false }, "0 8 * * 1-5"],
  [{ sixDayWeek: true }, "0 8 * * 1-6"],
])("the daily slip's schedule for %j: %s", (week, cron) => {
  expect(dailySlipCron("08:00", week)).toBe(cron);
});

test("the daily results slip runs on a Saturday morning only in a six-day week", async () => {
  const saturday = moscow("2026-12-05 08:00");
  const deps = { api: {} as never, i18n: createI18n("ru"), logger: pino({ level: "silent" }), now: () => saturday };
  expect(await processDailySlipJob({ data: { schoolId: String(fx.school._id) } }, deps)).toMatchObject({ skipped: "holiday" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.sixDayWeek": true } });
  expect((await processDailySlipJob({ data: { schoolId: String(fx.school._id) } }, deps)).skipped).toBeUndefined();
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.sixDayWeek": false } });
});
