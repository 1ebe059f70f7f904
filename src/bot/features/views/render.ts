/** Small text pieces shared by the views (values escaped here, words from the views namespace). */
import { escapeHtml } from "../../../domain/html";
import { passFailValue } from "../../../domain/grading";
import { formatDay, type DayPattern } from "../../../domain/format";
import { daysBetween } from "../../../domain/school-calendar";
import type { Language, Translate } from "../../../i18n";
import type { ViewContext } from "./types";

export { escapeHtml };

export function day(view: Pick<ViewContext, "lang">, value: string, pattern: DayPattern = "weekdayLong"): string {
  return formatDay(value, view.lang, pattern);
}

/** "<b>чт, 3 декабря</b>" with "(сегодня)"/"(завтра)" when it is. */
export function dayTitle(view: ViewContext, value: string): string {
  const offset = daysBetween(view.scope.today, value);
  const note = offset === 0 ? view.t("views:common.todayNote") : offset === 1 ? view.t("views:common.tomorrowNote") : "";
  return `<b>${escapeHtml(day(view, value))}</b>${note ? ` ${note}` : ""}`;
}

/** "30.11–06.12" (same year) — the compact range of a week or a period. */
export function shortRange(lang: Language, from: string, to: string): string {
  return `${formatDay(from, lang, "short")}–${formatDay(to, lang, "short")}`;
}

/** A range as asked about: one day as "пн, 30 ноября", several as "30.11–06.12". */
export function rangeLabel(view: Pick<ViewContext, "lang">, from: string, to: string): string {
  return from === to ? day(view, from) : shortRange(view.lang, from, to);
}

/** "26 октября – 3 ноября" */
export function longRange(lang: Language, from: string, to: string): string {
  return from === to ? formatDay(from, lang, "long") : `${formatDay(from, lang, "long")} – ${formatDay(to, lang, "long")}`;
}

/** "сегодня", "завтра", "через 5 дней", "вчера", "3 дня назад". */
export function relativeDay(t: Translate, today: string, value: string): string {
  const offset = daysBetween(today, value);
  if (offset === 0) return t("views:common.today");
  if (offset === 1) return t("views:common.tomorrow");
  if (offset === -1) return t("views:common.yesterday");
  return offset > 1 ? t("views:common.inDays", { days: t("units.day", { count: offset }) }) : t("views:common.daysAgo", { days: t("units.day", { count: -offset }) });
}

/** A value from the journal that may be a key of a vocabulary (lesson kinds, test kinds). */
export function vocabulary(t: Translate, group: string, key: string): string {
  return t(`views:${group}.${key}`, { defaultValue: key });
}

/** A link in homework: only http(s) reaches here (URL_RE); the attribute is quoted and escaped. */
export function link(url: string): string {
  const href = escapeHtml(url).replace(/"/g, "&quot;");
  return `<a href="${href}">${escapeHtml(url)}</a>`;
}

/** A grade as shown: digits as they are, "зачёт"/"незачёт" in the user's language (escaped). */
export function gradeText(t: Translate, value: string): string {
  const passFail = passFailValue(value);
  return passFail ? t(`views:common.${passFail}`) : escapeHtml(value);
}
