/**
 * The school's reports as pure computations (regulation 5, 9): the summary sheet of final grades
 * with quality and success rates, the curriculum check of lessons held, missing finals, and which
 * week a weekly printout covers. Rules (see docs/printouts.md):
 * - rates count students with a decided result: `final` (5..1, зачёт, незачёт) and `not_attested`;
 *   `deferred` and missing results are left out until they are decided;
 * - success = share without a failing result (2, 1, незачёт, не аттестован);
 * - quality = share of 4 and 5 among the 5-point results and the not-attested; pass/fail results
 *   have no quality, and a subject with no 5-point result has no quality rate;
 * - a subject is behind the plan when fewer lessons were held than expected by now, pro rata by the
 *   class's school days elapsed: floor(planned × elapsed / all); after the period, held < planned.
 */
import { numericValue, passFailValue } from "./grading";
import { isSchoolDay, isoWeekday, weekBounds, type HolidayRange } from "./school-calendar";
import { addDays, schoolDay, zonedInstant } from "./time";

// ---- rates -----------------------------------------------------------------------------------

export interface Rate {
  count: number;
  of: number;
  /** count / of in percent with one decimal; null when `of` is 0. */
  percent: number | null;
}

export function rate(count: number, of: number): Rate {
  return { count, of, percent: of > 0 ? Math.round((count * 1000) / of) / 10 : null };
}

// ---- summary sheet ---------------------------------------------------------------------------

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

// ---- curriculum statistics -------------------------------------------------------------------

export interface LessonEntry {
  id: string;
  subjectId: string;
  groupId?: string | null;
  date: string;
  kind: string;
  status: string;
  movedToDate?: string | null;
}

export interface GradeOfLesson {
  subjectId: string;
  date: string;
  value: string;
  lessonId?: string | null;
  /** The student's groups: places a grade without a lesson in its group's row. */
  studentGroupIds?: readonly string[];
}

export interface CurriculumInput {
  period: { start: string; end: string };
  today: string;
  classId: string;
  holidays: readonly HolidayRange[];
  /** subjectId -> planned lessons (the curriculum). */
  planned: ReadonlyMap<string, number>;
  lessons: readonly LessonEntry[];
  grades: readonly GradeOfLesson[];
}

export interface CurriculumRow {
  subjectId: string;
  /** Set when the subject is taught in groups: one row per group (whole-class lessons count in each). */
  groupId: string | null;
  planned: number | null;
  /** Lessons held, by their teacher or (a past substitution) by a substitute. */
  held: number;
  /** Of the held ones, those a substitute taught. */
  substituted: number;
  cancelled: number;
  moved: number;
  /** Still `planned` although their day has passed: the journal did not mark them. */
  unmarked: number;
  /** Planned (or substituted) from today on, and moved lessons whose new day is still ahead. */
  remaining: number;
  /** Lessons due by now, pro rata by school days; null without a plan. */
  expected: number | null;
  /** expected − held when positive, else 0. */
  behindBy: number;
  heldByKind: Record<string, number>;
  grades: MarkSummary & { count: number };
}

/** School days of the class in [from, to], both included. */
export function schoolDaysBetween(from: string, to: string, holidays: readonly HolidayRange[], classId: string): number {
  let n = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (isSchoolDay(d, holidays, classId)) n += 1;
  return n;
}

export function expectedByNow(planned: number, input: Pick<CurriculumInput, "period" | "today" | "holidays" | "classId">): number {
  const { period, today } = input;
  if (today > period.end) return planned;
  const all = schoolDaysBetween(period.start, period.end, input.holidays, input.classId);
  const elapsed = today <= period.start ? 0 : schoolDaysBetween(period.start, addDays(today, -1), input.holidays, input.classId);
  return all === 0 ? planned : Math.floor((planned * elapsed) / all);
}

export function curriculumStats(input: CurriculumInput): CurriculumRow[] {
  const lessons = input.lessons.filter((l) => l.date >= input.period.start && l.date <= input.period.end);
  const subjects = [...new Set([...input.planned.keys(), ...lessons.map((l) => l.subjectId)])];
  const rows: CurriculumRow[] = [];
  for (const subjectId of subjects) {
    const own = lessons.filter((l) => l.subjectId === subjectId);
    const groups = [...new Set(own.map((l) => l.groupId).filter((g): g is string => !!g))].sort();
    for (const groupId of groups.length ? groups : [null]) {
      const rowLessons = own.filter((l) => !l.groupId || l.groupId === groupId);
      const grades = input.grades.filter((g) => g.subjectId === subjectId && g.date >= input.period.start && g.date <= input.period.end);
      rows.push(curriculumRow(input, subjectId, groupId, groups, rowLessons, grades));
    }
  }
  return rows;
}

