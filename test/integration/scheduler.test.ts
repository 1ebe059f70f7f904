/** Job schedulers: one per school and purpose, in the school's zone; registering again changes nothing. */
import { School } from "../../src/db/models";
import { createQueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { registerSchedulers } from "../../src/queue/schedulers";
import { forecastPeriodToday } from "../../src/services/notify/forecast-broadcast";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { createSchoolFixture } from "../support/fixtures";

useTestDb();
const redis = useTestRedis();

test("registration is idempotent, follows settings and time zones, and removes what no longer applies", async () => {
  const queues = createQueueFactory(redis.url, redis.prefix);
  const queue = queues.queue(QUEUES.scheduled);
  const a = await createSchoolFixture({ data: "none" });
  const b = await createSchoolFixture({ data: "none", timezone: "Asia/Yekaterinburg" });
  await School.updateOne({ _id: b.school._id }, { $set: { "settings.digestTime": "19:30" } });
  await registerSchedulers(queue);
  const first = await queue.getJobSchedulers(0, -1);
  const delayed = await queue.getDelayedCount();
  await registerSchedulers(queue);
  await registerSchedulers(queue);
  const again = await queue.getJobSchedulers(0, -1);
  expect(again.map((s) => s.key).sort()).toEqual(first.map((s) => s.key).sort());
  expect(await queue.getDelayedCount()).toBe(delayed);
  const byKey = new Map(again.map((s) => [s.key, s]));
  expect(byKey.get("watchdog")).toMatchObject({ pattern: "*/15 * * * *" });
  expect(byKey.get("staff-upkeep")).toMatchObject({ pattern: "7 * * * *" });
  expect(byKey.get("data-retention")).toMatchObject({ pattern: "37 0 * * *" });
  expect(byKey.get(`forecast-${a.school._id}`)).toMatchObject({ pattern: "0 17 * * *", tz: "Europe/Moscow" });
  expect(byKey.get(`digest-${b.school._id}`)).toMatchObject({ pattern: "30 19 * * *", tz: "Asia/Yekaterinburg" });

  await School.updateOne({ _id: a.school._id }, { $set: { "settings.forecastSchedule.enabled": false } });
  await registerSchedulers(queue);
  expect((await queue.getJobSchedulers(0, -1)).some((s) => s.key === `forecast-${a.school._id}`)).toBe(false);
  await queue.obliterate({ force: true });
  await queues.close();
});

test("forecast days: the weekly day during a period, every day in its last 10 days, never outside it", async () => {
  const fx = await createSchoolFixture();
  const at = (day: string) => new Date(`${day}T14:00:00Z`);
  const school = (await School.findById(fx.school._id).lean())!;
  expect(await forecastPeriodToday(school, at("2026-11-16"))).not.toBeNull(); // a Monday of the 2nd quarter
  expect(await forecastPeriodToday(school, at("2026-11-17"))).toBeNull(); // a Tuesday
  expect(await forecastPeriodToday(school, at("2026-12-22"))).not.toBeNull(); // a Tuesday in the quarter's last days
  expect(await forecastPeriodToday(school, at("2026-11-02"))).toBeNull(); // autumn holidays
}, 60_000);
