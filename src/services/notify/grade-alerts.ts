/**
 * Grade alerts (new, changed, removed grades) and the daily digest. Per guardian: `instant` alerts
 * of one child are grouped — each goes to a Redis list per guardian+child and a delayed job keyed by
 * guardian, child and 2-minute window flushes the list as one message; `digest` items (and homework
 * for guardians who asked for the homework digest) wait in a list flushed at the school's digest
 * time; `off` drops them. Flushing reads, enqueues (idempotent by the items' event ids), then trims.
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";
import { Homework, School, Student, Subject, type DomainEventDocument } from "../../db/models";
import { schoolDay } from "../../domain/time";
import { SCHEDULED_JOBS } from "../../queue/names";
import type { GradeItem, HomeworkItem, ScheduledJobData } from "../../queue/jobs";
import { enqueueDeliveries, planForGuardian, type DeliveryBase } from "./deliveries";
import type { NotifyEnv } from "./env";
import { guardianTargets } from "./recipients";

export const GRADE_BATCH_WINDOW_MS = 2 * 60_000;

type Entry = { eventId: string } & ({ type: "grade"; item: GradeItem } | { type: "homework"; item: HomeworkItem });
type Event = Pick<DomainEventDocument, "eventId" | "type" | "schoolId" | "entity" | "payload" | "studentIds" | "classIds">;
type GradeState = { subjectId?: string; date?: string; value?: string; workType?: string } | null;

const batchKey = (env: NotifyEnv, g: string, s: string) => `${env.prefix}:notify:grades:${g}:${s}`;
const digestKey = (env: NotifyEnv, school: string, g: string, s: string) => `${env.prefix}:notify:digest:${school}:${g}:${s}`;
const digestIndex = (env: NotifyEnv, school: string) => `${env.prefix}:notify:digest-index:${school}`;
const hashOf = (parts: string[]) => createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 24);

async function subjectName(schoolId: Types.ObjectId, externalId: string | undefined): Promise<string> {
  if (!externalId) return "";
  return (await Subject.findOne({ schoolId, externalId }, { name: 1 }).lean())?.name ?? "";
}

export async function onGradeEvent(env: NotifyEnv, event: Event): Promise<number> {
  const payload = (event.payload ?? {}) as { before?: GradeState; after?: GradeState };
  const state = payload.after ?? payload.before;
  if (!state) return 0;
  const change = event.type === "grade.created" ? "created" : event.type === "grade.removed" ? "removed" : "changed";
  const item: GradeItem = {
    change,
    subject: await subjectName(event.schoolId, state.subjectId),
    date: state.date ?? "",
    value: state.value ?? "",
    ...(change === "changed" && payload.before?.value && payload.before.value !== state.value ? { before: payload.before.value } : {}),
    ...(change === "created" && state.workType ? { workType: state.workType } : {}),
  };
  const targets = await guardianTargets(event.schoolId, event.studentIds);
  let queued = 0;
  for (const target of [...targets.values()].flat()) {
    if (!target.electronic || target.notify.grades === "off") continue;
    const entry: Entry = { eventId: event.eventId, type: "grade", item };
    const [g, s] = [String(target.guardianId), String(target.studentId)];
    if (target.notify.grades === "digest") await pushDigest(env, String(event.schoolId), g, s, entry);
    else await pushBatch(env, String(event.schoolId), g, s, entry);
    queued++;
  }
  return queued;
}

export async function onHomeworkEvent(env: NotifyEnv, event: Event): Promise<number> {
  const homework = await Homework.findById(event.entity.id, { classId: 1, groupId: 1, subjectId: 1, dueOn: 1 }).lean();
  if (!homework) return 0;
  const students = await Student.find({ schoolId: event.schoolId, classId: homework.classId, ...(homework.groupId ? { groupIds: homework.groupId } : {}) }, { _id: 1 }).lean();
  const subject = (await Subject.findById(homework.subjectId, { name: 1 }).lean())?.name ?? "";
  const targets = await guardianTargets(event.schoolId, students.map((s) => s._id));
  let queued = 0;
  for (const target of [...targets.values()].flat()) {
    if (!target.electronic || !target.notify.homeworkDigest) continue;
    await pushDigest(env, String(event.schoolId), String(target.guardianId), String(target.studentId), { eventId: event.eventId, type: "homework", item: { subject, dueOn: homework.dueOn } });
    queued++;
  }
  return queued;
}

async function pushBatch(env: NotifyEnv, schoolId: string, g: string, s: string, entry: Entry): Promise<void> {
  await env.redis.rpush(batchKey(env, g, s), JSON.stringify(entry));
  const now = env.now().getTime();
  const window = Math.floor(now / GRADE_BATCH_WINDOW_MS);
  const data: ScheduledJobData = { schoolId, guardianId: g, studentId: s };
  // One job per guardian, child and window: later alerts of the window join the list it will flush.
  await env.scheduled.add(SCHEDULED_JOBS.gradeBatch, data, {
    jobId: `gb-${g}-${s}-${window}`,
    delay: (window + 1) * GRADE_BATCH_WINDOW_MS - now,
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
    attempts: 5,
    backoff: { type: "exponential", delay: 5000 },
  });
}

async function pushDigest(env: NotifyEnv, schoolId: string, g: string, s: string, entry: Entry): Promise<void> {
  await env.redis.rpush(digestKey(env, schoolId, g, s), JSON.stringify(entry));
  await env.redis.sadd(digestIndex(env, schoolId), `${g}:${s}`);
}

function readEntries(raw: string[]): Entry[] {
  const seen = new Set<string>();
  const out: Entry[] = [];
  for (const line of raw) {
    const entry = JSON.parse(line) as Entry;
    if (seen.has(entry.eventId)) continue; // an event job that ran twice pushed it twice
    seen.add(entry.eventId);
    out.push(entry);
  }
  return out;
}

async function deliverEntries(env: NotifyEnv, schoolId: string, g: string, s: string, entries: Entry[], digestDay?: string): Promise<number> {
  const targets = await guardianTargets(new Types.ObjectId(schoolId), [new Types.ObjectId(s)]);
  const target = targets.get(s)?.find((t) => String(t.guardianId) === g);
  if (!target?.electronic) return 0;
  const student = await Student.findById(s, { fullName: 1 }).lean();
  if (!student) return 0;
  const grades = entries.flatMap((e) => (e.type === "grade" && (digestDay ? target.notify.grades === "digest" : target.notify.grades === "instant") ? [e.item] : []));
  const homework = digestDay && target.notify.homeworkDigest ? entries.flatMap((e) => (e.type === "homework" ? [e.item] : [])) : [];
  if (!grades.length && !homework.length) return 0;
  const ids = entries.map((e) => e.eventId).sort();
  const base: DeliveryBase = digestDay
    ? { source: `digest-${digestDay}-${hashOf(ids)}`, schoolId, kind: "grade", studentId: s, notice: { template: "digest", student: student.fullName, grades, homework } }
    : { source: `grades-${hashOf(ids)}`, schoolId, kind: "grade", studentId: s, notice: { template: "grades", student: student.fullName, items: grades } };
  const counts = await enqueueDeliveries(env.deliveries, planForGuardian(target, base), env.now());
  return counts.jobs;
}

/** The grade-batch job: one message with the child's grades of the window. */
export async function flushGradeBatch(env: NotifyEnv, schoolId: string, g: string, s: string): Promise<number> {
  const key = batchKey(env, g, s);
  const raw = await env.redis.lrange(key, 0, -1);
  if (!raw.length) return 0;
  const sent = await deliverEntries(env, schoolId, g, s, readEntries(raw));
  await env.redis.ltrim(key, raw.length, -1);
  return sent;
}

/** The daily-digest job of a school: one message per guardian and child. */
export async function flushDigests(env: NotifyEnv, schoolId: string): Promise<number> {
  const school = await School.findById(schoolId, { timezone: 1 }).lean();
  if (!school) return 0;
  const day = schoolDay(env.now(), school.timezone);
  let sent = 0;
  for (const member of await env.redis.smembers(digestIndex(env, schoolId))) {
    const [g, s] = member.split(":");
    const key = digestKey(env, schoolId, g, s);
    const raw = await env.redis.lrange(key, 0, -1);
    if (raw.length) {
      sent += await deliverEntries(env, schoolId, g, s, readEntries(raw), day);
      await env.redis.ltrim(key, raw.length, -1);
    }
    await env.redis.srem(digestIndex(env, schoolId), member);
    if ((await env.redis.llen(key)) > 0) await env.redis.sadd(digestIndex(env, schoolId), member); // pushed meanwhile
  }
  return sent;
}
