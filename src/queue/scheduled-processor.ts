/** The processor of QUEUES.scheduled: one branch per job name (SCHEDULED_JOBS). */
import { Types } from "mongoose";
import type { Job, Processor } from "bullmq";
import { DomainEvent } from "../db/models";
import type { NotifyEnv } from "../services/notify/env";
import { broadcastForecasts } from "../services/notify/forecast-broadcast";
import { flushDigests, flushGradeBatch } from "../services/notify/grade-alerts";
import { sendWeeklyDigests } from "../services/notify/weekly-digest";
import { runWatchdog } from "../services/notify/watchdog";
import { sweepSmsReceipts } from "../services/notify/sms-receipt-sweep";
import { sendReceipt } from "../services/notify/recommendation-alerts";
import { runBroadcast } from "../services/broadcast";
import { runStaffUpkeep } from "../services/staff-upkeep";
import { runDataRetention } from "../services/data-lifecycle";
import { EVENT_JOB_OPTIONS } from "../services/exchange/events";
import type { ScheduledJobData } from "./jobs";
import { SCHEDULED_JOBS } from "./names";
import { registerAllSchedulers } from "./schedulers";
import { runSchoolMorning } from "./school-rhythm";
import { redrive, REDRIVE_GRACE_MS } from "./redrive";
import { DAILY_SLIP_JOB, processDailySlipJob } from "./daily-slips";
import { PRINTOUT_JOB, processPrintoutJob, type PrintoutJobData, type PrintoutJobDeps } from "./printouts";

/** Events older than this without `enqueuedAt` were left by a crash between write and enqueue. */
const OUTBOX_GRACE_MS = 60_000;

/** One worker serves the whole queue: the weekly printouts (src/queue/printouts.ts) are dispatched here too. */
export function scheduledProcessor(env: NotifyEnv, printouts?: PrintoutJobDeps): Processor<ScheduledJobData> {
  return async (job) => {
    if (job.name === PRINTOUT_JOB) {
      if (!printouts) throw new Error("printouts are not configured in this worker");
      return processPrintoutJob(job as unknown as Job<PrintoutJobData>, printouts);
    }
    if (job.name === DAILY_SLIP_JOB) {
      if (!printouts) throw new Error("printouts are not configured in this worker");
      return processDailySlipJob(job as unknown as Job<{ schoolId: string }>, printouts);
    }
    const d = job.data;
    const school = d.schoolId ? new Types.ObjectId(d.schoolId) : undefined;
    switch (job.name) {
      case SCHEDULED_JOBS.forecast:
        return school ? broadcastForecasts(env, school) : null;
      case SCHEDULED_JOBS.digest:
        return d.schoolId ? flushDigests(env, d.schoolId) : null;
      case SCHEDULED_JOBS.weeklyDigest:
        return school ? sendWeeklyDigests(env, school) : null;
      case SCHEDULED_JOBS.rhythm:
        return school ? runSchoolMorning(env, school, printouts) : null;
      case SCHEDULED_JOBS.gradeBatch:
        return d.schoolId && (d.person ?? d.guardianId) && d.studentId ? flushGradeBatch(env, d.schoolId, (d.person ?? d.guardianId)!, d.studentId) : null;
      case SCHEDULED_JOBS.watchdog: {
        const report = { ...(await runWatchdog(env)), sms: await sweepSmsReceipts(env) };
        // Picks up new schools and changed settings (both registrations skip unchanged schedulers).
        await registerAllSchedulers(env.scheduled);
        return report;
      }
      case SCHEDULED_JOBS.outbox:
        // The outbox, and work Redis lost while keeping the watch's marker (a failover that lagged).
        return { outbox: await sweepOutbox(env), ...(await redrive(env, { now: env.now(), graceMs: REDRIVE_GRACE_MS })) };
      case SCHEDULED_JOBS.broadcast: // jobs of releases before broadcasts went through the outbox (events-processor.ts)
        return school && d.broadcast ? runBroadcast(env, school, d.broadcast) : null;
      case SCHEDULED_JOBS.receipt:
        return d.eventId ? sendReceipt(env, d.eventId, d.round ?? 0) : null;
      case SCHEDULED_JOBS.staffUpkeep:
        return runStaffUpkeep(env.now(), env.logger);
      case SCHEDULED_JOBS.retention: {
        const report = await runDataRetention(env.now());
        env.logger.info({ accounts: report.accounts, guardians: report.guardians, broadcastTexts: report.broadcastTexts, ...report.erased }, "data retention");
        return report;
      }
      default:
        env.logger.warn({ name: job.name }, "unknown scheduled job");
        return null;
    }
  };
}

/** Enqueues domain events whose producer crashed before handing them to the queue (the outbox); `graceMs` 0 after a Redis loss. */
export async function sweepOutbox(env: NotifyEnv, graceMs = OUTBOX_GRACE_MS): Promise<number> {
  const stale = await DomainEvent.find({ enqueuedAt: null, createdAt: { $lt: new Date(env.now().getTime() - graceMs) } }, { eventId: 1, type: 1, schoolId: 1 })
    .sort({ createdAt: 1 })
    .limit(500)
    .lean();
  if (!stale.length) return 0;
  await env.events.addBulk(
    stale.map((e) => ({
      name: e.type,
      data: { eventId: e.eventId, type: e.type, schoolId: String(e.schoolId) },
      opts: { ...EVENT_JOB_OPTIONS, jobId: e.eventId },
    })),
  );
  await DomainEvent.updateMany({ eventId: { $in: stale.map((e) => e.eventId) } }, { $set: { enqueuedAt: env.now() } });
  return stale.length;
}
