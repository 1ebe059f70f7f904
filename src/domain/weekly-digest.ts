/**
 * The weekly digest of one child, as pure data (issue 15): the week's grades by subject, the tests
 * and homework of the coming week, forecasts that changed by a grade during the week, and the
 * teachers' recommendations of the week. `weeklyChild` returns null when there is nothing to say,
 * so that nobody gets an empty message. The words are chosen at send time (notify/render.ts).
 */
import { addDays } from "./time";
import { holidayOn, type HolidayRange } from "./school-calendar";

export interface DigestWeeks {
  /** The seven days that end on the digest's day (Mon..Sun for a Sunday digest). */
  past: { from: string; to: string };
  /** The seven days after it. */
  coming: { from: string; to: string };
}

export function digestWeeks(day: string): DigestWeeks {
  return { past: { from: addDays(day, -6), to: day }, coming: { from: addDays(day, 1), to: addDays(day, 7) } };
}

/**
 * No digest on a day of the class's holidays (the journal's calendar): the week was a holiday, and
 * the first school day after it brings the timetable instead (src/services/notify/after-holidays.ts).
 */
export function digestQuiet(day: string, holidays: readonly HolidayRange[], classId?: string): boolean {
  return holidayOn(day, holidays, classId) !== undefined;
}

export interface WeeklySubjectGrades {
  subject: string;
  values: string[];
}

export interface WeeklyDated {
  subject: string;
  date: string;
  /** Assessments: control / test / dictation ...; absent for homework. */
  kind?: string;
}

export interface WeeklyForecastChange {
  subject: string;
  from: number;
  to: number;
}

export interface WeeklyRecommendation {
  subject: string;
  teacher: string;
  text: string;
}

export interface WeeklyChild {
  student: string;
  grades: WeeklySubjectGrades[];
  tests: WeeklyDated[];
  homework: WeeklyDated[];
  forecast: WeeklyForecastChange[];
  recommendations: WeeklyRecommendation[];
}

export interface WeeklyInput {
  student: string;
  /** The grades dated within the past week. */
  grades: ReadonlyArray<{ subject: string; date: string; value: string }>;
  tests: readonly WeeklyDated[];
  homework: readonly WeeklyDated[];
  /** Forecast grade per subject before the week (its grades up to the day before) and now. */
  forecastBefore: ReadonlyArray<{ subject: string; grade: number | null }>;
  forecastNow: ReadonlyArray<{ subject: string; grade: number | null }>;
  recommendations: readonly WeeklyRecommendation[];
}

/** Longer recommendations are cut in the digest (the whole text is in /recommendations). */
export const DIGEST_TEXT_LIMIT = 200;

const byName = (a: { subject: string }, b: { subject: string }) => a.subject.localeCompare(b.subject, "ru");
const byDate = (a: WeeklyDated, b: WeeklyDated) => (a.date === b.date ? byName(a, b) : a.date < b.date ? -1 : 1);

export function cutText(text: string, limit = DIGEST_TEXT_LIMIT): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).trimEnd()}…`;
}

/** What the digest says about one child, or null when there is nothing to say. */
export function weeklyChild(input: WeeklyInput): WeeklyChild | null {
  const bySubject = new Map<string, Array<{ date: string; value: string }>>();
  for (const g of input.grades) bySubject.set(g.subject, [...(bySubject.get(g.subject) ?? []), g]);
  const grades = [...bySubject.entries()]
    .map(([subject, list]) => ({ subject, values: [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)).map((g) => g.value) }))
    .sort(byName);
  const before = new Map(input.forecastBefore.map((f) => [f.subject, f.grade]));
  const forecast: WeeklyForecastChange[] = [];
  for (const now of input.forecastNow) {
    const was = before.get(now.subject);
    if (was === null || was === undefined || now.grade === null || was === now.grade) continue;
    forecast.push({ subject: now.subject, from: was, to: now.grade });
  }
  forecast.sort(byName);
  const child: WeeklyChild = {
    student: input.student,
    grades,
    tests: [...input.tests].sort(byDate),
    homework: [...input.homework].sort(byDate),
    forecast,
    recommendations: input.recommendations.map((r) => ({ ...r, text: cutText(r.text) })),
  };
  const empty = !grades.length && !child.tests.length && !child.homework.length && !forecast.length && !child.recommendations.length;
  return empty ? null : child;
}
