/**
 * The one path of every message to a person: a `Delivery` record (unique idempotencyKey, written
 * with $setOnInsert) and a BullMQ job on QUEUES.deliveries whose jobId is the same key. Planning
 * the same event for the same person twice — a retried event job, a second worker, a re-sent
 * batch — lands on the same record and the same job.
 */
import { Types } from "mongoose";
import type { Queue } from "bullmq";
import { Delivery, type Channel, type DeliveryDocument, type DeliveryKind } from "../../db/models";
import { goesOnPaper } from "../../channels/paper";
import type { DeliveryJobData } from "../jobs";
import type { Notice } from "./notice";
import { familiesOf, personKey, type Family, type Person } from "../people";
import { channelEnabled, channelEntry } from "./channels";

export interface PlannedDelivery {
  /** What the message is about: an eventId or a batch id; no ":" (BullMQ ids). */
  source: string;
  schoolId: Types.ObjectId | string;
  kind: DeliveryKind;
  channel: Channel;
  guardianId?: Types.ObjectId | string;
  accountId?: Types.ObjectId | string;
  studentId?: Types.ObjectId | string;
  eventId?: string;
  resultsAt?: Date;
  notice: Notice;
}

export type DeliveryBase = Omit<PlannedDelivery, "channel" | "guardianId" | "accountId">;

/** Retries: 2, 4, 8 ... 256 s (about 8.5 minutes in all) for network trouble and 5xx. */
export const DELIVERY_JOB_OPTIONS = {
  attempts: 9,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 3 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** Statuses after which a delivery job has nothing left to do. */
export const SETTLED = new Set(["sent", "delivered", "cancelled", "fell_back", "pending_paper", "printed", "handed"]);

/**
 * `<source>/<recipient>/<channel>`: electronic messages are keyed by person (`a<accountId>`, or
 * `g<guardianId>` for the record person's e-mail); paper by family (`g<guardianId>`: one item per
 * child and record, whichever of its persons needed paper).
 */
export function deliveryKey(p: Pick<PlannedDelivery, "source" | "channel" | "guardianId" | "accountId">): string {
  const who = p.channel === "paper" ? `g${String(p.guardianId)}` : personKey(p);
  return `${p.source}/${who}/${p.channel}`;
}

export function jobData(p: PlannedDelivery): DeliveryJobData {
  const id = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    key: deliveryKey(p),
    source: p.source,
    schoolId: String(p.schoolId),
    kind: p.kind,
    channel: p.channel,
    guardianId: id(p.guardianId),
    accountId: id(p.accountId),
    studentId: id(p.studentId),
    eventId: p.eventId,
    resultsAt: p.resultsAt?.toISOString(),
    notice: p.notice,
  };
}

export interface EnqueueCounts {
  planned: number;
  created: number;
  jobs: number;
  paper: number;
}

const CHUNK = 500;
const oid = (v: Types.ObjectId | string | undefined) => (v === undefined ? undefined : typeof v === "string" ? new Types.ObjectId(v) : v);

/** Messages per batch job on the bulk queue (src/queue/delivery-batch.ts). */
export const BATCH_SIZE = 120;
/** Batch jobs wait behind anything else on their queue (BullMQ: a lower number goes first; none goes before all). */
const BATCH_PRIORITY = 10;

/**
 * Records and enqueues; `notBefore` delays the jobs (digests, quiet hours known in advance). Plans
 * with the same key (a family's paper planned for two of its persons) count once. With `bulk` (a
 * broadcast, a forecast), the electronic messages go as batch jobs of BATCH_SIZE on that queue,
 * their records naming the batch job (`batchJob`, numbered from `firstBatch`: a source planned in
 * pages gives each page numbers of its own); without it, one job per message. `beforeChunk` runs
 * before each chunk's write (broadcasts: wait while finals run, services/notify/urgent.ts).
 */
