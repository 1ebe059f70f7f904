/**
 * Teachers' recommendations (regulation 2): who may address what, and posting one. A teacher may
 * address a class in a subject when they teach that subject there: a lesson of theirs (or one they
 * substitute) for that class and subject, or — for the subjects on their record — their own
 * homeroom class or any class they have lessons with; lessons older than TEACHING_GRACE_DAYS no
 * longer count (a teacher whose lessons with a class ended loses it). A posted recommendation is stored, recorded
 * as a domain event and pushed by the worker to the consenting guardians.
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";
import type { Queue } from "bullmq";
import { DEFAULT_TIMEZONE, Delivery, DomainEvent, Guardian, Lesson, Recommendation, School, SchoolClass, Student, Subject, Teacher } from "../db/models";
import { addDays, schoolDay } from "../domain/time";

export interface TeacherScope {
  classId: Types.ObjectId;
  className: string;
  subjectId: Types.ObjectId;
  subjectName: string;
}

/**
 * Lessons from this many days back on (and every later one) give a teacher their classes: a month
 * after the journal's last lesson of theirs with a class, the class is no longer theirs (a term's
 * holidays do not cut it; a teacher who handed the class over loses it).
 */
export const TEACHING_GRACE_DAYS = 30;

/** The first journal day whose lessons still count for teachers' access, on the school's calendar. */
export async function teachingSince(schoolId: Types.ObjectId, now: Date): Promise<string> {
  const school = await School.findById(schoolId, { timezone: 1 }).lean();
  return addDays(schoolDay(now, school?.timezone ?? DEFAULT_TIMEZONE), -TEACHING_GRACE_DAYS);
}

/** Every (class, subject) pair the teacher may address at `now`, sorted by class and subject name. */
export async function teachingScope(schoolId: Types.ObjectId, teacherId: Types.ObjectId, now: Date): Promise<TeacherScope[]> {
  const [teacher, since] = await Promise.all([Teacher.findOne({ _id: teacherId, schoolId }, { subjectIds: 1 }).lean(), teachingSince(schoolId, now)]);
  if (!teacher) return [];
  const [lessons, homeroom] = await Promise.all([
    Lesson.find({ schoolId, date: { $gte: since }, $or: [{ teacherId }, { substituteTeacherId: teacherId }] }, { classId: 1, subjectId: 1 }).lean(),
    SchoolClass.find({ schoolId, homeroomTeacherId: teacherId }, { _id: 1 }).lean(),
  ]);
  const pairs = new Map<string, { classId: Types.ObjectId; subjectId: Types.ObjectId }>();
  const add = (classId: Types.ObjectId, subjectId: Types.ObjectId) => pairs.set(`${classId}:${subjectId}`, { classId, subjectId });
  for (const l of lessons) add(l.classId, l.subjectId);
  const ownClasses = new Set([...lessons.map((l) => String(l.classId)), ...homeroom.map((c) => String(c._id))]);
  for (const classId of ownClasses) for (const subjectId of teacher.subjectIds) add(new Types.ObjectId(classId), subjectId);
  const list = [...pairs.values()];
  const [classes, subjects] = await Promise.all([
    SchoolClass.find({ _id: { $in: [...new Set(list.map((p) => String(p.classId)))] } }, { name: 1 }).lean(),
    Subject.find({ _id: { $in: [...new Set(list.map((p) => String(p.subjectId)))] } }, { name: 1 }).lean(),
  ]);
  const className = new Map(classes.map((c) => [String(c._id), c.name]));
  const subjectName = new Map(subjects.map((s) => [String(s._id), s.name]));
  return list
    .filter((p) => className.has(String(p.classId)) && subjectName.has(String(p.subjectId)))
    .map((p) => ({ ...p, className: className.get(String(p.classId))!, subjectName: subjectName.get(String(p.subjectId))! }))
    .sort((a, b) => a.className.localeCompare(b.className, "ru") || a.subjectName.localeCompare(b.subjectName, "ru"));
}

export async function mayAddress(schoolId: Types.ObjectId, teacherId: Types.ObjectId, classId: Types.ObjectId, subjectId: Types.ObjectId, now: Date): Promise<boolean> {
  return (await teachingScope(schoolId, teacherId, now)).some((s) => s.classId.equals(classId) && s.subjectId.equals(subjectId));
}

export interface NewRecommendation {
  schoolId: Types.ObjectId;
  teacherId: Types.ObjectId;
  authorAccountId: Types.ObjectId;
  classId: Types.ObjectId;
  studentId?: Types.ObjectId;
  subjectId: Types.ObjectId;
  text: string;
  /** When it is posted: the teacher's scope is checked as of then. */
  now: Date;
}

export class NotAllowedError extends Error {}

/** The longest recommendation (the model's limit: one Telegram message with its header). */
export const RECOMMENDATION_MAX_LENGTH = 3500;

/** The domain event of a recommendation (its deliveries carry it): derived from the id, so a retry records it once. */
export const recommendationEventId = (id: Types.ObjectId) => `recommendation.created-${createHash("sha256").update(String(id)).digest("hex")}`;

