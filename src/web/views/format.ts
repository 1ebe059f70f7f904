/** Small pieces of text shared by the pages: numbers, days and marks as the bot writes them. */
import { formatDay, formatDecimal, type DayPattern } from "../../domain/format";
import { passFailValue } from "../../domain/grading";
import { daysBetween } from "../../domain/school-calendar";
import type { Language, Translate } from "../../i18n";

export interface Fmt {
  t: Translate;
  lang: Language;
}

/** "4,25" in Russian, "4.25" in English: the bot's format. */
export function decimal(f: Fmt, value: number, digits = 2): string {
  return formatDecimal(value, f.lang, digits);
}

export function day(f: Fmt, value: string, pattern: DayPattern = "weekdayLong"): string {
  return formatDay(value, f.lang, pattern);
}

/** "30.11–06.12" */
export function shortRange(f: Fmt, from: string, to: string): string {
  return `${formatDay(from, f.lang, "short")}–${formatDay(to, f.lang, "short")}`;
}

/** A mark as shown: digits as they are, "зачёт"/"незачёт" in the reader's language. */
export function mark(f: Fmt, value: string): string {
  const passFail = passFailValue(value);
  return passFail ? f.t(`views:common.${passFail}`) : value;
}

/** "сегодня", "завтра", "через 5 дней", "вчера", "3 дня назад" (the bot's words). */
export function relativeDay(f: Fmt, today: string, value: string): string {
  const offset = daysBetween(today, value);
  if (offset === 0) return f.t("views:common.today");
  if (offset === 1) return f.t("views:common.tomorrow");
  if (offset === -1) return f.t("views:common.yesterday");
  return offset > 1 ? f.t("views:common.inDays", { days: f.t("units.day", { count: offset }) }) : f.t("views:common.daysAgo", { days: f.t("units.day", { count: -offset }) });
}
