/**
 * Timetable and tests alerts: substitutions, cancellations and moves that touch today or the next
 * school day (older or farther changes are in /schedule and would only be noise), and assessments
 * newly scheduled or moved within the next 7 days. One message per person (naming their children
 * in the class) and one to each student's own account. No lesson alerts while the class is on
 * holiday; tests announced during the holidays still go (families prepare for them then).
 */
import { Types } from "mongoose";
import { Assessment, Holiday, Lesson, School, SchoolClass, Student, Subject, Teacher, type DomainEventDocument } from "../../db/models";
import { isQuietDay } from "../../domain/rhythm";
import { nextSchoolDay, weekOf } from "../../domain/school-calendar";
import { addDays, schoolDay } from "../../domain/time";
import type { Notice } from "./notice";
import { personsOfChildren, type Person } from "../people";
import { enqueueDeliveries, planForPerson, type DeliveryBase, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { studentAccounts } from "./recipients";

type Event = Pick<DomainEventDocument, "eventId" | "type" | "schoolId" | "entity">;
export const ASSESSMENT_HORIZON_DAYS = 7;

async function classAudience(
  env: NotifyEnv,
  event: Event,
  classId: Types.ObjectId,
  groupId: Types.ObjectId | null | undefined,
  setting: "timetable" | "assessments",
  notice: (students: string[]) => Notice,
  kind: "timetable" | "assessment",
): Promise<number> {
  const students = await Student.find({ schoolId: event.schoolId, classId, ...(groupId ? { groupIds: groupId } : {}), left: null }, { fullName: 1 }).lean();
  if (!students.length) return 0;
  const names = new Map(students.map((s) => [String(s._id), s.fullName]));
  const ids = students.map((s) => s._id);
  const [persons, own] = await Promise.all([personsOfChildren(event.schoolId, ids), studentAccounts(event.schoolId, ids)]);
  // One message per person, naming every child of theirs the change concerns.
  const byPerson = new Map<string, { person: Person; children: string[] }>();
  for (const person of persons) {
    if (person.mode !== "electronic" || !person.notify[setting]) continue;
    const entry = byPerson.get(person.key) ?? { person, children: [] };
    entry.children.push(names.get(String(person.studentId)) ?? "");
    byPerson.set(person.key, entry);
  }
  const base = (children: string[]): DeliveryBase => ({ source: event.eventId, schoolId: event.schoolId, kind, eventId: event.eventId, notice: notice(children) });
  const planned: PlannedDelivery[] = [...byPerson.values()].flatMap(({ person, children }) => planForPerson(person, base(children.sort())));
  for (const [studentId, accounts] of own) {
    for (const { accountId, channel } of accounts) planned.push({ ...base([]), studentId: new Types.ObjectId(studentId), channel, accountId });
  }
  return (await enqueueDeliveries(env.deliveries, planned, env.now())).jobs;
}

export async function onLessonEvent(env: NotifyEnv, event: Event): Promise<number> {
  const lesson = await Lesson.findById(event.entity.id).lean();
  if (!lesson) return 0;
  const school = await School.findById(event.schoolId, { timezone: 1, "settings.sixDayWeek": 1 }).lean();
  if (!school) return 0;
  const today = schoolDay(env.now(), school.timezone);
  const holidays = (await Holiday.find({ schoolId: event.schoolId }, { start: 1, end: 1, classIds: 1 }).lean()).map((h) => ({
    start: h.start,
    end: h.end,
    classIds: h.classIds.map(String),
  }));
  // Holidays are quiet days (issue 15): the first school day after them brings the day's timetable
  // with every change in it (src/services/notify/after-holidays.ts).
  if (isQuietDay(today, holidays, String(lesson.classId))) return 0;
  const next = nextSchoolDay(today, holidays, String(lesson.classId), weekOf(school));
  const soon = (day: string | undefined) => !!day && (day === today || day === next);
  if (!soon(lesson.date) && !soon(lesson.movedTo?.date ?? undefined)) return 0;
  const [cls, subject, substitute] = await Promise.all([
    SchoolClass.findById(lesson.classId, { name: 1 }).lean(),
    Subject.findById(lesson.subjectId, { name: 1 }).lean(),
    lesson.substituteTeacherId ? Teacher.findById(lesson.substituteTeacherId, { fullName: 1 }).lean() : null,
  ]);
  const change = event.type === "lesson.cancelled" ? "cancelled" : event.type === "lesson.substituted" ? "substituted" : "moved";
  const notice = (students: string[]): Notice => ({
    template: "lesson",
    students,
    className: cls?.name ?? "",
    change,
    subject: subject?.name ?? "",
    date: lesson.date,
    start: lesson.start,
    ...(change === "substituted" && substitute ? { substitute: substitute.fullName } : {}),
    ...(change === "moved" && lesson.movedTo ? { movedTo: { date: lesson.movedTo.date, start: lesson.movedTo.start } } : {}),
  });
  return classAudience(env, event, lesson.classId, lesson.groupId, "timetable", notice, "timetable");
}

export async function onAssessmentEvent(env: NotifyEnv, event: Event): Promise<number> {
  const assessment = await Assessment.findById(event.entity.id).lean();
  if (!assessment) return 0;
  const school = await School.findById(event.schoolId, { timezone: 1, "settings.sixDayWeek": 1 }).lean();
  if (!school) return 0;
  const today = schoolDay(env.now(), school.timezone);
  if (assessment.date < today || assessment.date > addDays(today, ASSESSMENT_HORIZON_DAYS)) return 0;
  const [cls, subject] = await Promise.all([
    SchoolClass.findById(assessment.classId, { name: 1 }).lean(),
    Subject.findById(assessment.subjectId, { name: 1 }).lean(),
  ]);
  const notice = (students: string[]): Notice => ({
    template: "assessment",
    students,
    className: cls?.name ?? "",
    change: event.type === "assessment.moved" ? "moved" : "scheduled",
    subject: subject?.name ?? "",
    date: assessment.date,
    kind: assessment.kind,
  });
  return classAudience(env, event, assessment.classId, null, "assessments", notice, "assessment");
}
