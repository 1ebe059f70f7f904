/**
 * How a subject went through a period, for the charts: the weighted average after each day with
 * grades (the same average the bot shows, never rounded up across a threshold), and how many of
 * each mark there were. Pure: grades in, numbers out.
 */
import { averageHundredths, numericValue, passFailValue, weightedSum, type GradeEntry, type GradingRules } from "./grading";

export interface AveragePoint {
  /** YYYY-MM-DD: the average counts every grade up to and including this day. */
  date: string;
  average: number;
}

/** The weighted average after each day that has counted grades, in date order. */
export function averageTimeline(grades: readonly GradeEntry[], rules: Pick<GradingRules, "thresholds" | "workTypeWeights">): AveragePoint[] {
  // Only numeric grades move the average: a day with nothing but "зачёт" adds no point.
  const dated = grades.filter((g) => g.date && numericValue(g.value) !== null).sort((a, b) => (a.date! < b.date! ? -1 : a.date! > b.date! ? 1 : 0));
  const points: AveragePoint[] = [];
  for (let i = 0; i < dated.length; i++) {
    const day = dated[i].date!;
    if (dated[i + 1]?.date === day) continue; // the day's last grade closes the day
    const hundredths = averageHundredths(weightedSum(dated.slice(0, i + 1), rules.workTypeWeights), rules.thresholds);
    if (hundredths === null) continue;
    points.push({ date: day, average: hundredths / 100 });
  }
  return points;
}

export const MARKS = ["5", "4", "3", "2", "1"] as const;

export interface MarkCounts {
  "5": number;
  "4": number;
  "3": number;
  "2": number;
  "1": number;
  pass: number;
  fail: number;
}

/** How many of each mark (weights do not matter here: a "5" is one "5"). */
export function markCounts(grades: readonly Pick<GradeEntry, "value">[]): MarkCounts {
  const counts: MarkCounts = { "5": 0, "4": 0, "3": 0, "2": 0, "1": 0, pass: 0, fail: 0 };
  for (const grade of grades) {
    const numeric = numericValue(grade.value);
    if (numeric !== null) counts[String(numeric) as (typeof MARKS)[number]] += 1;
    else {
      const passFail = passFailValue(grade.value);
      if (passFail) counts[passFail] += 1;
    }
  }
  return counts;
}
