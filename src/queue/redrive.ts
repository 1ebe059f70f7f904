/**
 * Redis is a cache of work; MongoDB is the truth (issue 10.4). Every unfinished piece of work has a
 * record in MongoDB, so the queues can be rebuilt from it when Redis lost its data (FLUSHALL, a
 * restart without persistence, a failover to a replica that lagged):
 *
 * - a `Delivery` that is `queued` (or `sending` past its lease: a worker died) and whose BullMQ job
 *   is gone gets its job again, rebuilt from the record (the record keeps the notice);
 * - a `DomainEvent` handed to the queue (`enqueuedAt`) but not yet turned into deliveries
 *   (`processedAt` unset) whose job is gone, or failed, is handed to the queue again;
 * - events never handed over (the outbox) are swept as before (scheduled-processor.ts).
 *
 * Re-adding is harmless when the job still exists (same jobId: BullMQ adds nothing), and a job that
 * runs twice finds its delivery `sent` and skips, so every step here is idempotent. The narrow
 * interface: `redrive(queues, options)`; the engine and the planners only have to keep the records
 * (notice, status, lease) as they are.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Delivery, DomainEvent } from "../db/models";
import { DELIVERY_JOB_OPTIONS, jobDataOf } from "../services/notify/deliveries";
import { EVENT_JOB_OPTIONS } from "../services/exchange/events";
import { SENDING_LEASE_MS } from "./delivery-engine";

/** Records younger than this are left alone by the periodic check (their job is being added right now). */
export const REDRIVE_GRACE_MS = 2 * 60_000;
/** Events older than this are the watchdog's business (and their completed jobs may be gone). */
const EVENT_LOOKBACK_MS = 2 * 24 * 3600_000;
const PAGE = 1000;
const FAILED_EVENT_RETRY_MS = 10 * 60_000;

export interface RedriveQueues {
  deliveries: Queue;
  /** Batch jobs (QUEUES.bulk): a record naming its `batchJob` is covered while that job exists. */
  bulk?: Queue;
  events: Queue;
  redis: Redis;
}

export interface RedriveOptions {
  now: Date;
  /** Only records older than this (0 after a detected loss: everything). */
  graceMs: number;
}

export interface RedriveReport {
  deliveries: number;
  events: number;
  /** Delivery records without their notice (written by an older release): re-planned through their event, if any. */
  unrecoverable: number;
}

/** The key of a job's hash (BullMQ: `<prefix>:<queue>:<jobId>`). */
const jobKey = (queue: Queue, id: string) => queue.toKey(id);

