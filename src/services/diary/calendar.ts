/**
 * The school's calendar as a view needs it: the reporting periods and holidays of the current school
 * year (and later), and the questions asked of them through src/domain/school-calendar.ts.
 */
import { Holiday, Period } from "../../db/models";
import { schoolYearStart } from "../../domain/question";
import { addDays } from "../../domain/time";
import {
  holidayOn,
  isSchoolDay,
  isWeekend,
  weekBounds,
  type DayRange,
  nextSchoolDay,
  periodOn,
  type HolidayRange,
  type PeriodOnDay,
  type PeriodRange,
  type WeekOptions,
} from "../../domain/school-calendar";
import type { StudentScope } from "./scope";

export interface PeriodItem extends PeriodRange {
  id: string;
}

export interface HolidayItem extends HolidayRange {
  id: string;
  name: string;
  classIds: string[];
}

/** September 1st of the school year that contains `today`. */
export function schoolYearFirstDay(today: string): string {
  return `${schoolYearStart(today)}-09-01`;
}

/** Records of the scope's school year: ending in it or later, and (last year's scope) starting before its end. */
export function yearFilter(scope: StudentScope): { end: { $gte: string }; start?: { $lte: string } } {
  return { end: { $gte: schoolYearFirstDay(scope.today) }, ...(scope.lastYear ? { start: { $lte: scope.lastYear.to } } : {}) };
}

/** `yearFilter` for records already read (the account's snapshot). */
function inYear(scope: StudentScope, r: { start: string; end: string }): boolean {
  return r.end >= schoolYearFirstDay(scope.today) && (!scope.lastYear || r.start <= scope.lastYear.to);
}

export async function loadPeriods(scope: StudentScope): Promise<PeriodItem[]> {
  const periods = scope.reference
    ? scope.reference.periods.filter((p) => inYear(scope, p))
    : await Period.find({ schoolId: scope.schoolId, ...yearFilter(scope) }).sort({ start: 1 }).lean();
  return periods.map((p) => ({ id: String(p._id), name: p.name, kind: p.kind, start: p.start, end: p.end }));
}

export async function loadHolidays(scope: StudentScope): Promise<HolidayItem[]> {
  const holidays = scope.reference
    ? scope.reference.holidays.filter((h) => inYear(scope, h))
    : await Holiday.find({ schoolId: scope.schoolId, ...yearFilter(scope) }).sort({ start: 1 }).lean();
  return holidays.map((h) => ({ id: String(h._id), name: h.name, start: h.start, end: h.end, classIds: (h.classIds ?? []).map(String) }));
}

/** The school's own period kind when the journal sent periods of it; otherwise whatever there is. */
function kindFor(scope: StudentScope, periods: readonly PeriodItem[]): string | undefined {
  return periods.some((p) => p.kind === scope.periodKind) ? scope.periodKind : undefined;
}

/** The reporting period of `day` (or the nearest one, see periodOn). */
export function periodOfDay(scope: StudentScope, periods: readonly PeriodItem[], day = scope.today): PeriodOnDay<PeriodItem> | null {
  return periodOn(day, periods, kindFor(scope, periods));
}

/** The reporting periods of the school's kind, in order (navigation between periods). */
export function reportingPeriods(scope: StudentScope, periods: readonly PeriodItem[]): PeriodItem[] {
  const kind = kindFor(scope, periods);
  const chosen = kind ? periods.filter((p) => p.kind === kind) : periods.filter((p) => p.kind !== "year");
  return chosen.length > 0 ? chosen : [...periods];
}

export interface DayStatus {
  day: string;
  /** The holiday of the child's class on that day, if any. */
  holiday?: string;
  weekend: boolean;
}

export function dayStatus(day: string, holidays: readonly HolidayItem[], classId: string, week: WeekOptions = {}): DayStatus {
  const holiday = holidayOn(day, holidays, classId) as HolidayItem | undefined;
  return { day, weekend: isWeekend(day, week), ...(holiday ? { holiday: holiday.name } : {}) };
}

/** The first school day after `day` for the child's class (weekends and holidays skipped). */
export function nextSchoolDayOf(day: string, holidays: readonly HolidayItem[], classId: string, week: WeekOptions = {}): string | null {
  return nextSchoolDay(day, holidays, classId, week);
}

/** The week of `today`; when no school day is left in it (a weekend, a Friday evening), the next one. */
export function schoolWeekOf(today: string, holidays: readonly HolidayItem[], classId: string, options: WeekOptions = {}): DayRange {
  const week = weekBounds(today);
  for (let day = today; day <= week.to; day = addDays(day, 1)) {
    if (isSchoolDay(day, holidays, classId, options)) return week;
  }
  return weekBounds(addDays(week.to, 1));
}
