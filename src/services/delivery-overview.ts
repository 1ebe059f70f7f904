/**
 * What the school's console shows of the delivery machinery (issue 13): the week's deliveries by
 * status, the failed ones (the bot's /deliveries, `failedDeliveries`), the admins' broadcasts with
 * how far each got, and the paper printouts of classes by week with their hand-over. Ids, kinds,
 * channels, statuses and counts only: no message texts but the broadcast's own, no contacts.
 */
import { Types } from "mongoose";
import { Delivery, DomainEvent, Printout, ResultSlip, SchoolClass, Student } from "../db/models";
import type { BroadcastTarget } from "./jobs";
import { failedDeliveries } from "./notify/deliveries";
import { printoutChecklist, type SlipState } from "./printouts";
import { byName } from "./reports/school-data";

const WEEK_MS = 7 * 24 * 3600_000;

/** The deliveries queued in the last seven days, counted by status (most first). */
export async function recentDeliveryCounts(schoolId: Types.ObjectId, now: Date): Promise<Array<[string, number]>> {
  const recent = await Delivery.find({ schoolId, queuedAt: { $gte: new Date(now.getTime() - WEEK_MS) } }, { status: 1 }).lean();
  const counts = new Map<string, number>();
  for (const d of recent) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

export interface FailedRow {
  id: string;
  kind: string;
  channel: string;
  studentName: string | null;
  attempts: number;
  error: string | null;
  failedAt: Date | null;
}

/** The school's failed deliveries, newest first, with the student each was about. */
export async function failedDeliveryRows(schoolId: Types.ObjectId, limit = 50): Promise<FailedRow[]> {
  const failed = await failedDeliveries(schoolId, limit);
  const ids = failed.map((f) => f.recipient?.studentId).filter(Boolean);
  const names = new Map((await Student.find({ _id: { $in: ids } }, { fullName: 1 }).lean()).map((s) => [String(s._id), s.fullName]));
  return failed.map((f) => ({
    id: String(f._id), kind: f.kind, channel: f.channel, studentName: names.get(String(f.recipient?.studentId)) ?? null,
    attempts: f.attempts ?? 0, error: f.lastError ?? null, failedAt: f.failedAt ?? null,
  }));
}

/** Delivery statuses grouped as the console counts them. */
export const BROADCAST_BUCKETS = ["reached", "paper", "pending", "failed", "cancelled"] as const;
export type BroadcastBucket = (typeof BROADCAST_BUCKETS)[number];
const BUCKET: Record<string, BroadcastBucket> = {
  sent: "reached", delivered: "reached", handed: "reached", pending_paper: "paper", printed: "paper",
  queued: "pending", sending: "pending", failed: "failed", fell_back: "failed", cancelled: "cancelled",
};

export interface BroadcastRow {
  id: string;
  at: Date;
  /** Null once the retention job erased it (src/services/data-lifecycle.ts). */
  text: string | null;
  target: BroadcastTarget;
  className: string | null;
  /** Planned into deliveries yet (the worker fans it out). */
  planned: boolean;
  total: number;
  counts: Record<BroadcastBucket, number>;
  channels: Record<string, number>;
}

/** The school's latest broadcasts with their deliveries counted (one query each, by the key's prefix). */
export async function broadcastsOf(schoolId: Types.ObjectId, limit = 20): Promise<BroadcastRow[]> {
  const events = await DomainEvent.find({ schoolId, type: "broadcast.requested" }, { payload: 1, createdAt: 1, processedAt: 1 }).sort({ createdAt: -1 }).limit(limit).lean();
  const rows: BroadcastRow[] = [];
  const classIds = new Set<string>();
  for (const e of events) {
    const b = (e.payload as { broadcast?: { id: string; text?: string; target: BroadcastTarget } } | null)?.broadcast;
    if (!b || !/^[0-9a-f]+$/.test(b.id)) continue;
    if (b.target.kind === "class") classIds.add(b.target.classId);
    const deliveries = await Delivery.find({ schoolId, kind: "broadcast", idempotencyKey: { $regex: `^broadcast-${b.id}/` } }, { status: 1, channel: 1 }).lean();
    const counts = Object.fromEntries(BROADCAST_BUCKETS.map((k) => [k, 0])) as Record<BroadcastBucket, number>;
    const channels: Record<string, number> = {};
    for (const d of deliveries) {
      counts[BUCKET[d.status] ?? "pending"] += 1;
      channels[d.channel] = (channels[d.channel] ?? 0) + 1;
    }
    rows.push({ id: b.id, at: e.createdAt, text: b.text ?? null, target: b.target, className: null, planned: !!e.processedAt, total: deliveries.length, counts, channels });
  }
  const names = new Map((await SchoolClass.find({ _id: { $in: [...classIds] }, schoolId }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
  for (const r of rows) if (r.target.kind === "class") r.className = names.get(r.target.classId) ?? null;
  return rows;
}

export interface PrintoutRow {
  id: string;
  classId: string;
  className: string;
  /** Monday of the week (weekly printouts) or the school day (daily results slips). */
  weekStart: string;
  kind: "week" | "day";
  slips: number;
  handed: number;
  producedAt: Date;
}

/** Printouts and daily results slips of these classes, newest week first, then by class. */
export async function printoutRows(schoolId: Types.ObjectId, classes: ReadonlyArray<{ _id: Types.ObjectId; name: string }>, limit = 200): Promise<PrintoutRow[]> {
  const classIds = classes.map((c) => c._id);
  const [weekly, daily] = await Promise.all([
    Printout.find({ schoolId, classId: { $in: classIds } }, { classId: 1, weekStart: 1, slips: 1, producedAt: 1 }).sort({ weekStart: -1 }).limit(limit).lean(),
    ResultSlip.find({ schoolId, classId: { $in: classIds } }, { classId: 1, day: 1, slips: 1, producedAt: 1 }).sort({ day: -1 }).limit(limit).lean(),
  ]);
  const name = new Map(classes.map((c) => [String(c._id), c.name]));
  const row = (p: { _id: Types.ObjectId; classId: Types.ObjectId; slips: Array<{ handedAt?: Date | null }>; producedAt: Date }, weekStart: string, kind: "week" | "day"): PrintoutRow => ({
    id: String(p._id), classId: String(p.classId), className: name.get(String(p.classId)) ?? "—", weekStart, kind,
    slips: p.slips.length, handed: p.slips.filter((s) => s.handedAt).length, producedAt: p.producedAt,
  });
  return [...weekly.map((p) => row(p, p.weekStart, "week")), ...daily.map((p) => row(p, p.day, "day"))]
    .sort((a, b) => b.weekStart.localeCompare(a.weekStart) || byName(a.className, b.className) || a.kind.localeCompare(b.kind));
}

/** A class's printouts (newest first) with every slip's hand-over state. */
export async function classPrintouts(schoolId: Types.ObjectId, schoolClass: { _id: Types.ObjectId; name: string }, limit = 12): Promise<Array<PrintoutRow & { slipStates: SlipState[] }>> {
  const rows = (await printoutRows(schoolId, [schoolClass], limit)).slice(0, limit);
  const out = [];
  for (const r of rows) {
    const checklist = await printoutChecklist(new Types.ObjectId(r.id));
    out.push({ ...r, slipStates: checklist?.slips ?? [] });
  }
  return out;
}