function curriculumRow(input: CurriculumInput, subjectId: string, groupId: string | null, groups: string[], lessons: LessonEntry[], grades: GradeOfLesson[]): CurriculumRow {
  const count = (status: string) => lessons.filter((l) => l.status === status).length;
  // A substitution announced for today or later has not happened yet: it is still to come.
  const past = (l: LessonEntry) => l.date < input.today;
  const held = lessons.filter((l) => l.status === "held" || (l.status === "substituted" && past(l)));
  const heldByKind: Record<string, number> = {};
  for (const l of held) heldByKind[l.kind] = (heldByKind[l.kind] ?? 0) + 1;
  const heldIds = new Set(held.map((l) => l.id));
  const heldDays = new Set(held.map((l) => l.date));
  const allIds = new Set(input.lessons.map((l) => l.id));
  // A grade without its lesson belongs to its student's group row (the first row when none matches).
  const inRow = (g: GradeOfLesson) => groupId === null || (g.studentGroupIds ?? []).includes(groupId) || (groupId === groups[0] && !groups.some((x) => (g.studentGroupIds ?? []).includes(x)));
  const counted = grades.filter((g) => (g.lessonId && allIds.has(g.lessonId) ? heldIds.has(g.lessonId) : heldDays.has(g.date) && inRow(g)));
  const marks = counted.map((g) => sheetMark({ studentId: "", subjectId, status: "final", value: g.value }));
  const planned = input.planned.get(subjectId) ?? null;
  const expected = planned === null ? null : expectedByNow(planned, input);
  return {
    subjectId,
    groupId,
    planned,
    held: held.length,
    substituted: lessons.filter((l) => l.status === "substituted" && past(l)).length,
    cancelled: count("cancelled"),
    moved: count("moved"),
    unmarked: lessons.filter((l) => l.status === "planned" && l.date < input.today).length,
    remaining:
      lessons.filter((l) => (l.status === "planned" || l.status === "substituted") && !past(l)).length +
      lessons.filter((l) => l.status === "moved" && (l.movedToDate ?? "") >= input.today).length,
    expected,
    behindBy: expected === null ? 0 : Math.max(0, expected - held.length),
    heldByKind,
    grades: { ...summarizeMarks(marks.filter((m) => m.kind !== "missing")), count: marks.filter((m) => m.kind !== "missing").length },
  };
}

// ---- missing finals --------------------------------------------------------------------------

export interface MissingFinal {
  studentId: string;
  subjectId: string;
  problem: "missing" | "deferral-expired";
  deferredUntil?: string;
}

/**
 * Students without a final grade of a subject they study (a whole-class subject, or one of their
 * groups'); a deferral counts until its day has passed. A not-attested result is a result.
 */
export function missingFinals(
  students: ReadonlyArray<{ id: string; groupIds?: readonly string[] }>,
  subjects: ReadonlyArray<{ subjectId: string; groupIds?: readonly string[] | null }>,
  finals: readonly FinalEntry[],
  today: string,
): MissingFinal[] {
  const byKey = new Map(finals.map((f) => [`${f.studentId}|${f.subjectId}`, f]));
  const out: MissingFinal[] = [];
  for (const student of students) {
    for (const subject of subjects) {
      const studies = !subject.groupIds?.length || subject.groupIds.some((g) => (student.groupIds ?? []).includes(g));
      if (!studies) continue;
      const entry = byKey.get(`${student.id}|${subject.subjectId}`);
      if (!entry || sheetMark(entry).kind === "missing") out.push({ studentId: student.id, subjectId: subject.subjectId, problem: "missing" });
      else if (entry.status === "deferred" && entry.deferredUntil && entry.deferredUntil < today) {
        out.push({ studentId: student.id, subjectId: subject.subjectId, problem: "deferral-expired", deferredUntil: entry.deferredUntil });
      }
    }
  }
  return out;
}

// ---- class names -----------------------------------------------------------------------------

/**
 * Classes are typed by people: "7б", "7 Б" and "7Б" are the same class, and so is "7B" typed
 * with Latin look-alike letters.
 */
export function classNameKey(name: string): string {
  const latin: Record<string, string> = { A: "А", B: "В", C: "С", E: "Е", H: "Н", K: "К", M: "М", O: "О", P: "Р", T: "Т", X: "Х" };
  return name.toUpperCase().replace(/\s+/g, "").replace(/Ё/g, "Е").replace(/[ABCEHKMOPTX]/g, (c) => latin[c]);
}

// ---- weekly printouts ------------------------------------------------------------------------

export interface PrintoutWeek {
  /** Monday and Sunday of the week whose grades the printout shows. */
  start: string;
  end: string;
  /** Monday and Sunday of the week after it: its homework. */
  comingStart: string;
  comingEnd: string;
}

/**
 * The week a printout produced on `runDay` covers: its own ISO week from Wednesday on (a Friday
 * run shows Monday to Friday), the week before on Monday and Tuesday (too little of the new week
 * has happened).
 */
export function printoutWeek(runDay: string): PrintoutWeek {
  const own = weekBounds(runDay).from;
  const start = isoWeekday(runDay) <= 2 ? addDays(own, -7) : own;
  return { start, end: addDays(start, 6), comingStart: addDays(start, 7), comingEnd: addDays(start, 13) };
}

export interface PrintoutSchedule {
  /** ISO weekday, 1 = Monday .. 7 = Sunday. */
  weekday: number;
  /** HH:mm on the school's wall clock. */
  time: string;
}

/** The cron pattern (minute hour * * weekday, Sunday = 0) BullMQ runs in the school's zone. */
export function printoutCron(schedule: PrintoutSchedule): string {
  const [hour, minute] = schedule.time.split(":").map(Number);
  return `${minute} ${hour} * * ${schedule.weekday % 7}`;
}

/** The latest scheduled run at or before `now`: what an on-demand printout reprints. */
export function lastScheduledRun(now: Date, timeZone: string, schedule: PrintoutSchedule): Date {
  const today = schoolDay(now, timeZone);
  const day = addDays(today, -((isoWeekday(today) - schedule.weekday + 7) % 7));
  const run = zonedInstant(day, schedule.time, timeZone);
  return run.getTime() <= now.getTime() ? run : zonedInstant(addDays(day, -7), schedule.time, timeZone);
}
