/**
 * Grade alerts (new, changed, removed grades) and the daily digest. Per person of the child (by
 * their own settings): `instant` alerts of one child are grouped — each goes to a Redis list per
 * person+child and a delayed job keyed by person, child and 2-minute window flushes the list as one
 * message; `digest` items (and homework for persons who asked for the homework digest) wait in a
 * list flushed at the school's digest time; `off` drops them. Flushing reads, enqueues (idempotent
 * by the items' event ids), then trims. A person is `a<accountId>` or `g<guardianId>` (people.ts).
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";
import { Holiday, Homework, School, Student, Subject, type DomainEventDocument } from "../../db/models";
import { isQuietDay } from "../../domain/rhythm";
import { schoolDay } from "../../domain/time";
import { SCHEDULED_JOBS, type ScheduledJobData } from "../jobs";
import type { GradeItem, HomeworkItem } from "./notice";
import { familiesOf, personsOfChildren, type Person } from "../people";
import { enqueueDeliveries, planForPerson, type DeliveryBase } from "./deliveries";
import type { NotifyEnv } from "./env";
import { markProcessed } from "../exchange/events";

export const GRADE_BATCH_WINDOW_MS = 2 * 60_000;

type Entry = { eventId: string } & ({ type: "grade"; item: GradeItem } | { type: "homework"; item: HomeworkItem });
type Event = Pick<DomainEventDocument, "eventId" | "type" | "schoolId" | "entity" | "payload" | "studentIds" | "classIds">;
type GradeState = { subjectId?: string; date?: string; value?: string; workType?: string } | null;

const batchKey = (env: NotifyEnv, who: string, s: string) => `${env.prefix}:notify:grades:${who}:${s}`;
const digestKey = (env: NotifyEnv, school: string, who: string, s: string) => `${env.prefix}:notify:digest:${school}:${who}:${s}`;
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
  let queued = 0;
  for (const person of await personsOfChildren(event.schoolId, event.studentIds)) {
    if (person.mode !== "electronic" || person.notify.grades === "off") continue;
    const entry: Entry = { eventId: event.eventId, type: "grade", item };
    const s = String(person.studentId);
    if (person.notify.grades === "digest") await pushDigest(env, String(event.schoolId), person.key, s, entry);
    else await pushBatch(env, String(event.schoolId), person.key, s, entry);
    queued++;
  }
  return queued;
}

export async function onHomeworkEvent(env: NotifyEnv, event: Event): Promise<number> {
  const homework = await Homework.findById(event.entity.id, { classId: 1, groupId: 1, subjectId: 1, dueOn: 1 }).lean();
  if (!homework) return 0;
  const students = await Student.find({ schoolId: event.schoolId, classId: homework.classId, ...(homework.groupId ? { groupIds: homework.groupId } : {}), left: null }, { _id: 1 }).lean();
  const subject = (await Subject.findById(homework.subjectId, { name: 1 }).lean())?.name ?? "";
  let queued = 0;
  for (const person of await personsOfChildren(event.schoolId, students.map((s) => s._id))) {
    if (person.mode !== "electronic" || !person.notify.homeworkDigest) continue;
    await pushDigest(env, String(event.schoolId), person.key, String(person.studentId), { eventId: event.eventId, type: "homework", item: { subject, dueOn: homework.dueOn } });
    queued++;
  }
  return queued;
}

async function pushBatch(env: NotifyEnv, schoolId: string, who: string, s: string, entry: Entry): Promise<void> {
  await env.redis.rpush(batchKey(env, who, s), JSON.stringify(entry));
  const now = env.now().getTime();
  const window = Math.floor(now / GRADE_BATCH_WINDOW_MS);
  const data: ScheduledJobData = { schoolId, person: who, studentId: s };
  // One job per person, child and window: later alerts of the window join the list it will flush.
  await env.scheduled.add(SCHEDULED_JOBS.gradeBatch, data, {
    jobId: `gb-${who}-${s}-${window}`,
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

/** The persons a list belongs to: one person, or (lists of an older release, keyed by a bare guardian id) every person of that record. */
async function personsOfList(schoolId: string, who: string, s: string): Promise<Person[]> {
  const families = (await familiesOf(new Types.ObjectId(schoolId), [new Types.ObjectId(s)])).get(s) ?? [];
  const legacy = /^[0-9a-f]{24}$/.test(who);
  return families.flatMap((f) => f.persons).filter((p) => p.mode === "electronic" && (legacy ? String(p.guardianId) === who : p.key === who));
}

