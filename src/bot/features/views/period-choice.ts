/** Which reporting period a view is about: the current one, one chosen by a button, or one asked for. */
import { previousPeriod, type PeriodOnDay } from "../../../domain/school-calendar";
import type { PeriodRef } from "../../../domain/question";
import { periodOfDay, reportingPeriods, type PeriodItem, type StudentScope } from "../../../services/diary";

export interface ChosenPeriod {
  period: PeriodItem;
  relation: PeriodOnDay["relation"];
}

export function currentPeriod(scope: StudentScope, periods: readonly PeriodItem[]): ChosenPeriod | null {
  const found = periodOfDay(scope, periods);
  return found ? { period: found.period, relation: found.relation } : null;
}

export function periodById(scope: StudentScope, periods: readonly PeriodItem[], id: string | undefined): ChosenPeriod | null {
  const period = periods.find((p) => p.id === id);
  if (!period) return null;
  return { period, relation: relationOf(scope.today, period) };
}

/** "за эту четверть", "за прошлую четверть", "за год". */
export function periodByRef(scope: StudentScope, periods: readonly PeriodItem[], ref: PeriodRef): ChosenPeriod | null {
  if (ref.period === "current") return currentPeriod(scope, periods);
  if (ref.period === "previous") {
    const kind = reportingPeriods(scope, periods)[0]?.kind;
    const period = previousPeriod(scope.today, periods, kind);
    return period ? { period, relation: "finished" } : null;
  }
  const year = periods.find((p) => p.kind === "year" && p.start <= scope.today && scope.today <= p.end) ?? wholeYear(periods);
  return year ? { period: year, relation: relationOf(scope.today, year) } : null;
}

function wholeYear(periods: readonly PeriodItem[]): PeriodItem | null {
  if (periods.length === 0) return null;
  const start = periods.reduce((a, p) => (p.start < a ? p.start : a), periods[0].start);
  const end = periods.reduce((a, p) => (p.end > a ? p.end : a), periods[0].end);
  return { id: "year", name: "", kind: "year", start, end };
}

function relationOf(today: string, period: PeriodItem): ChosenPeriod["relation"] {
  return period.start > today ? "upcoming" : period.end < today ? "finished" : "current";
}
