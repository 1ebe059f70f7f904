/**
 * The school's calendar as pure functions over YYYY-MM-DD strings (already in the school's zone):
 * school days, holidays of a class, reporting periods and ISO weeks. Day strings compare
 * correctly as strings, so ranges are plain `start <= day && day <= end` (both inclusive).
 */
import { addDays, dayjs, DAY_FORMAT } from "./time";

export interface HolidayRange {
  name?: string;
  start: string;
  end: string;
  /** When set and non-empty, the holiday is only for these classes (e.g. first graders' February break). */
  classIds?: readonly string[];
}

export interface PeriodRange {
  id?: string;
  name: string;
  /** quarter / trimester / half / year (kept as a string: the domain imports no model enums). */
  kind: string;
  start: string;
  end: string;
}

export interface WeekOptions {
  /** Saturday is a school day too. */
  sixDayWeek?: boolean;
}

/** A school's week (`settings.sixDayWeek`). */
export const weekOf = (school: { settings?: { sixDayWeek?: boolean | null } | null } | null | undefined): WeekOptions => ({ sixDayWeek: !!school?.settings?.sixDayWeek });

/** Give up looking for a school day after this many days (a year with summer is far shorter). */
const SEARCH_LIMIT_DAYS = 400;

/** ISO weekday: 1 = Monday .. 7 = Sunday. */
export function isoWeekday(day: string): number {
  return dayjs.utc(day, DAY_FORMAT, true).isoWeekday();
}

export function daysBetween(from: string, to: string): number {
  return dayjs.utc(to, DAY_FORMAT, true).diff(dayjs.utc(from, DAY_FORMAT, true), "day");
}

export function holidayAppliesTo(holiday: HolidayRange, classId?: string): boolean {
  if (!holiday.classIds || holiday.classIds.length === 0) return true;
  return classId !== undefined && holiday.classIds.includes(classId);
}

/** The holiday of the class that covers the day, if any. */
export function holidayOn(day: string, holidays: readonly HolidayRange[], classId?: string): HolidayRange | undefined {
  return holidays.find((h) => h.start <= day && day <= h.end && holidayAppliesTo(h, classId));
}

export function isWeekend(day: string, options: WeekOptions = {}): boolean {
  const weekday = isoWeekday(day);
  return weekday === 7 || (weekday === 6 && !options.sixDayWeek);
}

/** Mon–Fri (Mon–Sat with `sixDayWeek`), and not a holiday of the class. */
export function isSchoolDay(
  day: string,
  holidays: readonly HolidayRange[],
  classId?: string,
  options: WeekOptions = {},
): boolean {
  return !isWeekend(day, options) && holidayOn(day, holidays, classId) === undefined;
}

/** The first school day strictly after `fromDay`; null if none within a year and a month. */
export function nextSchoolDay(
  fromDay: string,
  holidays: readonly HolidayRange[],
  classId?: string,
  options: WeekOptions = {},
): string | null {
  return schoolDayOnOrAfter(addDays(fromDay, 1), holidays, classId, options);
}

/** `day` itself when it is a school day, else the next one (null if none is found). */
export function schoolDayOnOrAfter(
  day: string,
  holidays: readonly HolidayRange[],
  classId?: string,
  options: WeekOptions = {},
): string | null {
  let candidate = day;
  for (let i = 0; i < SEARCH_LIMIT_DAYS; i++) {
    if (isSchoolDay(candidate, holidays, classId, options)) return candidate;
    candidate = addDays(candidate, 1);
  }
  return null;
}

/** The last school day strictly before `fromDay` (for "what was set last time"). */
export function previousSchoolDay(
  fromDay: string,
  holidays: readonly HolidayRange[],
  classId?: string,
  options: WeekOptions = {},
): string | null {
  let candidate = addDays(fromDay, -1);
  for (let i = 0; i < SEARCH_LIMIT_DAYS; i++) {
    if (isSchoolDay(candidate, holidays, classId, options)) return candidate;
    candidate = addDays(candidate, -1);
  }
  return null;
}

