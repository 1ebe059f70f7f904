/** Days (YYYY-MM-DD, already in the school's zone) as people read them, in Russian or English. */
import { dayjs, DAY_FORMAT } from "../time";
import type { FormatLanguage } from "./numbers";

const PATTERNS = {
  /** "чт, 3 декабря" / "Thu, 3 December" */
  weekdayLong: { ru: "dd, D MMMM", en: "ddd, D MMMM" },
  /** "3 декабря" / "3 December" */
  long: { ru: "D MMMM", en: "D MMMM" },
  /** "3 декабря 2026" / "3 December 2026" */
  withYear: { ru: "D MMMM YYYY", en: "D MMMM YYYY" },
  /** "03.12" / "03.12" (the short form Russian schools use in both languages) */
  short: { ru: "DD.MM", en: "DD.MM" },
  /** "чт 03.12" / "Thu 03.12" */
  weekdayShort: { ru: "dd DD.MM", en: "ddd DD.MM" },
  /** "понедельник" / "Monday" */
  weekday: { ru: "dddd", en: "dddd" },
} as const;

export type DayPattern = keyof typeof PATTERNS;

export function formatDay(day: string, language: FormatLanguage, pattern: DayPattern = "long"): string {
  return dayjs.utc(day, DAY_FORMAT, true).locale(language).format(PATTERNS[pattern][language]);
}

/** The wall-clock day and time of an instant in a zone: "3 декабря, 18:05". */
export function formatInstant(at: Date, timeZone: string, language: FormatLanguage): string {
  return dayjs(at).tz(timeZone).locale(language).format(language === "ru" ? "D MMMM, HH:mm" : "D MMMM, HH:mm");
}