/** Stores it, records `recommendation.created` and hands it to the worker (or leaves it for the outbox sweep). */
export async function postRecommendation({ now, ...input }: NewRecommendation, events?: Queue): Promise<{ id: Types.ObjectId; eventId: string }> {
  if (!(await mayAddress(input.schoolId, input.teacherId, input.classId, input.subjectId, now))) throw new NotAllowedError("not a class/subject of this teacher");
  if (input.studentId && !(await Student.exists({ _id: input.studentId, schoolId: input.schoolId, classId: input.classId }))) {
    throw new NotAllowedError("the student is not in this class");
  }
  const rec = await Recommendation.create({ ...input, text: input.text.trim() });
  const eventId = recommendationEventId(rec._id);
  await DomainEvent.create({
    schoolId: input.schoolId,
    eventId,
    type: "recommendation.created",
    entity: { resource: "recommendations", id: rec._id },
    studentIds: input.studentId ? [input.studentId] : [],
    classIds: [input.classId],
    payload: { recommendationId: String(rec._id) },
  });
  if (events) {
    await events.add("recommendation.created", { eventId, type: "recommendation.created", schoolId: String(input.schoolId) }, { jobId: eventId, attempts: 5, backoff: { type: "exponential", delay: 5000 } });
    await DomainEvent.updateOne({ eventId }, { $set: { enqueuedAt: new Date() } });
  }
  return { id: rec._id, eventId };
}

/** Students of a class whose name matches the words given ("Иванова Мария", "Иванова"). */
export async function findStudents(schoolId: Types.ObjectId, classId: Types.ObjectId, name: string) {
  const words = name.toLowerCase().replace(/ё/g, "е").split(/\s+/).filter(Boolean);
  const students = await Student.find({ schoolId, classId, left: null }, { fullName: 1 }).lean();
  return students.filter((s) => {
    const full = s.fullName.toLowerCase().replace(/ё/g, "е").split(/\s+/);
    return words.every((w) => full.some((part) => part.startsWith(w)));
  });
}

/** How far a recommendation got: per family (guardian record and child), its best delivery. */
export interface RecommendationReach {
  studentName: string | null;
  guardianName: string | null;
  channel: string;
  status: string;
}

export interface ClassRecommendation {
  id: string;
  createdAt: Date;
  teacher: string;
  subject: string;
  /** One student's, or null for the whole class. */
  student: string | null;
  text: string;
  reach: RecommendationReach[];
}

/** Best first: what reached the person, then paper, then on the way, then what failed. */
const REACH_ORDER = ["sent", "delivered", "handed", "printed", "pending_paper", "queued", "sending", "fell_back", "failed", "cancelled"];

/** The class's recommendations (newest first) with whom each reached, from its delivery records (the teacher's receipt's source). */
export async function classRecommendations(schoolId: Types.ObjectId, classId: Types.ObjectId, limit = 30): Promise<ClassRecommendation[]> {
  const recs = await Recommendation.find({ schoolId, classId }).sort({ createdAt: -1 }).limit(limit).lean();
  const eventIds = recs.map((r) => recommendationEventId(r._id));
  const [deliveries, teachers, subjects] = await Promise.all([
    eventIds.length ? Delivery.find({ eventId: { $in: eventIds }, kind: "recommendation" }, { eventId: 1, recipient: 1, channel: 1, status: 1 }).lean() : [],
    Teacher.find({ _id: { $in: recs.map((r) => r.teacherId) } }, { fullName: 1 }).lean(),
    Subject.find({ _id: { $in: recs.map((r) => r.subjectId) } }, { name: 1 }).lean(),
  ]);
  const ids = (key: "studentId" | "guardianId") => [...new Set([...deliveries.map((d) => d.recipient?.[key]), ...(key === "studentId" ? recs.map((r) => r.studentId) : [])].filter(Boolean).map(String))];
  const [students, guardians] = await Promise.all([Student.find({ _id: { $in: ids("studentId") } }, { fullName: 1 }).lean(), Guardian.find({ _id: { $in: ids("guardianId") } }, { fullName: 1 }).lean()]);
  const name = (list: Array<{ _id: Types.ObjectId; fullName?: string | null }>, id: unknown) => (id ? (list.find((x) => x._id.equals(String(id)))?.fullName ?? null) : null);
  return recs.map((r, i) => {
    const best = new Map<string, (typeof deliveries)[number]>();
    for (const d of deliveries.filter((x) => x.eventId === eventIds[i])) {
      const key = `${String(d.recipient?.guardianId)}:${String(d.recipient?.studentId)}`;
      const held = best.get(key);
      if (!held || REACH_ORDER.indexOf(d.status) < REACH_ORDER.indexOf(held.status)) best.set(key, d);
    }
    return {
      id: String(r._id), createdAt: (r as { createdAt: Date }).createdAt, teacher: name(teachers, r.teacherId) ?? "—",
      subject: subjects.find((s) => s._id.equals(r.subjectId))?.name ?? "—", student: name(students, r.studentId), text: r.text,
      reach: [...best.values()]
        .map((d) => ({ studentName: name(students, d.recipient?.studentId), guardianName: name(guardians, d.recipient?.guardianId), channel: d.channel, status: d.status }))
        .sort((a, b) => (a.studentName ?? "").localeCompare(b.studentName ?? "", "ru") || (a.guardianName ?? "").localeCompare(b.guardianName ?? "", "ru")),
    };
  });
}
