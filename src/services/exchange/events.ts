/**
 * Domain events of an import: which changes people should hear about, recorded in the outbox
 * (`DomainEvent`, unique eventId) before the data is written and handed to BullMQ (jobId = eventId)
 * after it. The eventId (`<type>-<sha256>`: BullMQ job ids may not contain ":") is derived from the
 * change itself (record, type, the version it replaced and the new state), so a concurrent or
 * repeated import of the same change records it once.
 */
import { Types } from "mongoose";
import { DomainEvent, type DomainEventType, type ExchangeResource } from "../../db/models";
import type { Change } from "./plan";
import type { IdIndex } from "./references";
import { RESOURCES } from "./resources";
import { canonical, sameValue, sha256, stateHash, type Doc } from "./state";

/** What the notifier needs to word a message: references as externalIds, never a person's name or free text. */
const SUMMARY_FIELDS: Partial<Record<ExchangeResource, string[]>> = {
  grades: ["studentId", "subjectId", "date", "value", "weight", "workType"],
  finalGrades: ["studentId", "subjectId", "periodId", "value", "status", "deferredUntil", "resultsAt"],
  exams: ["studentId", "name", "date", "score", "maxScore", "value", "resultsAt"],
  homework: ["classId", "groupId", "subjectId", "assignedOn", "dueOn"],
  lessons: ["classId", "groupId", "subjectId", "teacherId", "date", "start", "end", "room", "status", "substituteTeacherId", "movedTo"],
  assessments: ["classId", "subjectId", "date", "kind"],
  holidays: ["name", "start", "end", "classIds"],
};

const changedAny = (c: Change, fields: string[]) => c.kind !== "updated" || fields.some((f) => c.changed.includes(f));

function lessonEvents(c: Change): DomainEventType[] {
  if (c.kind === "deleted") return [];
  const status = c.after!.status;
  const before = c.before?.status;
  const changed = (field: string) => c.kind === "updated" && !sameValue(c.after![field], c.before![field]);
  const types: DomainEventType[] = [];
  if (status === "cancelled" && before !== "cancelled") types.push("lesson.cancelled");
  if (status === "substituted" && (before !== "substituted" || changed("substituteTeacherId"))) types.push("lesson.substituted");
  if (status === "moved" && (before !== "moved" || changed("movedTo"))) types.push("lesson.moved");
  // A lesson rescheduled in place (new date or time, status unchanged) is a move too.
  else if (status !== "cancelled" && c.kind === "updated" && (changed("date") || changed("start") || changed("end"))) types.push("lesson.moved");
  return types;
}

/** Which events a change produces, per resource; resources not listed produce none. */
const RULES: Partial<Record<ExchangeResource, (c: Change) => DomainEventType[]>> = {
  grades: (c) =>
    c.kind === "created" ? ["grade.created"] : c.kind === "deleted" ? ["grade.removed"] : changedAny(c, ["studentId", "subjectId", "date", "value", "weight", "workType", "comment"]) ? ["grade.changed"] : [],
  finalGrades: (c) => (c.kind !== "deleted" && changedAny(c, ["studentId", "subjectId", "periodId", "value", "status", "deferredUntil", "reason"]) ? ["final.published"] : []),
  exams: (c) => (c.kind !== "deleted" && changedAny(c, ["studentId", "name", "date", "score", "maxScore", "value"]) ? ["exam.published"] : []),
  homework: (c) =>
    c.kind === "created" ? ["homework.created"] : c.kind === "updated" && changedAny(c, ["classId", "groupId", "subjectId", "assignedOn", "dueOn", "text", "links"]) ? ["homework.changed"] : [],
  lessons: lessonEvents,
  assessments: (c) => (c.kind === "created" ? ["assessment.scheduled"] : c.kind === "updated" && c.changed.includes("date") ? ["assessment.moved"] : []),
  holidays: (c) => (changedAny(c, ["name", "start", "end", "classIds"]) ? ["holidays.changed"] : []),
};

export function producesEvents(resource: ExchangeResource): boolean {
  return RULES[resource] !== undefined;
}

/** hex ObjectId → externalId, for summaries. */
export type Names = Map<string, string>;

export function namesFrom(index: IdIndex): Names {
  const names: Names = new Map();
  for (const ids of index.values()) for (const [externalId, id] of ids) names.set(id.toHexString(), externalId);
  return names;
}