export interface PeriodOnDay<P extends PeriodRange = PeriodRange> {
  period: P;
  /** current: the day is inside it; upcoming / finished: the nearest one when no period covers the day. */
  relation: "current" | "upcoming" | "finished";
  /** Days from the day to the period's start (upcoming) or since its end (finished); 0 when current. */
  days: number;
}

/**
 * The reporting period of a day. Only periods of `kind` count when it is given; otherwise "year"
 * periods are used only if nothing else exists. When no period covers the day (holidays between
 * quarters, summer), the nearest one is returned; on a tie the one just finished wins, since its
 * results are what guardians ask about during a break.
 */
export function periodOn<P extends PeriodRange>(day: string, periods: readonly P[], kind?: string): PeriodOnDay<P> | null {
  const candidates = selectPeriods(periods, kind);
  const covering = candidates
    .filter((p) => p.start <= day && day <= p.end)
    .sort((a, b) => daysBetween(a.start, a.end) - daysBetween(b.start, b.end));
  if (covering.length > 0) return { period: covering[0], relation: "current", days: 0 };
  let best: PeriodOnDay<P> | null = null;
  for (const period of candidates) {
    const option: PeriodOnDay<P> =
      period.start > day
        ? { period, relation: "upcoming", days: daysBetween(day, period.start) }
        : { period, relation: "finished", days: daysBetween(period.end, day) };
    const better =
      best === null ||
      option.days < best.days ||
      (option.days === best.days && option.relation === "finished" && best.relation === "upcoming");
    if (better) best = option;
  }
  return best;
}

/** The period before the one of `day` (for "за прошлую четверть"). */
export function previousPeriod<P extends PeriodRange>(day: string, periods: readonly P[], kind?: string): P | null {
  const finished = selectPeriods(periods, kind)
    .filter((p) => p.end < day)
    .sort((a, b) => (a.end < b.end ? 1 : -1));
  const current = periodOn(day, periods, kind);
  const earlier = current?.relation === "current" ? finished.filter((p) => p.end < current.period.start) : finished;
  return earlier[0] ?? null;
}

function selectPeriods<P extends PeriodRange>(periods: readonly P[], kind?: string): P[] {
  if (kind !== undefined) return periods.filter((p) => p.kind === kind);
  const nonYear = periods.filter((p) => p.kind !== "year");
  return nonYear.length > 0 ? nonYear : [...periods];
}

export interface UpcomingHoliday<H extends HolidayRange = HolidayRange> {
  holiday: H;
  /** Days until it starts; 0 when it is going on. */
  daysLeft: number;
  ongoing: boolean;
  /** Its length in calendar days, both ends included. */
  lengthDays: number;
}

/** Holidays of the class that are going on or still ahead of `day`, soonest first. */
export function upcomingHolidays<H extends HolidayRange>(
  day: string,
  holidays: readonly H[],
  classId?: string,
  limit = Infinity,
): UpcomingHoliday<H>[] {
  return holidaysOfClass(holidays, classId)
    .filter((h) => h.end >= day)
    .slice(0, limit)
    .map((holiday) => {
      const ongoing = holiday.start <= day;
      return {
        holiday,
        ongoing,
        daysLeft: ongoing ? 0 : daysBetween(day, holiday.start),
        lengthDays: daysBetween(holiday.start, holiday.end) + 1,
      };
    });
}

/** All holidays of the class, by start (the "whole year" view). */
export function holidaysOfClass<H extends HolidayRange>(holidays: readonly H[], classId?: string): H[] {
  return holidays
    .filter((h) => holidayAppliesTo(h, classId))
    .sort((a, b) => (a.start === b.start ? (a.end < b.end ? -1 : 1) : a.start < b.start ? -1 : 1));
}

export interface DayRange {
  from: string;
  to: string;
}

/** The ISO week (Monday..Sunday) that contains the day. */
export function weekBounds(day: string): DayRange {
  const from = addDays(day, 1 - isoWeekday(day));
  return { from, to: addDays(from, 6) };
}

/** Every day of a range, both ends included. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.push(d);
  return days;
}
