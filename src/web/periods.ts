/** Which reporting period a page is about: the one asked for (?period=<id>), else the current one. */
import { periodOfDay, reportingPeriods, type PeriodItem, type StudentScope } from "../services/diary";

export interface ShownPeriod {
  period: PeriodItem;
  relation: "current" | "upcoming" | "finished";
}

export function shownPeriod(scope: StudentScope, periods: readonly PeriodItem[], asked: unknown): ShownPeriod | null {
  const chosen = typeof asked === "string" ? reportingPeriods(scope, periods).find((p) => p.id === asked) : undefined;
  if (chosen) return { period: chosen, relation: chosen.start > scope.today ? "upcoming" : chosen.end < scope.today ? "finished" : "current" };
  const found = periodOfDay(scope, periods);
  return found ? { period: found.period, relation: found.relation } : null;
}

/** The reporting periods begun so far, in order (tabs). */
export function begunPeriods(scope: StudentScope, periods: readonly PeriodItem[]): PeriodItem[] {
  return reportingPeriods(scope, periods).filter((p) => p.start <= scope.today);
}
