/** Final grades of the child's periods and exam results (regulation 5, 6), with deferrals. */
import { ExamResult, FinalGrade, Period } from "../../db/models";
import { schoolYearFirstDay, yearFilter } from "./calendar";
import { byName, subjectNames } from "./names";
import type { StudentScope } from "./scope";

export interface FinalItem {
  subjectName: string;
  value?: string;
  status: "final" | "deferred" | "not_attested";
  deferredUntil?: string;
  reason?: string;
}

export interface PeriodFinals {
  periodName: string;
  start: string;
  end: string;
  finals: FinalItem[];
}

export interface ExamItem {
  name: string;
  date: string;
  score: number;
  maxScore?: number;
  value?: string;
}

export interface ChildFinals {
  periods: PeriodFinals[];
  exams: ExamItem[];
}

export async function finalsOf(scope: StudentScope): Promise<ChildFinals> {
  const [finals, exams] = await Promise.all([
    FinalGrade.find({ schoolId: scope.schoolId, studentId: scope.studentId }).lean(),
    // Exams of the scope's school year (last year's scope: up to its end).
    ExamResult.find({ schoolId: scope.schoolId, studentId: scope.studentId, date: { $gte: schoolYearFirstDay(scope.today), ...(scope.lastYear ? { $lte: scope.lastYear.to } : {}) } }).sort({ date: 1 }).lean(),
  ]);
  const [periods, subjects] = await Promise.all([
    // The periods of the scope's school year: last year's finals are under "прошлый учебный год".
    Period.find({ _id: { $in: finals.map((f) => f.periodId) }, schoolId: scope.schoolId, ...yearFilter(scope) }).lean(),
    subjectNames(finals.map((f) => f.subjectId)),
  ]);
  const byPeriod = periods
    .map((p) => ({
      periodName: p.name,
      start: p.start,
      end: p.end,
      finals: finals
        .filter((f) => f.periodId.equals(p._id))
        .map((f) => ({
          subjectName: subjects.get(String(f.subjectId)) ?? "",
          status: f.status,
          ...(f.value ? { value: f.value } : {}),
          ...(f.deferredUntil ? { deferredUntil: f.deferredUntil } : {}),
          ...(f.reason ? { reason: f.reason } : {}),
        }))
        .sort(byName((f) => f.subjectName)),
    }))
    // Periods in order; the year's result (a longer period ending last) after the quarters.
    .sort((a, b) => (a.end === b.end ? (a.start < b.start ? 1 : -1) : a.end < b.end ? -1 : 1));
  return {
    periods: byPeriod,
    exams: exams.map((e) => ({
      name: e.name,
      date: e.date,
      score: e.score,
      ...(e.maxScore !== undefined && e.maxScore !== null ? { maxScore: e.maxScore } : {}),
      ...(e.value ? { value: e.value } : {}),
    })),
  };
}
