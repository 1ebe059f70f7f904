/** The child's holidays: the next (or current) ones with the days left, and the whole school year. */
import { upcomingHolidays, holidaysOfClass, daysBetween } from "../../domain/school-calendar";
import { loadHolidays } from "./calendar";
import type { StudentScope } from "./scope";

export interface HolidayEntry {
  name: string;
  start: string;
  end: string;
  /** Calendar days, both ends included. */
  lengthDays: number;
  /** Extra holidays of some classes only (not the whole school). */
  classOnly: boolean;
  state: "past" | "ongoing" | "ahead";
  /** Days until it starts (ahead), or until it ends counting today (ongoing); 0 for past ones. */
  daysLeft: number;
}

export interface ChildHolidays {
  next: HolidayEntry | null;
  year: HolidayEntry[];
}

export async function holidaysOf(scope: StudentScope): Promise<ChildHolidays> {
  const all = await loadHolidays(scope);
  const classId = String(scope.classId);
  const entry = (h: (typeof all)[number]): HolidayEntry => {
    const state = h.end < scope.today ? "past" : h.start <= scope.today ? "ongoing" : "ahead";
    return {
      name: h.name,
      start: h.start,
      end: h.end,
      lengthDays: daysBetween(h.start, h.end) + 1,
      classOnly: h.classIds.length > 0,
      state,
      daysLeft: state === "ahead" ? daysBetween(scope.today, h.start) : state === "ongoing" ? daysBetween(scope.today, h.end) + 1 : 0,
    };
  };
  const [next] = upcomingHolidays(scope.today, all, classId, 1);
  return { next: next ? entry(next.holiday) : null, year: holidaysOfClass(all, classId).map(entry) };
}
