/**
 * The 24-hour watchdog (regulation 6), every 15 minutes: any final grade or exam result whose
 * delivery has not succeeded within the school's limit (default 20 h, under the regulation's 24)
 * is put on the paper path and listed to the school's admins in the bot. Events of results that
 * never reached the notifier are handed to it again.
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";
import { Delivery, DomainEvent, School, Student } from "../../db/models";
import type { DeliveryJobData } from "../jobs";
import type { OverdueItem } from "./notice";
import { enqueueDeliveries, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { adminAccounts } from "./recipients";

/** Results older than this are left to people (the regulation's window is long over). */
const LOOKBACK_MS = 7 * 24 * 3600_000;

export interface WatchdogReport {
  overdue: number;
  alerted: number;
  requeuedEvents: number;
}

export async function runWatchdog(env: NotifyEnv, onlySchool?: Types.ObjectId): Promise<WatchdogReport> {
  const report: WatchdogReport = { overdue: 0, alerted: 0, requeuedEvents: 0 };
  const schools = await School.find(onlySchool ? { _id: onlySchool } : {}, { settings: 1, timezone: 1 }).lean();
  for (const school of schools) {
    const now = env.now();
    const limitHours = school.settings.finalsDeliveryLimitHours;
    const cutoff = new Date(now.getTime() - limitHours * 3600_000);
    const overdue = await Delivery.find({
      schoolId: school._id,
      kind: { $in: ["final", "exam"] },
      status: { $in: ["queued", "sending", "failed"] },
      resultsAt: { $lte: cutoff, $gte: new Date(now.getTime() - LOOKBACK_MS) },
    }).lean();
    report.requeuedEvents += await requeueStuckEvents(env, school._id, cutoff, now);
    report.alerted += await alertUnhandedPaper(env, school._id, now);
    if (!overdue.length) continue;
    report.overdue += overdue.length;

    const paper: PlannedDelivery[] = [];
    const items = new Map<string, OverdueItem>();
    const names = new Map((await Student.find({ _id: { $in: overdue.map((d) => d.recipient?.studentId).filter(Boolean) } }, { fullName: 1 }).lean()).map((s) => [String(s._id), s.fullName]));
    for (const d of overdue) {
      await Delivery.updateOne({ _id: d._id, status: d.status }, { $set: { status: "fell_back", lastError: `watchdog: not delivered within ${limitHours} h`, failedAt: now } });
      const job = await env.deliveries.getJob(d.idempotencyKey);
      const data = job?.data as DeliveryJobData | undefined;
      if (d.recipient?.guardianId && data) {
        paper.push({ ...pick(data), channel: "paper", guardianId: d.recipient.guardianId, resultsAt: d.resultsAt ?? undefined });
      }
      const resultKey = `${d.eventId ?? d.idempotencyKey}`;
      if (!items.has(resultKey)) items.set(resultKey, { student: names.get(String(d.recipient?.studentId)) ?? "—", what: describe(data), resultsAt: (d.resultsAt ?? d.queuedAt).toISOString() });
    }
    if (paper.length) await enqueueDeliveries(env.deliveries, paper, now);

    const admins = await adminAccounts(school._id);
    if (!admins.length) env.logger.warn({ schoolId: String(school._id), overdue: overdue.length }, "overdue final results and no admin to alert");
    const list = [...items.values()];
    const source = `watchdog-${createHash("sha256").update([...items.keys()].sort().join("|")).digest("hex").slice(0, 32)}`;
    const alerts: PlannedDelivery[] = admins.map(({ accountId, channel }) => ({
      source,
      schoolId: school._id,
      kind: "admin-alert",
      channel,
      accountId,
      notice: { template: "admin-alert", limitHours, items: list },
    }));
    if (alerts.length) report.alerted += (await enqueueDeliveries(env.deliveries, alerts, now)).jobs;
    env.logger.warn({ schoolId: String(school._id), overdue: overdue.length, admins: admins.length }, "final results overdue: put on paper, admins alerted");
  }
  return report;
}

/** A paper result counts as delivered only when handed over: 24 h after the result, the admins hear of each one that is not. */
export const PAPER_HANDOVER_HOURS = 24;

/**
 * Finals and exam results on paper (pending, or printed on a slip) not handed over within 24 hours
 * of the result: listed to the school's admins, once per list (the key is the list's hash).
 */
async function alertUnhandedPaper(env: NotifyEnv, schoolId: Types.ObjectId, now: Date): Promise<number> {
  const late = await Delivery.find({
    schoolId,
    kind: { $in: ["final", "exam"] },
    channel: "paper",
    status: { $in: ["pending_paper", "printed"] },
    resultsAt: { $lte: new Date(now.getTime() - PAPER_HANDOVER_HOURS * 3600_000), $gte: new Date(now.getTime() - LOOKBACK_MS) },
  }).lean();
  if (!late.length) return 0;
  const names = new Map((await Student.find({ _id: { $in: late.map((d) => d.recipient?.studentId).filter(Boolean) } }, { fullName: 1 }).lean()).map((s) => [String(s._id), s.fullName]));
  const items = late.map((d) => ({
    student: names.get(String(d.recipient?.studentId)) ?? "—",
    what: describe({ notice: d.notice, kind: d.kind } as DeliveryJobData),
    resultsAt: (d.resultsAt ?? d.queuedAt).toISOString(),
  }));
  const source = `watchdog-paper-${createHash("sha256").update(late.map((d) => String(d._id)).sort().join("|")).digest("hex").slice(0, 32)}`;
  const admins = await adminAccounts(schoolId);
  if (!admins.length) env.logger.warn({ schoolId: String(schoolId), late: late.length }, "paper results not handed over and no admin to alert");
  const alerts: PlannedDelivery[] = admins.map(({ accountId, channel }) => ({
    source, schoolId, kind: "admin-alert", channel, accountId, notice: { template: "admin-alert", limitHours: PAPER_HANDOVER_HOURS, items, paper: true },
  }));
  return alerts.length ? (await enqueueDeliveries(env.deliveries, alerts, now)).jobs : 0;
}

function pick(data: DeliveryJobData): Omit<PlannedDelivery, "channel"> {
  return { source: data.source, schoolId: data.schoolId, kind: data.kind, studentId: data.studentId, eventId: data.eventId, notice: data.notice };
}

function describe(data: DeliveryJobData | undefined): string {
  const n = data?.notice;
  if (n?.template === "final") return [n.subject, n.period].filter(Boolean).join(", ");
  if (n?.template === "exam") return n.name;
  return data?.kind ?? "";
}

/** Final/exam events the notifier never finished (worker down, job failed): enqueued again. */
async function requeueStuckEvents(env: NotifyEnv, schoolId: Types.ObjectId, cutoff: Date, now: Date): Promise<number> {
  const events = await DomainEvent.find(
    { schoolId, type: { $in: ["final.published", "exam.published"] }, createdAt: { $lte: cutoff, $gte: new Date(now.getTime() - LOOKBACK_MS) } },
    { eventId: 1, type: 1 },
  ).lean();
  let requeued = 0;
  for (const event of events) {
    if (await Delivery.exists({ eventId: event.eventId })) continue;
    const job = await env.events.getJob(event.eventId);
    const state = job ? await job.getState() : "missing";
    if (state === "completed" || state === "active" || state === "waiting" || state === "delayed") continue;
    if (job && state === "failed") await job.retry("failed");
    else await env.events.add(event.type, { eventId: event.eventId, type: event.type, schoolId: String(schoolId) }, { jobId: event.eventId, attempts: 5, backoff: { type: "exponential", delay: 5000 } });
    requeued++;
  }
  return requeued;
}
