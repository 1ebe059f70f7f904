/**
 * Time expressions of a question -> a day range or a reporting period, relative to the school's
 * today. A month or a date without a year belongs to the current school year: September–December
 * of its first calendar year, January–August of the second.
 */
import { addDays, isCalendarDay } from "../time";
import { isoWeekday, weekBounds } from "../school-calendar";
import { atMostOneEdit } from "./fuzzy";
import { matchWord, parsePhrase, type WordPattern } from "./patterns";
import type { Token } from "./text";
import {
  DAY_OFFSET_PHRASES,
  DAY_OFFSET_WORDS,
  FILLER_WORDS,
  MONTH_FORMS,
  MONTH_WORDS,
  PERIOD_WORDS,
  RANGE_END_WORDS,
  RANGE_START_WORDS,
  SHIFT_WORDS,
  WEEKDAY_FORMS,
  WEEK_WORDS,
  YEAR_WORDS,
  type PeriodName,
  type Shift,
} from "./time-lexicon";

export type DayRange = { from: string; to: string };
export type PeriodRef = { period: "current" | "previous" | "year"; kind?: PeriodName };
export type QuestionRange = DayRange | PeriodRef;

/** What the words said, before a bare weekday is resolved (it depends on the question's tense). */
export type TimeSpec =
  | { kind: "days"; range: DayRange }
  | { kind: "weekday"; weekday: number; shift?: Shift }
  | { kind: "period"; ref: PeriodRef };

export interface TimeFound {
  spec: TimeSpec;
  /** Indices of the tokens the expression used. */
  used: number[];
}

const dayWords = DAY_OFFSET_WORDS.map(([w, offset]) => ({ pattern: parsePhrase(w)[0], offset }));
const dayPhrases = DAY_OFFSET_PHRASES.map(([w, offset]) => ({ phrase: parsePhrase(w), offset }));
const shiftWords = SHIFT_WORDS.map(([w, shift]) => ({ pattern: parsePhrase(w)[0], shift }));
const weekWords = WEEK_WORDS.map((w) => parsePhrase(w)[0]);
const monthWords = MONTH_WORDS.map((w) => parsePhrase(w)[0]);
const periodWords = PERIOD_WORDS.map(([w, name]) => ({ pattern: parsePhrase(w)[0], name }));
const weekdayByForm = invert(WEEKDAY_FORMS);
const monthByForm = invert(MONTH_FORMS);

function invert(table: Readonly<Record<number, readonly string[]>>): Map<string, number> {
  return new Map(Object.entries(table).flatMap(([n, forms]) => forms.map((f) => [f, Number(n)] as [string, number])));
}

/** The first school-year calendar year of `today` (2026 for 2026-12-03 and for 2027-03-01). */
export function schoolYearStart(today: string): number {
  const [year, month] = today.split("-").map(Number);
  return month >= 9 ? year : year - 1;
}