export async function enqueueDeliveries(queue: Queue, plans: PlannedDelivery[], now: Date, notBefore?: Date, bulk?: Queue, firstBatch = 0, beforeChunk?: () => Promise<unknown>): Promise<EnqueueCounts> {
  const planned = [...new Map(plans.map((p) => [deliveryKey(p), p])).values()];
  const batched = !!bulk && planned.filter((p) => p.channel !== "paper").length > 1;
  const chunkSize = batched ? BATCH_SIZE : CHUNK;
  const counts: EnqueueCounts = { planned: planned.length, created: 0, jobs: 0, paper: 0 };
  for (let i = 0; i < planned.length; i += chunkSize) {
    const chunk = planned.slice(i, i + chunkSize);
    // Stable: planning the same source again makes the same batches (BullMQ adds nothing twice).
    const batchJob = batched ? `${chunk[0].source}/batch-${firstBatch + i / chunkSize}` : undefined;
    await beforeChunk?.();
    const result = await Delivery.bulkWrite(
      chunk.map((p) => ({
        updateOne: {
          filter: { idempotencyKey: deliveryKey(p) },
          update: {
            $setOnInsert: {
              schoolId: oid(p.schoolId),
              idempotencyKey: deliveryKey(p),
              kind: p.kind,
              channel: p.channel,
              recipient: { guardianId: oid(p.guardianId), accountId: oid(p.accountId), studentId: oid(p.studentId) },
              status: p.channel === "paper" ? "pending_paper" : "queued",
              attempts: 0,
              queuedAt: now,
              ...(p.eventId ? { eventId: p.eventId } : {}),
              ...(p.resultsAt ? { resultsAt: p.resultsAt } : {}),
              ...(notBefore ? { notBefore } : {}),
              ...(batchJob && p.channel !== "paper" ? { batchJob } : {}),
              // The record keeps what the message says: a paper item is printed from it, and an
              // electronic job lost with Redis is rebuilt from it (src/queue/redrive.ts).
              notice: p.notice,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    counts.created += result.upsertedCount;
    const electronic = chunk.filter((p) => p.channel !== "paper");
    counts.paper += chunk.length - electronic.length;
    const delay = notBefore ? Math.max(0, notBefore.getTime() - now.getTime()) : 0;
    if (electronic.length && batchJob) {
      await bulk!.add("batch", { batch: electronic.map(jobData) }, { ...DELIVERY_JOB_OPTIONS, jobId: batchJob, priority: BATCH_PRIORITY, ...(delay ? { delay } : {}) });
      counts.jobs += electronic.length;
    } else if (electronic.length) {
      await queue.addBulk(electronic.map((p) => ({ name: p.kind, data: jobData(p), opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryKey(p), ...(delay ? { delay } : {}) } })));
      counts.jobs += electronic.length;
    }
  }
  return counts;
}

/**
 * The first channel of the person's order that can carry this message now (the channel registry,
 * channels.ts: on in this deployment, carrying this kind of notice for the school, reaching the
 * person); paper (for the family, results and broadcasts only) when none can, or when the person is
 * on paper or has no decision. A channel left out of the order is switched off for the person.
 */
export function planForPerson(person: Person, base: DeliveryBase, after?: Channel): PlannedDelivery[] {
  const common = { ...base, guardianId: person.guardianId, studentId: base.studentId ?? person.studentId };
  const paper = goesOnPaper(base.kind) ? [{ ...common, channel: "paper" as const }] : [];
  if (person.mode !== "electronic") return paper;
  const at = after ? person.channelOrder.indexOf(after) : -1;
  const order = !after ? person.channelOrder : at >= 0 ? person.channelOrder.slice(at + 1) : person.channelOrder.filter((c) => c !== after);
  for (const channel of order) {
    if (channel === "paper") return paper;
    const entry = channelEntry(channel);
    if (!entry || !channelEnabled(channel) || !entry.carries(base.kind, base.notice, person.rules) || !entry.reaches(person)) continue;
    return [{ ...common, channel, ...(person.accountId ? { accountId: person.accountId } : {}) }];
  }
  return paper;
}

/**
 * Every person of the family on their own channels, and the family's paper once when the family is
 * on paper (results and broadcasts only: see src/channels/paper.ts). `wanted` picks the persons
 * (settings such as the forecast opt-out); the family's paper does not depend on it.
 */
export function planForFamily(family: Family, base: DeliveryBase, wanted: (person: Person) => boolean = () => true): PlannedDelivery[] {
  const planned = family.persons.filter(wanted).flatMap((p) => planForPerson(p, base));
  if (family.paper && goesOnPaper(base.kind) && !planned.some((p) => p.channel === "paper")) {
    planned.push({ ...base, guardianId: family.guardianId, studentId: base.studentId ?? family.studentId, channel: "paper" });
  }
  return planned;
}

/** `<source>/<recipient>/<channel>` → source (sources contain no "/"). */
export const sourceOfKey = (key: string) => key.split("/").slice(0, -2).join("/");

type DeliveryRecord = Pick<DeliveryDocument, "idempotencyKey" | "schoolId" | "kind" | "channel" | "recipient" | "eventId" | "resultsAt" | "notice">;

/** A delivery's job rebuilt from its record (the redrive after a Redis loss, an SMS receipt's fallback). */
export function jobDataOf(record: DeliveryRecord): DeliveryJobData {
  return {
    key: record.idempotencyKey,
    source: sourceOfKey(record.idempotencyKey),
    schoolId: String(record.schoolId),
    kind: record.kind,
    channel: record.channel,
    guardianId: record.recipient?.guardianId ? String(record.recipient.guardianId) : undefined,
    accountId: record.recipient?.accountId ? String(record.recipient.accountId) : undefined,
    studentId: record.recipient?.studentId ? String(record.recipient.studentId) : undefined,
    eventId: record.eventId ?? undefined,
    resultsAt: record.resultsAt?.toISOString(),
    notice: record.notice as Notice,
  };
}

/**
 * The channel failed for good for this person (bot blocked, mailbox refused): the record says
 * `fell_back` and the next channel of that person's order gets its own delivery (paper for the
 * family when nothing else is left). Other persons of the family are not concerned.
 */
export async function fallBack(queue: Queue, data: DeliveryJobData, reason: string, now: Date): Promise<Channel | null> {
  await Delivery.updateOne({ idempotencyKey: data.key }, { $set: { status: "fell_back", lastError: reason.slice(0, 500), failedAt: now } });
  if (!data.guardianId || !data.studentId) return null;
  const families = await familiesOf(new Types.ObjectId(data.schoolId), [new Types.ObjectId(data.studentId)]);
  const key = personKey({ accountId: data.accountId, guardianId: data.guardianId });
  const person = (families.get(data.studentId) ?? []).flatMap((f) => f.persons).find((p) => p.key === key && String(p.guardianId) === data.guardianId);
  if (!person) return null;
  const base: DeliveryBase = {
    source: data.source,
    schoolId: data.schoolId,
    kind: data.kind,
    studentId: data.studentId,
    eventId: data.eventId,
    resultsAt: data.resultsAt ? new Date(data.resultsAt) : undefined,
    notice: data.notice,
  };
  // The failed channel is unusable for this message; the next one is after it in the person's order
  // (still only with consent in force and without a choice of paper).
  const walk = person.consent === "granted" && person.reason !== "chosen";
  const next = planForPerson(walk ? { ...person, mode: "electronic" } : person, base, data.channel).filter((p) => p.channel !== data.channel);
  if (!next.length) return null;
  await enqueueDeliveries(queue, next, now);
  return next[0].channel;
}

/** Failed deliveries of a school, newest first (the admins' /deliveries view). */
export async function failedDeliveries(schoolId: Types.ObjectId, limit = 20) {
  return Delivery.find({ schoolId, status: "failed" }, { kind: 1, channel: 1, recipient: 1, attempts: 1, lastError: 1, failedAt: 1, idempotencyKey: 1 })
    .sort({ failedAt: -1 })
    .limit(limit)
    .lean();
}

/**
 * Puts a failed delivery back on the queue (the BullMQ job keeps its data for 30 days). A job that
 * is gone (Redis lost it, or it expired) is rebuilt from the record by the one-minute re-drive
 * (src/queue/redrive.ts) once the record is `queued` again.
 */
export async function retryDelivery(queue: Queue, schoolId: Types.ObjectId, deliveryId: string): Promise<boolean> {
  if (!Types.ObjectId.isValid(deliveryId)) return false;
  const record = await Delivery.findOne({ _id: deliveryId, schoolId, status: "failed" }).lean();
  if (!record) return false;
  const job = await queue.getJob(record.idempotencyKey);
  if (!job && record.notice) return (await Delivery.updateOne({ _id: record._id, status: "failed" }, { $set: { status: "queued" } })).modifiedCount === 1;
  if (!job || !(await job.isFailed())) return false;
  await Delivery.updateOne({ _id: record._id, status: "failed" }, { $set: { status: "queued" } });
  await job.retry("failed");
  return true;
}