/** For each id: does its job exist, and is it in the failed set? One round trip. An id may name its own queue. */
async function jobStates(redis: Redis, queue: Queue, ids: Array<string | { queue: Queue; id: string }>): Promise<Array<{ exists: boolean; failed: boolean }>> {
  if (!ids.length) return [];
  const pipeline = redis.pipeline();
  for (const entry of ids) {
    const [q, id] = typeof entry === "string" ? [queue, entry] : [entry.queue, entry.id];
    pipeline.exists(jobKey(q, id));
    pipeline.zscore(q.toKey("failed"), id);
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((_, i) => ({ exists: replies[2 * i]?.[1] === 1, failed: replies[2 * i + 1]?.[1] !== null && replies[2 * i + 1]?.[1] !== undefined }));
}

/** Deliveries whose job is missing from Redis get it back, rebuilt from the record. */
export async function redriveDeliveries(q: RedriveQueues, options: RedriveOptions): Promise<Pick<RedriveReport, "deliveries" | "unrecoverable"> & { events: string[] }> {
  const { now, graceMs } = options;
  const leaseEnd = new Date(now.getTime() - SENDING_LEASE_MS);
  let lastId: unknown = null;
  let deliveries = 0;
  let unrecoverable = 0;
  const events = new Set<string>();
  for (;;) {
    const page = await Delivery.find(
      { status: { $in: ["queued", "sending"] }, queuedAt: { $lte: new Date(now.getTime() - graceMs) }, ...(lastId ? { _id: { $gt: lastId } } : {}) },
      { idempotencyKey: 1, status: 1, updatedAt: 1, batchJob: 1 },
    )
      .sort({ _id: 1 })
      .limit(PAGE)
      .lean();
    if (!page.length) break;
    lastId = page.at(-1)!._id;
    // A `sending` record within its lease belongs to a live worker.
    const candidates = page.filter((d) => d.status === "queued" || (d.updatedAt && d.updatedAt < leaseEnd));
    // A batch job that is still there (waiting, running or done) hands over whatever it did not finish (src/queue/delivery-batch.ts).
    const states = await jobStates(q.redis, q.deliveries, candidates.map((d) => (d.batchJob && q.bulk ? { queue: q.bulk, id: d.batchJob } : d.idempotencyKey)));
    // A failed batch job (its retries spent while MongoDB was away) leaves its records to single jobs.
    const missing = candidates.filter((d, i) => !states[i].exists || (d.batchJob && q.bulk && states[i].failed)).map((d) => d._id);
    if (missing.length) {
      const records = await Delivery.find({ _id: { $in: missing } }).lean();
      const jobs = [];
      for (const r of records) {
        if (!r.notice) {
          unrecoverable++;
          if (r.eventId) events.add(r.eventId);
          continue;
        }
        const data = jobDataOf(r);
        const delay = r.notBefore ? Math.max(0, r.notBefore.getTime() - now.getTime()) : 0;
        jobs.push({ name: r.kind, data, opts: { ...DELIVERY_JOB_OPTIONS, jobId: r.idempotencyKey, ...(delay ? { delay } : {}) } });
      }
      if (jobs.length) await q.deliveries.addBulk(jobs);
      deliveries += jobs.length;
    }
    if (page.length < PAGE) break;
  }
  return { deliveries, unrecoverable, events: [...events] };
}

/** Events handed to the queue but not turned into deliveries, whose job is gone or failed, are handed over again. */
export async function redriveEvents(q: RedriveQueues, options: RedriveOptions): Promise<number> {
  const { now, graceMs } = options;
  let lastId: unknown = null;
  let redriven = 0;
  for (;;) {
    const page = await DomainEvent.find(
      {
        processedAt: null,
        enqueuedAt: { $ne: null },
        createdAt: { $lte: new Date(now.getTime() - graceMs), $gte: new Date(now.getTime() - EVENT_LOOKBACK_MS) },
        ...(lastId ? { _id: { $gt: lastId } } : {}),
      },
      { eventId: 1, type: 1, schoolId: 1 },
    )
      .sort({ _id: 1 })
      .limit(PAGE)
      .lean();
    if (!page.length) break;
    lastId = page.at(-1)!._id;
    const states = await jobStates(q.redis, q.events, page.map((e) => e.eventId));
    for (const [i, e] of page.entries()) {
      const job = states[i].failed ? await q.events.getJob(e.eventId) : undefined;
      // A failed job (its retries spent while MongoDB was away) is retried; one that keeps failing, every 10 minutes at most.
      if (job && (graceMs === 0 || (job.finishedOn ?? 0) < now.getTime() - FAILED_EVENT_RETRY_MS)) await job.retry("failed");
      else if (job) continue;
      else if (!states[i].exists) await q.events.add(e.type, eventJobData(e), { ...EVENT_JOB_OPTIONS, jobId: e.eventId });
      else continue;
      redriven++;
    }
    if (page.length < PAGE) break;
  }
  return redriven;
}

const eventJobData = (e: { eventId: string; type: string; schoolId: unknown }) => ({ eventId: e.eventId, type: e.type, schoolId: String(e.schoolId) });

/**
 * Delivery records of an older release keep no notice: their event is planned again under a job id
 * of its own (its first job may be completed); planning lands on the same records and re-adds their jobs.
 */
async function replanEvents(q: RedriveQueues, eventIds: string[], now: Date): Promise<number> {
  if (!eventIds.length) return 0;
  const events = await DomainEvent.find({ eventId: { $in: eventIds } }, { eventId: 1, type: 1, schoolId: 1 }).lean();
  await q.events.addBulk(events.map((e) => ({ name: e.type, data: eventJobData(e), opts: { ...EVENT_JOB_OPTIONS, jobId: `${e.eventId}-replan-${now.getTime()}` } })));
  return events.length;
}

/** Both, deliveries first (their missing notices name events to re-plan). */
export async function redrive(q: RedriveQueues, options: RedriveOptions): Promise<RedriveReport> {
  const d = await redriveDeliveries(q, options);
  const events = (await redriveEvents(q, options)) + (await replanEvents(q, d.events, options.now));
  return { deliveries: d.deliveries, unrecoverable: d.unrecoverable, events };
}
