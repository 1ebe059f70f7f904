/**
 * Quiet hours: no message wakes anyone between `start` and `end` on the school's wall clock; the
 * window may cross midnight (21:00–08:00). Finals wait too: the morning is still far inside 24 h.
 */
import { inZone, zonedInstant, addDays, DAY_FORMAT } from "../../domain/time";

export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: "21:00", end: "08:00" };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The instant quiet hours end if `at` falls inside them, else null. */
export function quietUntil(at: Date, window: QuietHours | null | undefined, timeZone: string): Date | null {
  const w = window ?? DEFAULT_QUIET_HOURS;
  const start = minutes(w.start);
  const end = minutes(w.end);
  if (start === end) return null;
  const local = inZone(at, timeZone);
  const now = local.hour() * 60 + local.minute();
  const today = local.format(DAY_FORMAT);
  if (start < end) return now >= start && now < end ? zonedInstant(today, w.end, timeZone) : null;
  if (now >= start) return zonedInstant(addDays(today, 1), w.end, timeZone);
  if (now < end) return zonedInstant(today, w.end, timeZone);
  return null;
}

/** The guardian's own window when set, else the school's. */
export function quietHoursOf(guardian: { notify?: { quietHours?: QuietHours | null } | null } | null, school: { settings?: { quietHours?: QuietHours | null } | null }): QuietHours {
  const own = guardian?.notify?.quietHours;
  if (own?.start && own?.end) return { start: own.start, end: own.end };
  const school_ = school.settings?.quietHours;
  return school_?.start && school_?.end ? { start: school_.start, end: school_.end } : DEFAULT_QUIET_HOURS;
}
