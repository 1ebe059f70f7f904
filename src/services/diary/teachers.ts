/**
 * The teachers who work with the child (regulation 2): by subject, from the lessons of the class and
 * of the child's groups within a range (the current period), the teachers of an individual plan and
 * the homeroom teacher.
 */
import type { Types } from "mongoose";
import { Lesson, Teacher } from "../../db/models";
import type { DayRange } from "../../domain/school-calendar";
import { byName, groupNames, subjectNames, teacherNames } from "./names";
import { forStudentGroups, type StudentScope } from "./scope";

export interface SubjectTeachers {
  subjectId: string;
  subjectName: string;
  teachers: Array<{ name: string; groupName?: string }>;
}

export interface ChildTeachers {
  homeroom: string | null;
  bySubject: SubjectTeachers[];
  /** Teachers of the child's individual plan with the subjects they teach. */
  individual: Array<{ name: string; subjects: string[] }>;
}

interface TeachingKey {
  _id: { subjectId: Types.ObjectId; teacherId: Types.ObjectId; groupId?: Types.ObjectId | null };
}

export async function teachersOf(scope: StudentScope, range: DayRange): Promise<ChildTeachers> {
  const match = {
    schoolId: scope.schoolId,
    classId: scope.classId,
    date: { $gte: range.from, $lte: range.to },
    status: { $ne: "cancelled" },
    ...forStudentGroups(scope),
  };
  const [teaching, individualTeachers] = await Promise.all([
    Lesson.aggregate<TeachingKey>([
      { $match: match },
      { $group: { _id: { subjectId: "$subjectId", teacherId: "$teacherId", groupId: "$groupId" } } },
    ]),
    scope.individualTeacherIds.length > 0
      ? Teacher.find({ _id: { $in: scope.individualTeacherIds } }, { fullName: 1, subjectIds: 1 }).lean()
      : Promise.resolve([]),
  ]);
  const keys = teaching.map((k) => k._id);
  const [subjects, teachers, groups] = await Promise.all([
    subjectNames([...keys.map((k) => k.subjectId), ...individualTeachers.flatMap((t) => t.subjectIds ?? [])]),
    teacherNames([...keys.map((k) => k.teacherId), scope.homeroomTeacherId]),
    groupNames(keys.map((k) => k.groupId)),
  ]);

  const bySubject = new Map<string, SubjectTeachers>();
  for (const key of keys) {
    const subjectId = String(key.subjectId);
    const entry = bySubject.get(subjectId) ?? { subjectId, subjectName: subjects.get(subjectId) ?? "", teachers: [] };
    const name = teachers.get(String(key.teacherId)) ?? "";
    const groupName = key.groupId ? groups.get(String(key.groupId)) : undefined;
    if (!entry.teachers.some((t) => t.name === name && t.groupName === groupName)) {
      entry.teachers.push({ name, ...(groupName ? { groupName } : {}) });
    }
    bySubject.set(subjectId, entry);
  }
  for (const entry of bySubject.values()) entry.teachers.sort(byName((t) => `${t.groupName ?? ""} ${t.name}`));

  return {
    homeroom: scope.homeroomTeacherId ? (teachers.get(String(scope.homeroomTeacherId)) ?? null) : null,
    bySubject: [...bySubject.values()].sort(byName((s) => s.subjectName)),
    individual: individualTeachers
      .map((t) => ({ name: t.fullName, subjects: (t.subjectIds ?? []).map((id) => subjects.get(String(id)) ?? "").filter(Boolean) }))
      .sort(byName((t) => t.name)),
  };
}
