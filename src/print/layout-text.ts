/** How days, ranges, percents and grades are written on paper, in the document's language. */
import type { Translate } from "../i18n";
import { dayjs, DAY_FORMAT } from "../domain/time";
import type { Rate, SheetMark } from "../domain/reports";

const day = (value: string, lang: string) => dayjs.utc(value, DAY_FORMAT, true).locale(lang);

/**
 * "14 сентября 2026" / "14 September 2026".
 */
export function longDay(value: string, lang: string): string {
  return day(value, lang).format("D MMMM YYYY");
}

/** "14.09.2026". */
export function numericDay(value: string, lang: string): string {
  return day(value, lang).format("DD.MM.YYYY");
}

/**
 * "пн 14.09" / "Mo 14.09": a day of the week on the slips.
 */
export function shortDay(value: string, lang: string): string {
  return day(value, lang).format("dd DD.MM");
}

/**
 * "14–18 сентября 2026", "28 сентября – 2 октября 2026", "28 декабря 2026 – 3 января 2027".
 */
export function dayRange(start: string, end: string, lang: string): string {
  const a = day(start, lang);
  const b = day(end, lang);
  if (start === end) return longDay(start, lang);
  if (a.year() !== b.year()) return `${a.format("D MMMM YYYY")} – ${b.format("D MMMM YYYY")}`;
  if (a.month() !== b.month()) return `${a.format("D MMMM")} – ${b.format("D MMMM YYYY")}`;
  return `${a.format("D")}–${b.format("D MMMM YYYY")}`;
}

/** "66,7 %" (ru) / "66.7%" (en); "—" when there is nothing to count. */
export function percent(value: Rate | number | null, lang: string): string {
  const n = typeof value === "number" || value === null ? value : value.percent;
  if (n === null) return "—";
  const text = new Intl.NumberFormat(lang, { maximumFractionDigits: 1, minimumFractionDigits: 0 }).format(n);
  return lang === "ru" ? `${text} %` : `${text}%`;
}

/** A number with the language's decimal sign: 4,25 / 4.25. */
export function decimal(value: number | null, lang: string, digits = 2): string {
  if (value === null) return "—";
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/**
 * A final-grade cell of the summary sheet: "5", "зач", "н/а", "отср.", "" for a missing one.
 */
export function markText(t: Translate, mark: SheetMark): string {
  switch (mark.kind) {
    case "grade":
      return String(mark.value);
    case "missing":
      return "";
    default:
      return t(`reports:marks.${mark.kind}`);
  }
}
