/**
 * The one path of every message to a person: a `Delivery` record (unique idempotencyKey, written
 * with $setOnInsert) and a BullMQ job on QUEUES.deliveries whose jobId is the same key. Planning
 * the same event for the same person twice — a retried event job, a second worker, a re-sent
 * batch — lands on the same record and the same job.
 */
import { Types } from "mongoose";
import type { Queue } from "bullmq";
import { Delivery, Guardian, type Channel, type DeliveryKind } from "../../db/models";
import { goesOnPaper } from "../../channels/paper";
import type { DeliveryJobData, Notice } from "../../queue/jobs";
import { guardianTargets, type GuardianTarget } from "./recipients";

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
export const SETTLED = new Set(["sent", "cancelled", "fell_back", "pending_paper", "printed", "handed"]);

export function deliveryKey(p: Pick<PlannedDelivery, "source" | "channel" | "guardianId" | "accountId">): string {
  const who = p.channel === "telegram" ? `a${String(p.accountId)}` : `g${String(p.guardianId)}`;
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

/** Records and enqueues; `notBefore` delays the jobs (digests, quiet hours known in advance). */
export async function enqueueDeliveries(queue: Queue, planned: PlannedDelivery[], now: Date, notBefore?: Date): Promise<EnqueueCounts> {
  const counts: EnqueueCounts = { planned: planned.length, created: 0, jobs: 0, paper: 0 };
  for (let i = 0; i < planned.length; i += CHUNK) {
    const chunk = planned.slice(i, i + CHUNK);
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
              // Electronic jobs carry their notice in the job; a paper item has only this record.
              ...(p.channel === "paper" ? { notice: p.notice } : {}),
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
    if (electronic.length) {
      await queue.addBulk(electronic.map((p) => ({ name: p.kind, data: jobData(p), opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryKey(p), ...(delay ? { delay } : {}) } })));
      counts.jobs += electronic.length;
    }
  }
  return counts;
}

/** The first channel of the guardian's order that can carry this message now (paper only for results). */
export function planForGuardian(target: GuardianTarget, base: DeliveryBase, after?: Channel): PlannedDelivery[] {
  const common = { ...base, guardianId: target.guardianId, studentId: base.studentId ?? target.studentId };
  const paper = goesOnPaper(base.kind) ? [{ ...common, channel: "paper" as const }] : [];
  if (!target.electronic) return paper;
  const order = after ? target.channelOrder.slice(target.channelOrder.indexOf(after) + 1) : target.channelOrder;
  for (const channel of order) {
    if (channel === "telegram" && target.accountIds.length) return target.accountIds.map((accountId) => ({ ...common, channel, accountId }));
    if (channel === "email" && target.email) return [{ ...common, channel }];
    if (channel === "paper") return paper;
  }
  return paper;
}

/**
 * The channel failed for good for this person (bot blocked, mailbox refused): the record says
 * `fell_back` and the next channel of the guardian's order gets its own delivery. A guardian with
 * another working Telegram account for the same message needs no fallback.
 */
export async function fallBack(queue: Queue, data: DeliveryJobData, reason: string, now: Date): Promise<Channel | null> {
  await Delivery.updateOne({ idempotencyKey: data.key }, { $set: { status: "fell_back", lastError: reason.slice(0, 500), failedAt: now } });
  if (!data.guardianId || !data.studentId) return null;
  if (data.channel === "telegram") {
    const others = await Delivery.countDocuments({
      idempotencyKey: { $regex: `^${escapeRegex(data.source)}/a` },
      "recipient.guardianId": new Types.ObjectId(data.guardianId),
      status: { $in: ["queued", "sending", "sent"] },
    });
    if (others > 0) return null;
  }
  const guardian = await Guardian.exists({ _id: data.guardianId });
  if (!guardian) return null;
  const targets = await guardianTargets(new Types.ObjectId(data.schoolId), [new Types.ObjectId(data.studentId)]);
  const target = targets.get(data.studentId)?.find((t) => String(t.guardianId) === data.guardianId);
  if (!target) return null;
  const base: DeliveryBase = {
    source: data.source,
    schoolId: data.schoolId,
    kind: data.kind,
    studentId: data.studentId,
    eventId: data.eventId,
    resultsAt: data.resultsAt ? new Date(data.resultsAt) : undefined,
    notice: data.notice,
  };
  // A 403 made the guardian's Telegram unusable; their next channel is after it in the order.
  const next = planForGuardian({ ...target, accountIds: [] }, base, data.channel).filter((p) => p.channel !== data.channel);
  if (!next.length) return null;
  await enqueueDeliveries(queue, next, now);
  return next[0].channel;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Failed deliveries of a school, newest first (the admins' /deliveries view). */
export async function failedDeliveries(schoolId: Types.ObjectId, limit = 20) {
  return Delivery.find({ schoolId, status: "failed" }, { kind: 1, channel: 1, recipient: 1, attempts: 1, lastError: 1, failedAt: 1, idempotencyKey: 1 })
    .sort({ failedAt: -1 })
    .limit(limit)
    .lean();
}

/** Puts a failed delivery back on the queue (the BullMQ job keeps its data for 30 days). */
export async function retryDelivery(queue: Queue, schoolId: Types.ObjectId, deliveryId: string): Promise<boolean> {
  if (!Types.ObjectId.isValid(deliveryId)) return false;
  const record = await Delivery.findOne({ _id: deliveryId, schoolId, status: "failed" }).lean();
  if (!record) return false;
  const job = await queue.getJob(record.idempotencyKey);
  if (!job || !(await job.isFailed())) return false;
  await Delivery.updateOne({ _id: record._id, status: "failed" }, { $set: { status: "queued" } });
  await job.retry("failed");
  return true;
}
