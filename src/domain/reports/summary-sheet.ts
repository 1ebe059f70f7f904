/**
 * The summary sheet of final grades (regulation 5, 9) with quality and success rates. Rules (see
 * docs/printouts.md):
 * - rates count students with a decided result: `final` (5..1, зачёт, незачёт) and `not_attested`;
 *   `deferred` and missing results are left out until they are decided;
 * - success = share without a failing result (2, 1, незачёт, не аттестован);
 * - quality = share of 4 and 5 among the 5-point results and the not-attested; pass/fail results
 *   have no quality, and a subject with no 5-point result has no quality rate.
 */
import { numericValue, passFailValue } from "../grading";

export interface Rate {
  count: number;
  of: number;
  /** count / of in percent with one decimal; null when `of` is 0. */
  percent: number | null;
}

export function rate(count: number, of: number): Rate {
  return { count, of, percent: of > 0 ? Math.round((count * 1000) / of) / 10 : null };
}

export interface FinalEntry {
  studentId: string;
  subjectId: string;
  status: "final" | "deferred" | "not_attested";
  value?: string | null;
  deferredUntil?: string | null;
}

export type SheetMark =
  | { kind: "grade"; value: 1 | 2 | 3 | 4 | 5 }
  | { kind: "pass" }
  | { kind: "fail" }
  | { kind: "deferred"; until?: string }
  | { kind: "not_attested" }
  | { kind: "missing" };

export type MarkKey = "5" | "4" | "3" | "2" | "1" | "pass" | "fail" | "not_attested" | "deferred" | "missing";
export const MARK_KEYS: readonly MarkKey[] = ["5", "4", "3", "2", "1", "pass", "fail", "not_attested", "deferred", "missing"];

export function markKey(mark: SheetMark): MarkKey {
  return mark.kind === "grade" ? (String(mark.value) as MarkKey) : mark.kind;
}

export function sheetMark(entry: FinalEntry | undefined): SheetMark {
  if (!entry) return { kind: "missing" };
  if (entry.status === "deferred") return entry.deferredUntil ? { kind: "deferred", until: entry.deferredUntil } : { kind: "deferred" };
  if (entry.status === "not_attested") return { kind: "not_attested" };
  const numeric = numericValue(entry.value ?? "");
  if (numeric !== null) return { kind: "grade", value: numeric };
  const pf = passFailValue(entry.value ?? "");
  return pf === null ? { kind: "missing" } : { kind: pf };
}

const failing = (m: SheetMark) => (m.kind === "grade" && m.value <= 2) || m.kind === "fail" || m.kind === "not_attested";
const decided = (m: SheetMark) => m.kind !== "deferred" && m.kind !== "missing";

/** Distribution and rates of a list of marks (one subject's column, or anything else). */
export interface MarkSummary {
  distribution: Record<MarkKey, number>;
  quality: Rate;
  success: Rate;
  /** Plain mean of the 5-point results, 2 decimals; null without any. */
  average: number | null;
}

export function summarizeMarks(marks: readonly SheetMark[]): MarkSummary {
  const distribution = Object.fromEntries(MARK_KEYS.map((k) => [k, 0])) as Record<MarkKey, number>;
  for (const m of marks) distribution[markKey(m)] += 1;
  const numeric = marks.filter((m): m is Extract<SheetMark, { kind: "grade" }> => m.kind === "grade");
  const good = numeric.filter((m) => m.value >= 4).length;
  const decidedMarks = marks.filter(decided);
  const sum = numeric.reduce((s, m) => s + m.value, 0);
  return {
    distribution,
    quality: rate(good, numeric.length === 0 ? 0 : numeric.length + distribution.not_attested),
    success: rate(decidedMarks.filter((m) => !failing(m)).length, decidedMarks.length),
    average: numeric.length ? Math.round((sum * 100) / numeric.length) / 100 : null,
  };
}

/** Students by their results in all subjects; the categories do not overlap. */
export interface StudentTotals {
  /** Only 5s (and passes). */
  excellent: number;
  /** 4s and 5s, at least one 4. */
  good: number;
  oneThree: number;
  /** More than one 3, no failing result. */
  threes: number;
  /** A 2, 1 or незачёт, and no "not attested". */
  failing: number;
  notAttested: number;
  /** A deferred or missing result: not counted in the rates yet. */
  undecided: number;
  quality: Rate;
  success: Rate;
}

export function studentCategory(marks: readonly SheetMark[]): keyof Omit<StudentTotals, "quality" | "success"> | null {
  if (marks.length === 0) return null;
  if (marks.some((m) => !decided(m))) return "undecided";
  if (marks.some((m) => m.kind === "not_attested")) return "notAttested";
  if (marks.some(failing)) return "failing";
  const threes = marks.filter((m) => m.kind === "grade" && m.value === 3).length;
  if (threes > 1) return "threes";
  if (threes === 1) return "oneThree";
  return marks.some((m) => m.kind === "grade" && m.value === 4) ? "good" : "excellent";
}

export interface SummarySheet {
  /** marks.get(studentId)?.get(subjectId) */
  marks: Map<string, Map<string, SheetMark>>;
  subjects: Array<{ subjectId: string } & MarkSummary>;
  students: StudentTotals;
}

/** The summary sheet of one class and period; the last entry of a student and subject wins. */
export function summarySheet(studentIds: readonly string[], subjectIds: readonly string[], finals: readonly FinalEntry[]): SummarySheet {
  const byKey = new Map(finals.map((f) => [`${f.studentId}|${f.subjectId}`, f]));
  const marks = new Map(studentIds.map((st) => [st, new Map(subjectIds.map((su) => [su, sheetMark(byKey.get(`${st}|${su}`))]))]));
  const totals: StudentTotals = { excellent: 0, good: 0, oneThree: 0, threes: 0, failing: 0, notAttested: 0, undecided: 0, quality: rate(0, 0), success: rate(0, 0) };
  for (const row of marks.values()) {
    // A student with no result at all (new in the class) is left out; one with some is undecided.
    const category = [...row.values()].some((m) => m.kind !== "missing") ? studentCategory([...row.values()]) : null;
    if (category) totals[category] += 1;
  }
  const counted = totals.excellent + totals.good + totals.oneThree + totals.threes + totals.failing + totals.notAttested;
  totals.quality = rate(totals.excellent + totals.good, counted);
  totals.success = rate(counted - totals.failing - totals.notAttested, counted);
  const subjects = subjectIds.map((subjectId) => ({ subjectId, ...summarizeMarks(studentIds.map((st) => marks.get(st)!.get(subjectId)!)) }));
  return { marks, subjects, students: totals };
}
