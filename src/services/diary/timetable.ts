/**
 * The child's timetable for some days: the lessons of the class and the child's groups, with
 * substitutions, cancellations and moves, and the lessons moved INTO those days from elsewhere.
 */
import type { Types } from "mongoose";
import { Lesson } from "../../db/models";
import { byName, objectId, subjectNames, teacherNames } from "./names";
import { forStudentGroups, type StudentScope } from "./scope";

export interface LessonSlot {
  date: string;
  start: string;
  end: string;
}

export interface LessonItem {
  id: string;
  /** Where the lesson is shown: its own day, or the day it was moved to. */
  date: string;
  start: string;
  end: string;
  subjectId: string;
  subjectName: string;
  teacherName: string;
  room?: string;
  kind: string;
  status: "planned" | "held" | "cancelled" | "substituted" | "moved";
  substituteName?: string;
  /** For a lesson shown on its own day that was moved away: where to. */
  movedTo?: LessonSlot;
  /** For a lesson shown on the day it was moved to: where from. */
  movedFrom?: LessonSlot;
  topic?: string;
}

type LessonRecord = {
  _id: Types.ObjectId;
  date: string;
  start: string;
  end: string;
  subjectId: Types.ObjectId;
  teacherId: Types.ObjectId;
  substituteTeacherId?: Types.ObjectId | null;
  room?: string | null;
  kind: string;
  status: LessonItem["status"];
  movedTo?: LessonSlot | null;
  topic?: string | null;
};

/** Lessons of the days (each day's lessons by start time), in one query. */
export async function lessonsOn(scope: StudentScope, days: readonly string[]): Promise<Map<string, LessonItem[]>> {
  const lessons = (await Lesson.find({
    schoolId: scope.schoolId,
    classId: scope.classId,
    $and: [{ $or: [{ date: { $in: days } }, { "movedTo.date": { $in: days } }] }, forStudentGroups(scope)],
  }).lean()) as LessonRecord[];
  const [subjects, teachers] = await Promise.all([
    subjectNames(lessons.map((l) => l.subjectId), scope.reference?.subjects),
    teacherNames(lessons.flatMap((l) => [l.teacherId, l.substituteTeacherId]), scope.reference?.teachers),
  ]);
  const byDay = new Map<string, LessonItem[]>(days.map((d) => [d, []]));
  for (const lesson of lessons) {
    const base = {
      id: String(lesson._id),
      subjectId: String(lesson.subjectId),
      subjectName: subjects.get(String(lesson.subjectId)) ?? "",
      teacherName: teachers.get(String(lesson.teacherId)) ?? "",
      kind: lesson.kind,
      status: lesson.status,
      ...(lesson.room ? { room: lesson.room } : {}),
      ...(lesson.topic ? { topic: lesson.topic } : {}),
      ...(lesson.substituteTeacherId ? { substituteName: teachers.get(String(lesson.substituteTeacherId)) ?? "" } : {}),
    };
    const moved = lesson.status === "moved" && lesson.movedTo ? lesson.movedTo : null;
    if (byDay.has(lesson.date)) {
      byDay.get(lesson.date)!.push({ ...base, date: lesson.date, start: lesson.start, end: lesson.end, ...(moved ? { movedTo: { date: moved.date, start: moved.start, end: moved.end } } : {}) });
    }
    if (moved && byDay.has(moved.date)) {
      byDay.get(moved.date)!.push({ ...base, date: moved.date, start: moved.start, end: moved.end, movedFrom: { date: lesson.date, start: lesson.start, end: lesson.end } });
    }
  }
  for (const list of byDay.values()) {
    list.sort((a, b) => (a.start === b.start ? byName<LessonItem>((l) => l.subjectName)(a, b) : a.start < b.start ? -1 : 1));
  }
  return byDay;
}

/** The next lesson of a subject after `day` that takes place as planned (for "будет ли завтра физра?"). */
export async function nextLessonOf(scope: StudentScope, subjectId: string, day: string): Promise<LessonSlot | null> {
  const lesson = await Lesson.findOne({
    schoolId: scope.schoolId,
    classId: scope.classId,
    subjectId: objectId(subjectId),
    date: { $gt: day },
    status: { $nin: ["cancelled", "moved"] },
    ...forStudentGroups(scope),
  })
    .sort({ date: 1, start: 1 })
    .lean();
  return lesson ? { date: lesson.date, start: lesson.start, end: lesson.end } : null;
}
