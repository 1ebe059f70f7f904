/**
 * BullMQ job schedulers (never process timers): per school, in the school's time zone, the forecast
 * check (daily at the forecast time: the job itself decides whether today is a forecast day — the
 * weekly day, or one of the period's last days), the daily digest, the weekly digest and the
 * school's morning (daily at `dailySlipTime`: src/queue/school-rhythm.ts); globally, the 15-minute
 * watchdog, the one-minute outbox sweep, the hourly staff upkeep and the daily data retention. `upsertJobScheduler` with stable ids makes registering
 * idempotent: every worker start (and every watchdog run) registers again, nothing doubles.
 */
import type { Queue } from "bullmq";
import { School } from "../db/models";
import type { ScheduledJobData } from "./jobs";
import { SCHEDULED_JOBS } from "./names";
import { registerPrintoutSchedulers } from "./printouts";

const cron = (hhmm: string, weekdays = "*") => `${Number(hhmm.slice(3, 5))} ${Number(hhmm.slice(0, 2))} * * ${weekdays}`;

export interface SchedulerSpec {
  id: string;
  name: string;
  pattern: string;
  tz?: string;
  data: ScheduledJobData;
}

export async function schedulerSpecs(): Promise<SchedulerSpec[]> {
  const specs: SchedulerSpec[] = [
    { id: "watchdog", name: SCHEDULED_JOBS.watchdog, pattern: "*/15 * * * *", data: {} },
    { id: "outbox-sweep", name: SCHEDULED_JOBS.outbox, pattern: "* * * * *", data: {} },
    { id: "staff-upkeep", name: SCHEDULED_JOBS.staffUpkeep, pattern: "7 * * * *", data: {} },
    // Daily, at night in Moscow (00:37 UTC); every school's own retention period is applied inside.
    { id: "data-retention", name: SCHEDULED_JOBS.retention, pattern: "37 0 * * *", data: {} },
  ];
  for (const school of await School.find({}, { timezone: 1, settings: 1 }).lean()) {
    const id = String(school._id);
    const plan = school.settings.forecastSchedule;
    if (plan.enabled) specs.push({ id: `forecast-${id}`, name: SCHEDULED_JOBS.forecast, pattern: cron(plan.weeklyTime), tz: school.timezone, data: { schoolId: id } });
    specs.push({ id: `digest-${id}`, name: SCHEDULED_JOBS.digest, pattern: cron(school.settings.digestTime), tz: school.timezone, data: { schoolId: id } });
    const weekly = school.settings.weeklyDigest;
    if (weekly?.enabled !== false) {
      const pattern = cron(weekly?.time ?? "18:00", String((weekly?.weekday ?? 7) % 7));
      specs.push({ id: `weekly-${id}`, name: SCHEDULED_JOBS.weeklyDigest, pattern, tz: school.timezone, data: { schoolId: id } });
    }
    // Every day: the job decides what the day is (after holidays, before a period's end, after it).
    specs.push({ id: `rhythm-${id}`, name: SCHEDULED_JOBS.rhythm, pattern: cron(school.settings.dailySlipTime ?? "08:00"), tz: school.timezone, data: { schoolId: id } });
  }
  return specs;
}

/** Ids of the per-school schedulers this file owns (other features may add their own to the queue). */
const OWN_PREFIXES = ["forecast-", "digest-", "weekly-", "rhythm-"];

/** Upserts every scheduler and removes ours that no longer apply (a school gone, forecasts turned off). */
export async function registerSchedulers(queue: Queue): Promise<SchedulerSpec[]> {
  const specs = await schedulerSpecs();
  const existing = await queue.getJobSchedulers(0, -1);
  const wanted = new Set(specs.map((s) => s.id));
  for (const scheduler of existing) {
    const ours = OWN_PREFIXES.some((p) => scheduler.key?.startsWith(p));
    if (ours && !wanted.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
  for (const spec of specs) {
    const current = existing.find((e) => e.key === spec.id);
    if (current && current.pattern === spec.pattern && (current.tz ?? undefined) === spec.tz) continue;
    await queue.upsertJobScheduler(
      spec.id,
      { pattern: spec.pattern, ...(spec.tz ? { tz: spec.tz } : {}) },
      { name: spec.name, data: spec.data, opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 }, attempts: 3, backoff: { type: "exponential", delay: 10_000 } } },
    );
  }
  return specs;
}

/**
 * Every job scheduler of the worker: the ones above and the paper ones (weekly printouts, daily
 * slips: src/queue/printouts.ts). Called on every worker start, by the watchdog (new schools,
 * changed settings) and after Redis lost its data (src/queue/redis-watch.ts): a feature that adds
 * a scheduler registers it here, so that all three see it.
 */
export async function registerAllSchedulers(queue: Queue): Promise<void> {
  await registerSchedulers(queue);
  await registerPrintoutSchedulers(queue, await School.find({}, { timezone: 1, settings: 1 }).lean());
}
