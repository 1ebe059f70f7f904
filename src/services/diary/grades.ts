/**
 * A child's grades: the days of a range (the week view) and a reporting period per subject (the
 * period summary and the forecast share it). Subjects of the period are the ones the child's class
 * (or group) has lessons in, so a subject without grades still shows up — at risk of "not attested".
 */
import type { Types } from "mongoose";
import { Grade, Lesson, type GradeValue } from "../../db/models";
import type { DayRange } from "../../domain/school-calendar";
import { forecastSubject, type SubjectForecast } from "../../domain/forecast";
import { effectiveWeight, weightLookup, type GradeEntry } from "../../domain/grading";
import { byName, objectId, subjectNames } from "./names";
import { forStudentGroups, type StudentScope } from "./scope";

export interface GradeItem {
  id: string;
  date: string;
  subjectId: string;
  subjectName: string;
  value: string;
  /** The weight that counts (the school's override for the work type, else the grade's own). */
  weight: number;
  workType: string;
  comment?: string;
}

export interface GradeFilter {
  subjectId?: string;
  /** Only grades of this value ("двойки"). */
  value?: GradeValue;
}

type GradeRecord = { _id: Types.ObjectId; date: string; subjectId: Types.ObjectId; value: string; weight: number; workType: string; comment?: string | null };

function toItems(scope: StudentScope, grades: readonly GradeRecord[], names: Map<string, string>): GradeItem[] {
  const lookup = weightLookup(scope.rules.workTypeWeights);
  return grades.map((g) => ({
    id: String(g._id),
    date: g.date,
    subjectId: String(g.subjectId),
    subjectName: names.get(String(g.subjectId)) ?? "",
    value: g.value,
    weight: effectiveWeight({ value: g.value, weight: g.weight, workType: g.workType }, lookup),
    workType: g.workType,
    ...(g.comment ? { comment: g.comment } : {}),
  }));
}

function gradeQuery(scope: StudentScope, range: DayRange, filter: GradeFilter = {}) {
  return {
    schoolId: scope.schoolId,
    studentId: scope.studentId,
    date: { $gte: range.from, $lte: range.to },
    ...(filter.subjectId ? { subjectId: objectId(filter.subjectId) } : {}),
    ...(filter.value ? { value: filter.value } : {}),
  };
}

/** Grades of the range, by date, then subject name. */
export async function gradesBetween(scope: StudentScope, range: DayRange, filter: GradeFilter = {}): Promise<GradeItem[]> {
  const grades = (await Grade.find(gradeQuery(scope, range, filter)).sort({ date: 1, createdAt: 1 }).lean()) as GradeRecord[];
  const names = await subjectNames(grades.map((g) => g.subjectId), scope.reference?.subjects);
  const items = toItems(scope, grades, names);
  return items.sort((a, b) => (a.date === b.date ? byName<GradeItem>((g) => g.subjectName)(a, b) : a.date < b.date ? -1 : 1));
}

export interface SubjectPeriod {
  subjectId: string;
  subjectName: string;
  grades: GradeItem[];
  forecast: SubjectForecast;
}

/**
 * Every subject of the period with its grades (by date) and the forecast engine's verdict, by
 * subject name (the forecast view re-sorts with compareForecasts). `filter.subjectId` narrows to one.
 */
export async function periodSubjects(scope: StudentScope, range: DayRange, filter: GradeFilter = {}): Promise<SubjectPeriod[]> {
  const lessonFilter = {
    schoolId: scope.schoolId,
    classId: scope.classId,
    date: { $gte: range.from, $lte: range.to },
    ...(filter.subjectId ? { subjectId: objectId(filter.subjectId) } : {}),
    ...forStudentGroups(scope),
  };
  const [grades, taught] = await Promise.all([
    Grade.find(gradeQuery(scope, range, { subjectId: filter.subjectId })).sort({ date: 1, createdAt: 1 }).lean() as Promise<GradeRecord[]>,
    Lesson.distinct("subjectId", lessonFilter) as Promise<Types.ObjectId[]>,
  ]);
  const subjectIds = new Set([...taught.map(String), ...grades.map((g) => String(g.subjectId))]);
  const names = await subjectNames([...taught, ...grades.map((g) => g.subjectId)], scope.reference?.subjects);
  const items = toItems(scope, grades, names);
  const subjects = [...subjectIds].map((subjectId) => {
    const own = items.filter((g) => g.subjectId === subjectId);
    const entries: GradeEntry[] = own.map((g) => ({ value: g.value, weight: g.weight, date: g.date }));
    // Weights were already resolved above: the overrides must not apply twice.
    const forecast = forecastSubject({ subjectId, subjectName: names.get(subjectId) ?? "", grades: entries }, { ...scope.rules, workTypeWeights: {} });
    return { subjectId, subjectName: names.get(subjectId) ?? "", grades: own, forecast };
  });
  return subjects.sort(byName((s) => s.subjectName));
}
