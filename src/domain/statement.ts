/**
 * The written statement's number and date as an admin types them in the bot (/paperconsent): the
 * same rules as the console's form and the service (src/services/paper-consent.ts): a number of 1..100
 * characters, a real calendar day not after the school's today. A date is written the Russian way
 * (`05.12.2026`, `5.12.2026`) or as `2026-12-05`.
 */
import { isCalendarDay } from "./time";

export const STATEMENT_NUMBER_MAX = 100;

export type StatementProblem = "number" | "date" | "dateFuture";
export type Read<T> = { value: T } | { problem: StatementProblem };

export function readStatementNumber(text: string): Read<string> {
  const number = text.trim().replace(/\s+/g, " ");
  return number && number.length <= STATEMENT_NUMBER_MAX ? { value: number } : { problem: "number" };
}

/** The day (YYYY-MM-DD) the text names, checked against `today` (the school's day, YYYY-MM-DD). */
export function readStatementDate(text: string, today: string): Read<string> {
  const typed = text.trim();
  let day: string | null = null;
  const dotted = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(typed);
  if (dotted) {
    const iso = `${dotted[3]}-${dotted[2].padStart(2, "0")}-${dotted[1].padStart(2, "0")}`;
    day = isCalendarDay(iso) ? iso : null;
  } else if (isCalendarDay(typed)) day = typed;
  if (!day) return { problem: "date" };
  if (day > today) return { problem: "dateFuture" };
  return { value: day };
}