async function deliverEntries(env: NotifyEnv, schoolId: string, who: string, s: string, entries: Entry[], digestDay?: string): Promise<number> {
  const persons = await personsOfList(schoolId, who, s);
  if (!persons.length) return 0;
  const student = await Student.findById(s, { fullName: 1 }).lean();
  if (!student) return 0;
  let jobs = 0;
  for (const person of persons) {
    const grades = entries.flatMap((e) => (e.type === "grade" && (digestDay ? person.notify.grades === "digest" : person.notify.grades === "instant") ? [e.item] : []));
    const homework = digestDay && person.notify.homeworkDigest ? entries.flatMap((e) => (e.type === "homework" ? [e.item] : [])) : [];
    if (!grades.length && !homework.length) continue;
    const ids = entries.map((e) => e.eventId).sort();
    const base: DeliveryBase = digestDay
      ? { source: `digest-${digestDay}-${hashOf(ids)}`, schoolId, kind: "grade", studentId: s, notice: { template: "digest", student: student.fullName, grades, homework } }
      : { source: `grades-${hashOf(ids)}`, schoolId, kind: "grade", studentId: s, notice: { template: "grades", student: student.fullName, items: grades } };
    jobs += (await enqueueDeliveries(env.deliveries, planForPerson(person, base), env.now())).jobs;
  }
  return jobs;
}

/** The grade-batch job: one message with the child's grades of the window. */
export async function flushGradeBatch(env: NotifyEnv, schoolId: string, who: string, s: string): Promise<number> {
  const key = batchKey(env, who, s);
  const raw = await env.redis.lrange(key, 0, -1);
  if (!raw.length) return 0;
  const entries = readEntries(raw);
  const sent = await deliverEntries(env, schoolId, who, s, entries);
  await markProcessed(entries.map((e) => e.eventId), env.now());
  await env.redis.ltrim(key, raw.length, -1);
  return sent;
}

/** The children of the index whose class is on holiday today: their lists wait for the first school day. */
async function childrenOnHoliday(schoolId: string, day: string, members: readonly string[]): Promise<Set<string>> {
  const ids = [...new Set(members.map((m) => m.split(":")[1]).filter((s) => Types.ObjectId.isValid(s)))];
  if (!ids.length) return new Set();
  const [holidays, students] = await Promise.all([
    Holiday.find({ schoolId, start: { $lte: day }, end: { $gte: day } }, { start: 1, end: 1, classIds: 1 }).lean(),
    Student.find({ _id: { $in: ids } }, { classId: 1 }).lean(),
  ]);
  if (!holidays.length) return new Set();
  const calendar = holidays.map((h) => ({ start: h.start, end: h.end, classIds: h.classIds.map(String) }));
  return new Set(students.filter((s) => isQuietDay(day, calendar, String(s.classId))).map((s) => String(s._id)));
}

/**
 * The daily-digest job of a school: one message per person and child. During the holidays of the
 * child's class the list is kept (issue 15: holidays are quiet days) and goes out with the digest
 * of the first school day.
 */
export async function flushDigests(env: NotifyEnv, schoolId: string): Promise<number> {
  const school = await School.findById(schoolId, { timezone: 1 }).lean();
  if (!school) return 0;
  const day = schoolDay(env.now(), school.timezone);
  const members = await env.redis.smembers(digestIndex(env, schoolId));
  const resting = await childrenOnHoliday(schoolId, day, members);
  let sent = 0;
  for (const member of members) {
    const [who, s] = member.split(":");
    if (resting.has(s)) continue;
    const key = digestKey(env, schoolId, who, s);
    const raw = await env.redis.lrange(key, 0, -1);
    if (raw.length) {
      const entries = readEntries(raw);
      sent += await deliverEntries(env, schoolId, who, s, entries, day);
      await markProcessed(entries.map((e) => e.eventId), env.now());
      await env.redis.ltrim(key, raw.length, -1);
    }
    await env.redis.srem(digestIndex(env, schoolId), member);
    if ((await env.redis.llen(key)) > 0) await env.redis.sadd(digestIndex(env, schoolId), member); // pushed meanwhile
  }
  return sent;
}
