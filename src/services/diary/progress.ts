/** A period's course per subject (the charts): the average after each day with grades, and the marks counted. */
import { averageTimeline, markCounts, type AveragePoint, type MarkCounts } from "../../domain/progress";
import type { DayRange } from "../../domain/school-calendar";
import { periodSubjects, type SubjectPeriod } from "./grades";
import type { StudentScope } from "./scope";

export interface SubjectProgress {
  subjectId: string;
  subjectName: string;
  points: AveragePoint[];
  counts: MarkCounts;
  forecast: SubjectPeriod["forecast"];
}

/** Every subject of the period, by name; from the same grades and forecast as the bot's views. */
export async function periodProgress(scope: StudentScope, range: DayRange): Promise<SubjectProgress[]> {
  return progressOf(scope, await periodSubjects(scope, range));
}

/** The same from subjects already loaded (a page that shows the table too). */
export function progressOf(scope: StudentScope, subjects: readonly SubjectPeriod[]): SubjectProgress[] {
  // The grades carry their effective weights already: the school's overrides must not apply twice.
  const rules = { thresholds: scope.rules.thresholds, workTypeWeights: {} };
  return subjects.map((s) => ({
    subjectId: s.subjectId,
    subjectName: s.subjectName,
    points: averageTimeline(s.grades.map((g) => ({ value: g.value, weight: g.weight, date: g.date })), rules),
    counts: markCounts(s.grades),
    forecast: s.forecast,
  }));
}
