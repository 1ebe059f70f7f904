/** Which week a weekly printout covers, and when the printouts of a school run. */
import { isoWeekday, weekBounds } from "../school-calendar";
import { addDays, schoolDay, zonedInstant } from "../time";

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
