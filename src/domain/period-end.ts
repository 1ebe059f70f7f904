/**
 * The end of a period (issue 15.2) as pure decisions: which students are at risk (from the forecast
 * engine: fewer grades than the school's minimum → "not attested"; a forecast "2" or "незачёт"), and
 * which teacher hears about which of them — the homeroom teacher about the whole class, a subject
 * teacher about their subjects in the classes they teach. Ids are plain strings.
 */
import type { SubjectForecast } from "./forecast";

export type PeriodRisk = "not-attested" | "two";

/** One student at risk in one subject. */
export interface RiskRow {
  studentId: string;
  classId: string;
  subjectId: string;
  risk: PeriodRisk;
  /** Grades counted so far (for "not attested": against the minimum). */
  count: number;
  /** The average as shown ("2,40"), when there are numeric grades. */
  average: string | null;
}

/**
 * The risks of one student's forecasts: "not attested" when too few grades count (that risk comes
 * first: a "2" from one grade says little), else "two" for a forecast 2 or "незачёт".
 */
export function riskRowsOf(studentId: string, classId: string, forecasts: readonly SubjectForecast[]): RiskRow[] {
  const rows: RiskRow[] = [];
  for (const f of forecasts) {
    const risk: PeriodRisk | null = f.riskReasons.includes("too-few-grades") ? "not-attested" : f.riskReasons.length ? "two" : null;
    if (risk) rows.push({ studentId, classId, subjectId: f.subjectId, risk, count: f.count, average: f.averageText });
  }
  return rows;
}

/** Who teaches what: the homeroom teachers of a class, the teachers of a class's subject. */
export interface TeachingMap {
  /** classId → teacher ids (the class teacher). */
  homeroom: ReadonlyMap<string, readonly string[]>;
  /** `<classId>/<subjectId>` → teacher ids (their lessons in the period). */
  subject: ReadonlyMap<string, readonly string[]>;
}

/**
 * The rows each teacher gets: a homeroom teacher every row of their class, a subject teacher the rows
 * of their subject in that class; a teacher who is both gets each row once. Teachers with nothing at
 * risk are left out.
 */
export function teacherRiskLists(rows: readonly RiskRow[], teaching: TeachingMap): Map<string, RiskRow[]> {
  const out = new Map<string, RiskRow[]>();
  for (const row of rows) {
    const teachers = new Set([...(teaching.homeroom.get(row.classId) ?? []), ...(teaching.subject.get(`${row.classId}/${row.subjectId}`) ?? [])]);
    for (const teacher of teachers) out.set(teacher, [...(out.get(teacher) ?? []), row]);
  }
  return out;
}