function dayOfSchoolYear(today: string, month: number, day: number, year?: number): string | null {
  const y = year ?? (month >= 9 ? schoolYearStart(today) : schoolYearStart(today) + 1);
  const iso = `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return isCalendarDay(iso) ? iso : null;
}

function monthRange(year: number, month: number): DayRange {
  const from = `${year}-${String(month).padStart(2, "0")}-01`;
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  return { from, to: addDays(next, -1) };
}

/** Finds the first time expression among the tokens not yet taken. */
export function findTime(tokens: readonly Token[], taken: readonly boolean[], today: string): TimeFound | null {
  const free = (i: number) => i >= 0 && i < tokens.length && !taken[i];
  const word = (i: number) => (free(i) ? tokens[i].text : "");
  const is = (i: number, patterns: readonly WordPattern[]) =>
    free(i) && tokens[i].kind === "word" && patterns.some((p) => matchWord(tokens[i].text, p, "exact"));
  /** The shift word right before i, skipping one preposition ("на этой неделе", "в прошлый вторник"). */
  const shiftBefore = (i: number): { shift: Shift; at: number } | null => {
    for (const at of [i - 1, i - 2]) {
      const found = shiftWords.find((s) => free(at) && matchWord(word(at), s.pattern, "exact"));
      if (found) return { shift: found.shift, at };
      if (!FILLER_WORDS.has(word(at))) return null;
    }
    return null;
  };

  const days: { range: DayRange; used: number[]; bareDay?: number }[] = [];
  let other: TimeFound | null = null;
  const remember = (found: TimeFound) => {
    if (!other) other = found;
  };

  for (let i = 0; i < tokens.length; i++) {
    if (!free(i)) continue;
    const token = tokens[i];
    if (token.kind === "number") {
      const explicit = numericDate(token.text, today);
      if (explicit) {
        days.push({ range: { from: explicit, to: explicit }, used: [i] });
        continue;
      }
      const dayNumber = ordinal(token.text);
      if (dayNumber === null) continue;
      let m = i + 1;
      if (word(m) === "of") m += 1;
      const month = monthAt(m);
      if (month !== null) {
        const { year, used } = yearAfter(m);
        const day = dayOfSchoolYear(today, month, dayNumber, year);
        if (day) days.push({ range: { from: day, to: day }, used: [i, m, ...used] });
        i = Math.max(m, ...used);
      } else if (RANGE_START_WORDS.has(word(i - 1)) && RANGE_END_WORDS.has(word(i + 1))) {
        days.push({ range: { from: "", to: "" }, used: [i], bareDay: dayNumber });
      }
      continue;
    }
    const month = monthAt(i);
    if (month !== null) {
      const dayNumber = free(i + 1) && tokens[i + 1].kind === "number" ? ordinal(tokens[i + 1].text) : null;
      if (dayNumber !== null) {
        const day = dayOfSchoolYear(today, month, dayNumber);
        if (day) days.push({ range: { from: day, to: day }, used: [i, i + 1] });
        i += 1;
      } else {
        const year = month >= 9 ? schoolYearStart(today) : schoolYearStart(today) + 1;
        remember({ spec: { kind: "days", range: monthRange(year, month) }, used: [i] });
      }
      continue;
    }
    const phrase = dayPhrases.find((p) => p.phrase.every((w, k) => free(i + k) && word(i + k) === w.text));
    if (phrase) {
      const day = addDays(today, phrase.offset);
      days.push({ range: { from: day, to: day }, used: phrase.phrase.map((_, k) => i + k) });
      i += phrase.phrase.length - 1;
      continue;
    }
    const offset = dayWords.find((d) => matchWord(token.text, d.pattern, "exact"));
    if (offset) {
      const day = addDays(today, offset.offset);
      days.push({ range: { from: day, to: day }, used: [i] });
      continue;
    }
    const weekday = weekdayByForm.get(token.text);
    if (weekday !== undefined) {
      const shift = shiftBefore(i);
      remember({ spec: { kind: "weekday", weekday, shift: shift?.shift }, used: shift ? [shift.at, i] : [i] });
      continue;
    }
    if (is(i, weekWords)) {
      const shift = shiftBefore(i);
      const step = shift?.shift === "next" ? 7 : shift?.shift === "last" ? -7 : 0;
      remember({ spec: { kind: "days", range: weekBounds(addDays(today, step)) }, used: shift ? [shift.at, i] : [i] });
      continue;
    }
    if (is(i, monthWords)) {
      const shift = shiftBefore(i);
      const [y, m] = today.split("-").map(Number);
      const delta = shift?.shift === "next" ? 1 : shift?.shift === "last" ? -1 : 0;
      const index = y * 12 + (m - 1) + delta;
      const range = monthRange(Math.floor(index / 12), (index % 12) + 1);
      remember({ spec: { kind: "days", range }, used: shift ? [shift.at, i] : [i] });
      continue;
    }
    const period = periodWords.find((p) => token.kind === "word" && matchWord(token.text, p.pattern, "exact"));
    if (period) {
      const shift = shiftBefore(i);
      const ref: PeriodRef = { period: shift?.shift === "last" ? "previous" : "current" };
      if (period.name) ref.kind = period.name;
      remember({ spec: { kind: "period", ref }, used: shift ? [shift.at, i] : [i] });
      continue;
    }
    if (YEAR_WORDS.includes(token.text) && tokens[i - 1]?.kind !== "number") {
      const shift = shiftBefore(i);
      remember({ spec: { kind: "period", ref: { period: "year" } }, used: shift ? [shift.at, i] : [i] });
    }
  }

  return combineDays(days, tokens, today) ?? other;

  function monthAt(i: number): number | null {
    if (!free(i) || tokens[i].kind !== "word") return null;
    const month = monthByForm.get(tokens[i].text);
    if (month === undefined) return null;
    // "may" is a verb far more often than a month.
    if (tokens[i].text === "may" && word(i - 1) !== "in" && tokens[i + 1]?.kind !== "number" && tokens[i - 1]?.kind !== "number") {
      return null;
    }
    return month;
  }

  function yearAfter(i: number): { year?: number; used: number[] } {
    const next = tokens[i + 1];
    if (next?.kind !== "number" || !/^\d{4}$/.test(next.text)) return { used: [] };
    const used = [i + 1];
    if (YEAR_WORDS.includes(word(i + 2))) used.push(i + 2);
    return { year: Number(next.text), used };
  }
}

/** Written forms of time words that a typo may be forgiven in ("завтро", "понедельнек", "декабое"). */
const TYPO_TIME_FORMS: readonly string[] = [
  ...DAY_OFFSET_WORDS.map(([w]) => w).filter((w) => !w.endsWith("*")),
  ...Object.values(WEEKDAY_FORMS).flat(),
  ...Object.values(MONTH_FORMS).flat(),
  ...PERIOD_WORDS.map(([w]) => w).filter((w) => !w.endsWith("*")),
  "неделе",
  "неделю",
  "неделя",
  "недели",
].filter((w) => w.length >= 6);

/**
 * The tokens with time words' typos corrected, for a second look when no time was found. Only
 * words of 6+ letters: shorter ones sit too close to other words ("среди" is not "среды").
 */
export function correctTimeTypos(tokens: readonly Token[], taken: readonly boolean[]): Token[] {
  return tokens.map((t, i) => {
    if (taken[i] || t.kind !== "word" || t.text.length < 6) return t;
    const form = TYPO_TIME_FORMS.find((f) => atMostOneEdit(t.text, f));
    return form === undefined ? t : { ...t, text: form };
  });
}

/** One day, or "с 1 по 5 декабря" / "from Dec 1 to Dec 5" as a range (the first day may omit its month). */
function combineDays(
  days: { range: DayRange; used: number[]; bareDay?: number }[],
  tokens: readonly Token[],
  today: string,
): TimeFound | null {
  if (days.length === 0) return null;
  const [first, second] = days;
  if (second && second.used[0] > first.used[0]) {
    const between = tokens.slice(Math.max(...first.used) + 1, second.used[0]).map((t) => t.text);
    if (between.some((w) => RANGE_END_WORDS.has(w))) {
      let from = first.range.from;
      if (first.bareDay !== undefined) {
        const [, month] = second.range.from.split("-").map(Number);
        from = dayOfSchoolYear(today, month, first.bareDay) ?? second.range.from;
      }
      const range = from <= second.range.to ? { from, to: second.range.to } : { from: second.range.from, to: from };
      return { spec: { kind: "days", range }, used: [...first.used, ...second.used] };
    }
  }
  const single = days.find((d) => d.bareDay === undefined);
  return single ? { spec: { kind: "days", range: single.range }, used: single.used } : null;
}

/** "12.12", "12.12.2026", "12/12", "2026-12-12" (day first: the Russian order). */
function numericDate(text: string, today: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return isCalendarDay(text) ? text : null;
  const m = /^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$/.exec(text);
  if (!m) return null;
  const year = m[3] === undefined ? undefined : Number(m[3].length === 2 ? `20${m[3]}` : m[3]);
  return dayOfSchoolYear(today, Number(m[2]), Number(m[1]), year);
}

/** "12", "12-го", "12th" -> 12; other numbers -> null. */
function ordinal(text: string): number | null {
  const m = /^(\d{1,2})(?:-?(?:ого|го|ое|е|st|nd|rd|th))?$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= 31 ? n : null;
}

/**
 * Turns what was said into dates. A bare weekday ("в понедельник") means the next such day
 * (strictly after today) for questions about what is coming, and the latest one up to today for
 * grades, which are about the past. "этот/следующий/прошлый понедельник" are the Mondays of this,
 * the next and the previous ISO week.
 */
export function resolveTime(spec: TimeSpec, today: string, pastOriented: boolean): QuestionRange {
  if (spec.kind === "days") return spec.range;
  if (spec.kind === "period") return spec.ref;
  const todayWeekday = isoWeekday(today);
  let day: string;
  if (spec.shift) {
    const week = spec.shift === "next" ? 7 : spec.shift === "last" ? -7 : 0;
    day = addDays(weekBounds(addDays(today, week)).from, spec.weekday - 1);
  } else if (pastOriented) {
    day = addDays(today, -((todayWeekday - spec.weekday + 7) % 7));
  } else {
    day = addDays(today, (spec.weekday - todayWeekday + 7) % 7 || 7);
  }
  return { from: day, to: day };
}
