/**
 * Admin broadcasts (/broadcast): a text to the guardians of the whole school, one class or one
 * parallel (all classes of a grade), through the same delivery engine: once per person, and once on
 * the paper printout of each family one of whose persons is on paper.
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { DomainEvent, School, SchoolClass, Student } from "../db/models";
import { EVENT_JOB_OPTIONS } from "./exchange/events";
import { QUEUES, type BroadcastTarget, type ScheduledJobData } from "./jobs";
import type { QueueFactory } from "../queue/connection";
import { deliveryKey, enqueueDeliveries, planForFamily, type EnqueueCounts, type PlannedDelivery } from "./notify/deliveries";
import type { NotifyEnv } from "./notify/env";
import { yieldToUrgent } from "./notify/urgent";
import { familiesOf, type Family } from "./people";

export const BROADCAST_MAX_LENGTH = 3500;

export async function audienceStudents(schoolId: Types.ObjectId, target: BroadcastTarget): Promise<Types.ObjectId[]> {
  let classFilter: Record<string, unknown> = {};
  if (target.kind === "class") classFilter = { classId: new Types.ObjectId(target.classId) };
  if (target.kind === "parallel") {
    const classes = await SchoolClass.find({ schoolId, grade: target.grade }, { _id: 1 }).lean();
    classFilter = { classId: { $in: classes.map((c) => c._id) } };
  }
  return (await Student.find({ schoolId, ...classFilter, left: null }, { _id: 1 }).sort({ _id: 1 }).lean()).map((s) => s._id);
}

/**
 * For the preview: how many families (guardian records) the message reaches electronically (some
 * person of theirs by Telegram or e-mail) and on paper (someone of theirs is on paper, or nobody
 * can be reached electronically). A family with one parent in the bot and one on paper counts in both.
 */
export async function audienceSize(schoolId: Types.ObjectId, target: BroadcastTarget): Promise<{ electronic: number; paper: number }> {
  const families = [...(await familiesOf(schoolId, await audienceStudents(schoolId, target))).values()].flat();
  const electronic = new Set<string>();
  const paper = new Set<string>();
  for (const f of families) {
    const reached = f.persons.some((p) => p.mode === "electronic" && (p.telegram || p.email));
    if (reached) electronic.add(String(f.guardianId));
    if (f.paper || !reached) paper.add(String(f.guardianId));
  }
  return { electronic: electronic.size, paper: paper.size };
}

export type BroadcastRequest = NonNullable<ScheduledJobData["broadcast"]>;

/**
 * Hands the broadcast to the worker (its fan-out may be large) through the outbox: a
 * `broadcast.requested` event in MongoDB first, then its job on the events queue, so that a Redis
 * loss before the fan-out is planned cannot drop it (src/queue/redrive.ts). The id makes a double
 * confirm harmless (same event, same job, same delivery keys).
 */
export async function requestBroadcast(queues: Pick<QueueFactory, "queue">, schoolId: Types.ObjectId, authorAccountId: Types.ObjectId, target: BroadcastTarget, text: string, id = randomBytes(8).toString("hex")) {
  const broadcast: BroadcastRequest = { id, text, target, authorAccountId: String(authorAccountId) };
  const eventId = `broadcast.requested-${id}`;
  await DomainEvent.updateOne(
    { eventId },
    { $setOnInsert: { schoolId, eventId, type: "broadcast.requested", entity: { resource: "broadcasts", id: new Types.ObjectId() }, studentIds: [], classIds: [], payload: { broadcast }, createdAt: new Date() } },
    { upsert: true },
  );
  await queues.queue(QUEUES.events).add("broadcast.requested", { eventId, type: "broadcast.requested", schoolId: String(schoolId) }, { ...EVENT_JOB_OPTIONS, jobId: eventId });
  await DomainEvent.updateOne({ eventId }, { $set: { enqueuedAt: new Date() } });
  return id;
}

/** The admin-broadcast job: one message per person (not per child); paper once per family. */
export async function runBroadcast(env: NotifyEnv, schoolId: Types.ObjectId, broadcast: BroadcastRequest, pageSize = PLAN_PAGE): Promise<EnqueueCounts> {
  const school = await School.findById(schoolId, { name: 1 }).lean();
  if (!school) return { planned: 0, created: 0, jobs: 0, paper: 0 };
  const students = await audienceStudents(schoolId, broadcast.target);
  const base = { source: `broadcast-${broadcast.id}`, schoolId, kind: "broadcast" as const, notice: { template: "broadcast" as const, school: school.name, text: broadcast.text } };
  const counts: EnqueueCounts = { planned: 0, created: 0, jobs: 0, paper: 0 };
  // A parent of two pupils gets it once (their first family plans it); a family's paper once too (its key names the record).
  const personsPlanned = new Set<string>();
  const keysPlanned = new Set<string>();
  // Finals and exams being planned or sent go first on the database (services/notify/urgent.ts).
  const yieldToFinals = () => yieldToUrgent(env.redis, env.prefix);
  for (let page = 0; page * pageSize < students.length; page++) {
    await yieldToFinals();
    const families = [...(await familiesOf(schoolId, students.slice(page * pageSize, (page + 1) * pageSize))).values()].flat();
    const firstFamily = new Map<string, Family>();
    for (const family of families) for (const p of family.persons) if (!personsPlanned.has(p.key) && !firstFamily.has(p.key)) firstFamily.set(p.key, family);
    for (const key of firstFamily.keys()) personsPlanned.add(key);
    const planned: PlannedDelivery[] = families.flatMap((family) => planForFamily(family, base, (p) => firstFamily.get(p.key) === family)).filter((p) => !keysPlanned.has(deliveryKey(p)));
    for (const p of planned) keysPlanned.add(deliveryKey(p));
    const paged = await enqueueDeliveries(env.deliveries, planned, env.now(), undefined, env.bulk, page * BATCHES_PER_PAGE, yieldToFinals);
    for (const field of ["planned", "created", "jobs", "paper"] as const) counts[field] += paged[field];
  }
  return counts;
}

/**
 * Students planned at a time: a broadcast to a whole school is planned in pages, so the worker never
 * holds every family, record and `$in` list of the school at once (its memory stays that of a page).
 */
export const PLAN_PAGE = 1000;
/** Batch numbers per page (`<source>/batch-<page * 1000 + n>`): a page of 1,000 pupils' families makes far fewer batches of 120. */
const BATCHES_PER_PAGE = 1000;
