/**
 * The batch lane of the delivery engine (QUEUES.bulk): one job carries many messages of one source
 * (a broadcast, a forecast), and the database is asked per chunk of sends, not per message:
 *
 *   per job:   1 find of the records (settled ones are skipped);
 *   per chunk: 1 updateMany claiming the chunk (queued → sending, with this run's token: the same
 *              atomic per-record claim as a single job's, so a record is sent by one claimer only),
 *              1 find of what this run claimed, the consent gate of the chunk with set queries
 *              (src/services/notify/consent.ts `personGates`, at most 5 commands) right before its
 *              sends — a withdrawal still stops messages not yet sent — and 1 bulkWrite settling it.
 *
 * A chunk is about one second of Telegram's sends, so a claim never waits long. The pipe is kept
 * full: while a chunk is being sent, the next one is claimed and gated (its gate is at most one
 * chunk's sends old when its own sends start), the chunk before it is settled in the background,
 * and SENDERS sends of a chunk wait for Telegram's slots at once, so every free slot finds a
 * message ready (rate-limits.ts counts a send in flight until its answer). Whatever a batch
 * cannot finish at once (quiet hours, a chat sent to less than a second ago, a 429, a network error,
 * a record someone else holds) becomes a single job on QUEUES.deliveries with the usual retries;
 * nothing is left behind in the batch. Failures that end a person's channel fall back as in the
 * single lane. Senders here are not urgent: finals and exams waiting for a slot go first.
 */
import { randomUUID } from "node:crypto";
import type { Job, Processor } from "bullmq";
import type { AnyBulkWriteOperation } from "mongoose";
import { Delivery } from "../db/models";
import { personGates } from "../services/notify/consent";
import { DELIVERY_JOB_OPTIONS, fallBack, SETTLED } from "../services/notify/deliveries";
import { quietUntil } from "../services/notify/quiet-hours";
import { yieldToUrgent } from "../services/notify/urgent";
import { isLanguage, type Language } from "../i18n";
import type { DeliveryJobData } from "./jobs";
import { gateInputOf, laneOf, markBlocked, SENDING_LEASE_MS, sendThrough, type EngineDeps } from "./delivery-engine";
import { DEFAULT_PACING, holdGlobal, reserveChat } from "./rate-limits";

export interface BatchJobData {
  batch: DeliveryJobData[];
}

/** Messages per claim within a batch job (about a second of sends at Telegram's limit); BATCH_SIZE per job: deliveries.ts. */
export const SEND_CHUNK = 30;
/** Batch jobs running at once per worker process: enough to keep Telegram busy, few enough to leave finals a clear road. */
export const BATCH_CONCURRENCY = 2;
/** Sends of one chunk waiting for Telegram's slot at once: a slot frees every 33 ms, a send takes a few round trips. */
export const SENDERS = 4;

interface Prepared {
  token: string;
  mine: DeliveryJobData[];
  gates: Awaited<ReturnType<typeof personGates>>;
  later: Array<{ data: DeliveryJobData; at: number }>;
}

interface Tally {
  sent: number;
  cancelled: number;
  later: number;
  fellBack: number;
  failed: number;
}