/** Looks up the externalIds of records the old states refer to and the batch did not mention (one query per collection). */
export async function completeNames(schoolId: Types.ObjectId, resource: ExchangeResource, changes: Change[], names: Names): Promise<void> {
  const fields = SUMMARY_FIELDS[resource] ?? [];
  const missing = new Map<ExchangeResource, Set<string>>();
  for (const ref of RESOURCES[resource].references.filter((r) => fields.includes(r.field))) {
    for (const c of changes) {
      const value = c.before?.[ref.field];
      for (const id of (Array.isArray(value) ? value : value ? [value] : []) as Types.ObjectId[]) {
        if (names.has(id.toHexString())) continue;
        if (!missing.has(ref.to)) missing.set(ref.to, new Set());
        missing.get(ref.to)!.add(id.toHexString());
      }
    }
  }
  for (const [target, ids] of missing) {
    const docs = await RESOURCES[target].model.collection
      .find({ schoolId, _id: { $in: [...ids].map((id) => new Types.ObjectId(id)) } }, { projection: { externalId: 1 } })
      .toArray();
    for (const doc of docs) names.set(String(doc._id), doc.externalId as string);
  }
}

function summary(resource: ExchangeResource, state: Doc | undefined, names: Names): Doc | undefined {
  if (!state) return undefined;
  const refs = new Set(RESOURCES[resource].references.map((r) => r.field));
  const name = (id: unknown) => names.get(String(id)) ?? null;
  const out: Doc = {};
  for (const field of SUMMARY_FIELDS[resource] ?? []) {
    const value = state[field];
    if (value === undefined || value === null) continue;
    out[field] = refs.has(field) ? (Array.isArray(value) ? value.map(name) : name(value)) : canonical(value);
  }
  return out;
}

function concerned(change: Change, field: string): Types.ObjectId[] {
  const values = [change.before?.[field], change.after?.[field]].flatMap((v) => (Array.isArray(v) ? v : v ? [v] : [])) as Types.ObjectId[];
  return [...new Map(values.map((id) => [id.toHexString(), id])).values()];
}

export function buildEvents(schoolId: Types.ObjectId, resource: ExchangeResource, changes: Change[], names: Names, now: Date): Doc[] {
  const rule = RULES[resource];
  if (!rule) return [];
  const events: Doc[] = [];
  for (const change of changes) {
    for (const type of rule(change)) {
      const replaced = (change.before?.updatedAt as Date | undefined)?.toISOString() ?? (change.before ? "unversioned" : "new");
      const after = change.after ? stateHash(change.after) : "deleted";
      const eventId = `${type}-${sha256([schoolId.toHexString(), resource, change.externalId, type, replaced, after].join("|"))}`;
      events.push({
        schoolId,
        eventId,
        type,
        entity: { resource, id: change.id, externalId: change.externalId },
        studentIds: concerned(change, "studentId"),
        classIds: [...concerned(change, "classId"), ...concerned(change, "classIds")],
        payload: { externalId: change.externalId, before: summary(resource, change.before, names) ?? null, after: summary(resource, change.after, names) ?? null },
        createdAt: now,
      });
    }
  }
  return events;
}

/** Inserts the events into the outbox; ones already there (same eventId) are left as they are. */
export async function recordEvents(events: Doc[]): Promise<void> {
  if (!events.length) return;
  try {
    await DomainEvent.collection.insertMany(events, { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: Array<{ code: number }> | { code: number } }).writeErrors;
    const list = writeErrors === undefined ? [] : Array.isArray(writeErrors) ? writeErrors : [writeErrors];
    if (!list.length || list.some((e) => e.code !== 11000)) throw error;
  }
}

export interface EventQueue {
  addBulk(jobs: Array<{ name: string; data: unknown; opts?: object }>): Promise<unknown>;
}

/** Events left in the outbox for longer than this by a failed import are enqueued by the next one. */
const STALE_OUTBOX_MS = 60_000;
/** Options of every domain-event job (the import, the outbox sweep, the re-drive after a Redis loss). */
export const EVENT_JOB_OPTIONS = { attempts: 5, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } };

/** Hands the outbox's events of this import (and stale ones of the school) to the queue, then marks them enqueued. */
export async function enqueueEvents(queue: EventQueue, schoolId: Types.ObjectId, eventIds: string[], now: Date): Promise<number> {
  const pending = await DomainEvent.collection
    .find(
      { schoolId, enqueuedAt: null, $or: [{ eventId: { $in: eventIds } }, { createdAt: { $lt: new Date(now.getTime() - STALE_OUTBOX_MS) } }] },
      { projection: { eventId: 1, type: 1 } },
    )
    .toArray();
  if (!pending.length) return 0;
  await queue.addBulk(
    pending.map((e) => ({ name: e.type as string, data: { eventId: e.eventId, type: e.type, schoolId: schoolId.toHexString() }, opts: { ...EVENT_JOB_OPTIONS, jobId: e.eventId as string } })),
  );
  await DomainEvent.collection.updateMany({ eventId: { $in: pending.map((e) => e.eventId) } }, { $set: { enqueuedAt: new Date() } });
  return pending.length;
}

/** The events' deliveries are recorded in MongoDB: nothing of them lives only in Redis any more (src/queue/redrive.ts). */
export async function markProcessed(eventIds: string[], now: Date): Promise<void> {
  if (eventIds.length) await DomainEvent.updateMany({ eventId: { $in: eventIds }, processedAt: null }, { $set: { processedAt: now } });
}
