/**
 * The school's rhythm as pure decisions over YYYY-MM-DD days in the school's zone (issue 15):
 * holidays are quiet days (no forecasts, digests or alerts of lessons), the first school day after
 * holidays brings the day's timetable, N school days before a period's end the teachers and
 * families hear who is at risk, and after the end the admins hear which finals are missing.
 * The journal's calendar decides (src/domain/school-calendar.ts); Saturday and Sunday are not
 * school days unless `sixDayWeek`.
 */
import { daysBetween, holidayOn, isSchoolDay, type HolidayRange, type PeriodRange, type WeekOptions } from "./school-calendar";
import { addDays } from "./time";

/** Never look further than this for the last school day (a year with summer is shorter). */
const SEARCH_LIMIT_DAYS = 400;

/** A day of the class's holidays: no forecast, digest or alert of lessons for its children. */
export function isQuietDay(day: string, holidays: readonly HolidayRange[], classId?: string): boolean {
  return holidayOn(day, holidays, classId) !== undefined;
}

/**
 * The holiday that ended right before `day` when `day` is the class's first school day after it
 * (only weekends in between), else null. A one-day holiday counts too: the morning after it brings
 * the timetable as well.
 */
export function holidayJustEnded<H extends HolidayRange>(day: string, holidays: readonly H[], classId?: string, options: WeekOptions = {}): H | null {
  if (!isSchoolDay(day, holidays, classId, options)) return null;
  let candidate = addDays(day, -1);
  for (let i = 0; i < SEARCH_LIMIT_DAYS; i++) {
    const holiday = holidayOn(candidate, holidays, classId);
    if (holiday) return holiday as H;
    if (isSchoolDay(candidate, holidays, classId, options)) return null;
    candidate = addDays(candidate, -1);
  }
  return null;
}

/** School days strictly after `day` up to `end` (both on the school-wide calendar; `end` included). */
export function schoolDaysAfter(day: string, end: string, holidays: readonly HolidayRange[], options: WeekOptions = {}): number {
  let count = 0;
  for (let d = addDays(day, 1); d <= end; d = addDays(d, 1)) if (isSchoolDay(d, holidays, undefined, options)) count++;
  return count;
}

/** The first school day of the period (school-wide), or null when it has none. */
function firstSchoolDayOf(period: PeriodRange, holidays: readonly HolidayRange[], options: WeekOptions): string | null {
  for (let d = period.start; d <= period.end; d = addDays(d, 1)) if (isSchoolDay(d, holidays, undefined, options)) return d;
  return null;
}

/**
 * Whether `day` is the day of the period-end warning: the school day with exactly `warnDays` school
 * days left after it until the period's last day (the first school day of a period shorter than
 * that). One day per period, so each run of that day plans the same messages; 0 turns it off.
 */
export function periodEndWarningDay(day: string, period: PeriodRange, holidays: readonly HolidayRange[], warnDays: number, options: WeekOptions = {}): boolean {
  if (warnDays <= 0 || day < period.start || day > period.end) return false;
  if (!isSchoolDay(day, holidays, undefined, options)) return false;
  const left = schoolDaysAfter(day, period.end, holidays, options);
  if (left === warnDays) return true;
  return left < warnDays && firstSchoolDayOf(period, holidays, options) === day;
}

/**
 * The periods whose finals are being gathered on `day`: ended before it, at most `windowDays` ago,
 * on a school day of the school (the admins hear of missing finals on school days only). Oldest first.
 */
export function periodsClosing<P extends PeriodRange>(day: string, periods: readonly P[], holidays: readonly HolidayRange[], windowDays: number, options: WeekOptions = {}): P[] {
  if (!isSchoolDay(day, holidays, undefined, options)) return [];
  return periods
    .filter((p) => p.end < day && daysBetween(p.end, day) <= windowDays)
    .sort((a, b) => (a.end === b.end ? (a.start < b.start ? 1 : -1) : a.end < b.end ? -1 : 1));
}

/** A lesson of the journal as the day's timetable needs it (names already looked up). */
export interface LessonOfDay {
  date: string;
  start: string;
  end: string;
  subject: string;
  /** A group lesson: only for the group's students. */
  groupId?: string | null;
  status: string;
  room?: string | null;
  substitute?: string | null;
  movedTo?: { date: string; start: string; end: string } | null;
}

/** One line of the day's timetable: the lesson, and what changed about it. */
export interface DayLesson {
  start: string;
  end: string;
  subject: string;
  room?: string;
  change?: "cancelled" | "substituted" | "moved-away" | "moved-in";
  substitute?: string;
  /** moved-away: where to; moved-in: where from. */
  other?: { date: string; start: string };
}

/**
 * A child's timetable of `day` from the lessons of the class: the child's groups only, lessons
 * moved away shown where they were (marked), lessons moved in shown at their new time; by start.
 */
export function timetableOfDay(day: string, lessons: readonly LessonOfDay[], groupIds: readonly string[]): DayLesson[] {
  const out: DayLesson[] = [];
  for (const l of lessons) {
    if (l.groupId && !groupIds.includes(l.groupId)) continue;
    const base = { subject: l.subject, ...(l.room ? { room: l.room } : {}) };
    const moved = l.status === "moved" && l.movedTo ? l.movedTo : null;
    if (moved && moved.date === day) out.push({ ...base, start: moved.start, end: moved.end, change: "moved-in", other: { date: l.date, start: l.start } });
    if (l.date !== day || (moved && moved.date === day)) continue;
    const line: DayLesson = { ...base, start: l.start, end: l.end };
    if (moved) Object.assign(line, { change: "moved-away", other: { date: moved.date, start: moved.start } });
    else if (l.status === "cancelled") line.change = "cancelled";
    else if (l.status === "substituted") Object.assign(line, { change: "substituted", ...(l.substitute ? { substitute: l.substitute } : {}) });
    out.push(line);
  }
  return out.sort((a, b) => (a.start === b.start ? a.subject.localeCompare(b.subject, "ru") : a.start < b.start ? -1 : 1));
}
