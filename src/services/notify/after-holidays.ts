/**
 * The first school day after holidays (issue 15): that morning every person of a child whose class
 * comes back from holidays gets the day's timetable — one message naming each such child of theirs,
 * with cancellations, substitutions and moves marked (lesson alerts were quiet during the holidays:
 * src/services/notify/timetable.ts). By the person's own `notify.timetable`; consent, channel order
 * and quiet hours as for every message (planForPerson, the delivery engine). Keyed by school, day
 * and person: a second run of the morning sends nothing twice.
 */
import type { Types } from "mongoose";
import { Holiday, Lesson, School, SchoolClass, Student, Subject, Teacher } from "../../db/models";
import { holidayJustEnded, timetableOfDay, type LessonOfDay } from "../../domain/rhythm";
import { weekOf } from "../../domain/school-calendar";
import { schoolDay } from "../../domain/time";
import type { Notice } from "./notice";
import { familiesOf, type Person } from "../people";
import { enqueueDeliveries, planForPerson, type EnqueueCounts } from "./deliveries";
import type { NotifyEnv } from "./env";

const STUDENTS_PER_CHUNK = 250;

type Child = Extract<Notice, { template: "after-holidays" }>["children"][number];

export interface AfterHolidaysResult extends EnqueueCounts {
  /** Classes back from holidays today. */
  classes: number;
}

/** The calendar of a school as the domain wants it (ids as strings). */
export async function schoolCalendar(schoolId: Types.ObjectId) {
  const holidays = await Holiday.find({ schoolId }, { name: 1, start: 1, end: 1, classIds: 1 }).lean();
  return holidays.map((h) => ({ name: h.name, start: h.start, end: h.end, classIds: h.classIds.map(String) }));
}

export async function sendAfterHolidaysTimetables(env: NotifyEnv, schoolId: Types.ObjectId): Promise<AfterHolidaysResult> {
  const result: AfterHolidaysResult = { classes: 0, planned: 0, created: 0, jobs: 0, paper: 0 };
  const school = await School.findById(schoolId, { timezone: 1, "settings.sixDayWeek": 1 }).lean();
  if (!school) return result;
  const now = env.now();
  const day = schoolDay(now, school.timezone);
  const [calendar, classes] = await Promise.all([schoolCalendar(schoolId), SchoolClass.find({ schoolId }, { name: 1 }).lean()]);
  const back = new Map<string, { name: string; holiday: string }>();
  for (const c of classes) {
    const holiday = holidayJustEnded(day, calendar, String(c._id), weekOf(school));
    if (holiday) back.set(String(c._id), { name: c.name, holiday: holiday.name });
  }
  result.classes = back.size;
  if (!back.size) return result;

  const classIds = classes.filter((c) => back.has(String(c._id))).map((c) => c._id);
  const [students, lessons, subjects] = await Promise.all([
    Student.find({ schoolId, classId: { $in: classIds }, left: null }, { fullName: 1, classId: 1, groupIds: 1 }).sort({ _id: 1 }).lean(),
    Lesson.find({ schoolId, classId: { $in: classIds }, $or: [{ date: day }, { "movedTo.date": day }] }, { classId: 1, groupId: 1, subjectId: 1, date: 1, start: 1, end: 1, room: 1, status: 1, substituteTeacherId: 1, movedTo: 1 }).lean(),
    Subject.find({ schoolId }, { name: 1 }).lean(),
  ]);
  const substitutes = lessons.flatMap((l) => (l.substituteTeacherId ? [l.substituteTeacherId] : []));
  const teachers = substitutes.length ? await Teacher.find({ _id: { $in: substitutes } }, { fullName: 1 }).lean() : [];
  const subjectName = new Map(subjects.map((s) => [String(s._id), s.name]));
  const teacherName = new Map(teachers.map((t) => [String(t._id), t.fullName]));
  const byClass = new Map<string, LessonOfDay[]>();
  for (const l of lessons) {
    const list = byClass.get(String(l.classId)) ?? [];
    list.push({
      date: l.date, start: l.start, end: l.end, status: l.status, room: l.room, movedTo: l.movedTo,
      subject: subjectName.get(String(l.subjectId)) ?? "",
      groupId: l.groupId ? String(l.groupId) : null,
      substitute: l.substituteTeacherId ? teacherName.get(String(l.substituteTeacherId)) ?? null : null,
    });
    byClass.set(String(l.classId), list);
  }

  // One message per person: every child of theirs back at school today.
  const byPerson = new Map<string, { person: Person; children: Child[]; seen: Set<string> }>();
  for (let i = 0; i < students.length; i += STUDENTS_PER_CHUNK) {
    const chunk = students.slice(i, i + STUDENTS_PER_CHUNK);
    const families = await familiesOf(schoolId, chunk.map((s) => s._id));
    for (const student of chunk) {
      const wanted = (families.get(String(student._id)) ?? []).flatMap((f) => f.persons).filter((p) => p.mode === "electronic" && p.notify.timetable);
      const cls = back.get(String(student.classId));
      const today = timetableOfDay(day, byClass.get(String(student.classId)) ?? [], (student.groupIds ?? []).map(String));
      if (!wanted.length || !cls || !today.length) continue;
      for (const person of wanted) {
        const entry = byPerson.get(person.key) ?? { person, children: [], seen: new Set<string>() };
        // A person linked to the child through two records names it once.
        if (!entry.seen.has(String(student._id))) entry.children.push({ student: student.fullName, className: cls.name, holiday: cls.holiday, lessons: today });
        entry.seen.add(String(student._id));
        byPerson.set(person.key, entry);
      }
    }
  }
  const planned = [...byPerson.values()].flatMap(({ person, children }) =>
    planForPerson(person, { source: `after-holidays-${String(schoolId)}-${day}`, schoolId, kind: "timetable", notice: { template: "after-holidays", day, children } }),
  );
  Object.assign(result, await enqueueDeliveries(env.deliveries, planned, now, undefined, env.bulk));
  env.logger.info({ schoolId: String(schoolId), ...result }, "after-holidays timetables planned");
  return result;
}
