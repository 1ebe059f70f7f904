/** dayjs with the plugins the service needs; every "today" is computed in a school's time zone. */
import dayjs, { type Dayjs } from "dayjs";
import utc from "dayjs/plugin/utc.js";
import timezone from "dayjs/plugin/timezone.js";
import isoWeek from "dayjs/plugin/isoWeek.js";
import customParseFormat from "dayjs/plugin/customParseFormat.js";
import "dayjs/locale/ru.js";
import "dayjs/locale/en.js";

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(isoWeek);
dayjs.extend(customParseFormat);

export { dayjs, type Dayjs };

export const DAY_FORMAT = "YYYY-MM-DD";

/** The moment `at` as seen on the school's wall clock. */
export function inZone(at: Date, timeZone: string): Dayjs {
  return dayjs(at).tz(timeZone);
}

/** The school day (YYYY-MM-DD) that contains the instant `at` in the given zone. */
export function schoolDay(at: Date, timeZone: string): string {
  return inZone(at, timeZone).format(DAY_FORMAT);
}

/** A strict calendar check: "2026-02-30" is not a day. */
export function isCalendarDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && dayjs(value, DAY_FORMAT, true).isValid();
}

/** Adds days to a YYYY-MM-DD without touching time zones. */
export function addDays(day: string, days: number): string {
  return dayjs.utc(day, DAY_FORMAT, true).add(days, "day").format(DAY_FORMAT);
}

/** The instant a wall-clock time (YYYY-MM-DD, HH:mm) happens in the zone. */
export function zonedInstant(day: string, time: string, timeZone: string): Date {
  return dayjs.tz(`${day} ${time}`, "YYYY-MM-DD HH:mm", timeZone).toDate();
}