export function batchProcessor(deps: EngineDeps): Processor<BatchJobData> {
  const now = deps.now ?? (() => new Date());
  const pacing = deps.pacing ?? DEFAULT_PACING;
  const log = deps.logger.child({ component: "delivery-batch" });
  const defaultLang: Language = isLanguage(deps.i18n.language) ? deps.i18n.language : "ru";

  /** Single jobs for what the batch leaves: the record is `queued` again (or still someone else's). */
  async function handOver(items: Array<{ data: DeliveryJobData; at: number }>): Promise<void> {
    if (!items.length) return;
    await deps.queue.addBulk(
      items.map(({ data, at }) => {
        const delay = Math.max(0, at - Date.now());
        return { name: data.kind, data, opts: { ...DELIVERY_JOB_OPTIONS, jobId: data.key, ...(delay ? { delay } : {}) } };
      }),
    );
  }

  /** Claims a chunk and gates what this run claimed (set queries); the rest goes to single jobs later. */
  async function prepare(job: Job<BatchJobData>, chunk: DeliveryJobData[]): Promise<Prepared> {
    // A final or an exam being planned or sent goes first on the database too (a second at most).
    await yieldToUrgent(deps.redis, deps.prefix);
    const token = `${job.id ?? "batch"}#${randomUUID()}`;
    const keys = chunk.map((d) => d.key);
    const leaseEnd = new Date(Date.now() - SENDING_LEASE_MS);
    await Delivery.updateMany(
      { idempotencyKey: { $in: keys }, $or: [{ status: { $in: ["queued", "failed"] } }, { status: "sending", updatedAt: { $lt: leaseEnd } }] },
      { $set: { status: "sending", claim: token }, $inc: { attempts: 1 } },
    );
    const claimed = new Set((await Delivery.find({ idempotencyKey: { $in: keys }, claim: token, status: "sending" }, { idempotencyKey: 1 }).lean()).map((r) => r.idempotencyKey));
    const mine = chunk.filter((d) => claimed.has(d.key));
    const later: Array<{ data: DeliveryJobData; at: number }> = [];
    // Not claimed: a single job holds it (or a dead worker's lease): that job's retries finish it.
    for (const d of chunk) if (!claimed.has(d.key)) later.push({ data: d, at: Date.now() + 2000 });

    const gates = await personGates(mine.map(gateInputOf));
    return { token, mine, gates, later };
  }

  /** Sends a prepared chunk (SENDERS at a time); the returned promise settles it (bulkWrite, fallbacks, single jobs). */
  async function sendPrepared({ token, mine, gates, later }: Prepared, tally: Tally): Promise<() => Promise<void>> {
    const ops: AnyBulkWriteOperation<Delivery>[] = [];
    const fallbacks: Array<{ data: DeliveryJobData; error: string; blocked: boolean }> = [];
    const recorded: Array<() => Promise<void>> = [];
    const settle = (data: DeliveryJobData, set: Record<string, unknown>, unset: Record<string, 1> = {}) =>
      ops.push({ updateOne: { filter: { idempotencyKey: data.key, status: "sending", claim: token }, update: { $set: set, $unset: { claim: 1, ...unset } } } });
    const release = (data: DeliveryJobData, at: number, set: Record<string, unknown> = {}) => {
      settle(data, { status: "queued", ...set }, { batchJob: 1 });
      later.push({ data, at });
      tally.later++;
    };

    const one = async (i: number): Promise<void> => {
      const data = mine[i];
      const gate = gates[i];
      if (!gate.ok) {
        if (gate.why === "unreachable") fallbacks.push({ data, error: gate.error, blocked: false });
        else {
          settle(data, { status: "cancelled", lastError: gate.error });
          tally.cancelled++;
        }
        return;
      }
      const quietEnd = quietUntil(now(), gate.quiet, gate.timeZone);
      if (quietEnd) {
        release(data, quietEnd.getTime(), { notBefore: quietEnd });
        return;
      }
      if (gate.chatId !== undefined) {
        const wait = await reserveChat(deps.redis, deps.prefix, gate.chatId, pacing.perChatMs);
        if (wait > 0) {
          release(data, Date.now() + wait);
          return;
        }
      }
      const lang = gate.language ?? defaultLang;
      const outcome = await sendThrough(deps, data, gate, lang, { pacing, urgent: false });
      if (outcome.ok) {
        settle(data, { status: "sent", sentAt: now(), ...("record" in outcome ? outcome.record : {}) }, { lastError: 1 });
        if ("recorded" in outcome && outcome.recorded) recorded.push(outcome.recorded);
        tally.sent++;
        if (data.channel === "telegram") deps.onSent?.(data);
        return;
      }
      switch (outcome.kind) {
        case "rate-limited":
          if (data.channel === "telegram") deps.on429?.();
          log.warn({ key: data.key, channel: data.channel, retryAfterMs: outcome.retryAfterMs }, "rate limited: obeying the wait");
          await holdGlobal(deps.redis, deps.prefix, outcome.retryAfterMs, laneOf(data.channel) ?? "tg");
          release(data, Date.now() + outcome.retryAfterMs, { lastError: outcome.error });
          break;
        case "unreachable":
          fallbacks.push({ data, error: outcome.error, blocked: true });
          break;
        case "permanent":
          settle(data, { status: "failed", lastError: outcome.error, failedAt: now() });
          tally.failed++;
          log.error({ key: data.key, error: outcome.error }, "delivery refused for good");
          break;
        case "retry":
          release(data, Date.now() + 2000, { lastError: outcome.error });
          break;
      }
    };
    let next = 0;
    const sender = async () => {
      while (next < mine.length) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.min(SENDERS, mine.length) }, sender));
    return async () => {
      if (ops.length) await Delivery.bulkWrite(ops, { ordered: false });
      for (const r of recorded) await r(); // SMS receipts that overtook the write of their ids
      for (const f of fallbacks) {
        if (f.blocked) await markBlocked(f.data, now());
        const fell = await fallBack(deps.queue, f.data, f.error, now());
        tally.fellBack++;
        log.info({ key: f.data.key, channel: f.data.channel, next: fell }, "recipient unreachable; fell back");
      }
      await handOver(later);
    };
  }

  return async (job) => {
    const items = job.data.batch;
    const records = await Delivery.find({ idempotencyKey: { $in: items.map((d) => d.key) } }, { idempotencyKey: 1, status: 1 }).lean();
    const open = new Set(records.filter((r) => !SETTLED.has(r.status)).map((r) => r.idempotencyKey));
    const todo = items.filter((d) => open.has(d.key));
    const tally: Tally = { sent: 0, cancelled: 0, later: 0, fellBack: 0, failed: 0 };
    const chunks: DeliveryJobData[][] = [];
    for (let i = 0; i < todo.length; i += SEND_CHUNK) chunks.push(todo.slice(i, i + SEND_CHUNK));
    // Three stages overlap: chunk k+1 is claimed and gated while chunk k is sent and chunk k-1 settled.
    const settling: Array<Promise<void>> = [];
    let ready = chunks.length ? prepare(job, chunks[0]) : undefined;
    try {
      for (let k = 0; k < chunks.length; k++) {
        const current = await ready!;
        ready = k + 1 < chunks.length ? prepare(job, chunks[k + 1]) : undefined;
        ready?.catch(() => undefined); // awaited in its turn; not an unhandled rejection meanwhile
        const settle = await sendPrepared(current, tally);
        const done = settle();
        done.catch(() => undefined);
        settling.push(done);
      }
    } finally {
      // Whatever happens, every chunk sent is settled before the job ends (its records say "sent").
      await Promise.allSettled(settling);
    }
    await Promise.all(settling);
    log.debug({ jobId: job.id, items: items.length, ...tally }, "batch done");
    return `sent:${tally.sent} cancelled:${tally.cancelled} later:${tally.later} fell_back:${tally.fellBack} failed:${tally.failed} skipped:${items.length - todo.length}`;
  };
}
