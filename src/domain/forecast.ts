/**
 * The forecast of regulation 5, per subject: count, weighted average, forecast grade, risks and
 * what would move the grade, as structured data (the bot and the printouts render the words).
 * All "how many 5s" numbers are solved exactly in integers (see grading.ts for the units).
 */
import {
  DEFAULT_GRADING_RULES,
  type FinalMark,
  type GradeEntry,
  type GradingRules,
  type NumericMark,
  type WeightedSum,
  averageHundredths,
  effectiveWeight,
  finalMark,
  formatHundredths,
  numericValue,
  passFailValue,
  thresholdsInHundredths,
  weightLookup,
  weightUnits,
  withAdded,
} from "./grading";

export interface SubjectGrades {
  subjectId: string;
  /** Only used to order subjects with equal standing; never interpreted. */
  subjectName?: string;
  /** The grades of the period being forecast (the caller picks the period). */
  grades: readonly GradeEntry[];
}

/**
 * - `too-few-grades`: fewer counted grades than the school's minimum: risk of "not attested";
 * - `failing`: the forecast grade is 2;
 * - `not-passed`: a pass/fail subject heads for "незачёт".
 */
export type RiskReason = "too-few-grades" | "failing" | "not-passed";

/** "`count` fives of weight `weight` lift it to `toGrade`". */
export interface Lift {
  weight: number;
  count: number;
  toGrade: FinalMark;
}

/** "`count` grades `value` of weight `weight` drop it to `toGrade`". */
export interface Drop {
  value: NumericMark;
  weight: number;
  count: number;
  toGrade: FinalMark;
}

export interface SubjectForecast {
  subjectId: string;
  subjectName?: string;
  /** numeric: at least one numeric grade counts; pass-fail: only зачёт/незачёт; none: nothing counts. */
  kind: "numeric" | "pass-fail" | "none";
  /** Grades counted toward the minimum (numeric ones for numeric subjects, pass/fail otherwise). */
  count: number;
  numericCount: number;
  passCount: number;
  failCount: number;
  /** Grades of weight 0 (school override): shown, never counted. */
  ignoredCount: number;
  /** Weighted average with 2 decimals, never rounded up across a threshold; null without numeric grades. */
  average: number | null;
  averageText: string | null;
  /** Forecast grade by the thresholds; null without numeric grades. */
  grade: FinalMark | null;
  /** Forecast of a pass/fail-only subject; null otherwise. */
  passFail: "зачёт" | "незачёт" | null;
  atRisk: boolean;
  riskReasons: RiskReason[];
  /** Distance to the next threshold up (rounded up to 0.01) and above the current one (rounded down). */
  margin: { up: number | null; down: number | null };
  /** The subject's most common effective weight (ties: the smaller one); null without numeric grades. */
  commonWeight: number | null;
  /** Fewest 5s that lift the grade: with weight 1 and with the common weight; null when already 5 or impossible. */
  lift: { weight1: Lift | null; commonWeight: Lift | null };
  /** The mildest grade that drops it (see dropBy); null when already 2 or nothing can drop it. */
  drop: { weight1: Drop | null; commonWeight: Drop | null };
  /** Exact sums, for callers who need to simulate more ("what if"). */
  sums: WeightedSum;
}

export function forecastSubject(subject: SubjectGrades, rules: GradingRules = DEFAULT_GRADING_RULES): SubjectForecast {
  const lookup = weightLookup(rules.workTypeWeights);
  const sums = { sum: 0, weight: 0, count: 0 };
  const weights: number[] = [];
  const passFails: { pass: boolean; date: string; order: number }[] = [];
  let ignoredCount = 0;
  subject.grades.forEach((grade, order) => {
    const weight = effectiveWeight(grade, lookup);
    const value = numericValue(grade.value);
    const pf = passFailValue(grade.value);
    if (value === null && pf === null) return; // not a grade value the engine knows
    if (weightUnits(weight) <= 0) {
      ignoredCount += 1;
      return;
    }
    if (value !== null) {
      sums.sum += value * weightUnits(weight);
      sums.weight += weightUnits(weight);
      sums.count += 1;
      weights.push(weight);
    } else {
      passFails.push({ pass: pf === "pass", date: grade.date ?? "", order });
    }
  });

  const passCount = passFails.filter((g) => g.pass).length;
  const failCount = passFails.length - passCount;
  const kind = sums.count > 0 ? "numeric" : passFails.length > 0 ? "pass-fail" : "none";
  const count = kind === "pass-fail" ? passFails.length : sums.count;
  const grade = finalMark(sums, rules.thresholds);
  const hundredths = averageHundredths(sums, rules.thresholds);
  const passFail = kind === "pass-fail" ? passFailForecast(passFails) : null;
  const commonWeight = mostCommon(weights);

  const riskReasons: RiskReason[] = [];
  if (count < rules.minGrades) riskReasons.push("too-few-grades");
  if (grade === 2) riskReasons.push("failing");
  if (passFail === "незачёт") riskReasons.push("not-passed");

  return {
    subjectId: subject.subjectId,
    ...(subject.subjectName === undefined ? {} : { subjectName: subject.subjectName }),
    kind,
    count,
    numericCount: sums.count,
    passCount,
    failCount,
    ignoredCount,
    average: hundredths === null ? null : hundredths / 100,
    averageText: hundredths === null ? null : formatHundredths(hundredths),
    grade,
    passFail,
    atRisk: riskReasons.length > 0,
    riskReasons,
    margin: margins(sums, grade, rules),
    commonWeight,
    lift: {
      weight1: liftBy(sums, 1, rules),
      commonWeight: commonWeight === null ? null : liftBy(sums, commonWeight, rules),
    },
    drop: {
      weight1: dropBy(sums, 1, rules),
      commonWeight: commonWeight === null ? null : dropBy(sums, commonWeight, rules),
    },
    sums,
  };
}

/**
 * Pass/fail-only subjects forecast "зачёт" when the passes are at least as many as the fails AND
 * the latest one is a pass (a retaken "незачёт" is followed by a pass); otherwise "незачёт". The
 * rule is deliberately cautious: either bad sign is worth a guardian's attention.
 */
function passFailForecast(grades: readonly { pass: boolean; date: string; order: number }[]): "зачёт" | "незачёт" {
  const passes = grades.filter((g) => g.pass).length;
  const latest = grades.reduce((a, b) => (b.date > a.date || (b.date === a.date && b.order > a.order) ? b : a));
  return latest.pass && passes * 2 >= grades.length ? "зачёт" : "незачёт";
}

const NEXT_UP: Record<FinalMark, "five" | "four" | "three" | null> = { 2: "three", 3: "four", 4: "five", 5: null };
const CURRENT: Record<FinalMark, "five" | "four" | "three" | null> = { 2: null, 3: "three", 4: "four", 5: "five" };

function margins(s: WeightedSum, grade: FinalMark | null, rules: GradingRules): SubjectForecast["margin"] {
  if (grade === null) return { up: null, down: null };
  const t = thresholdsInHundredths(rules.thresholds);
  const upKey = NEXT_UP[grade];
  const downKey = CURRENT[grade];
  // In hundredths of a grade: (T·W − 100·S) / W, rounded away from "looks reached".
  const up = upKey === null ? null : Math.ceil((t[upKey] * s.weight - 100 * s.sum) / s.weight) / 100;
  const down = downKey === null ? null : Math.floor((100 * s.sum - t[downKey] * s.weight) / s.weight) / 100;
  return { up, down };
}

/**
 * Fewest 5s of `weight` that reach the next threshold T (hundredths): adding n of them needs
 * n·w·(500 − T) >= T·W − 100·S, so n = ceil((T·W − 100·S) / (w·(500 − T))). Null when the grade
 * is already 5, there are no numeric grades, or T = 5.00 makes it unreachable.
 */
export function liftBy(s: WeightedSum, weight: number, rules: GradingRules = DEFAULT_GRADING_RULES): Lift | null {
  const grade = finalMark(s, rules.thresholds);
  const w = weightUnits(weight);
  if (grade === null || w <= 0) return null;
  const key = NEXT_UP[grade];
  if (key === null) return null;
  const target = thresholdsInHundredths(rules.thresholds)[key];
  if (target >= 500) return null;
  const count = Math.ceil((target * s.weight - 100 * s.sum) / (w * (500 - target)));
  const toGrade = finalMark(withAdded(s, 5, count, weight), rules.thresholds) as FinalMark;
  return { weight, count, toGrade };
}

/**
 * The mildest grade of `weight` that drops the current grade g (threshold T): n grades v drop it
 * when n·w·(T − 100·v) > 100·S − T·W, i.e. n = floor((100·S − T·W) / (w·(T − 100·v))) + 1, for
 * v below T. Picks the highest v that does it with a single grade ("one 3 drops it to 4"), else
 * the 2 with its count ("two 2s drop it to 3"). 1s are not offered: schools rarely give them.
 */
export function dropBy(s: WeightedSum, weight: number, rules: GradingRules = DEFAULT_GRADING_RULES): Drop | null {
  const grade = finalMark(s, rules.thresholds);
  const w = weightUnits(weight);
  if (grade === null || w <= 0) return null;
  const key = CURRENT[grade];
  if (key === null) return null;
  const threshold = thresholdsInHundredths(rules.thresholds)[key];
  const surplus = 100 * s.sum - threshold * s.weight;
  let fallback: Drop | null = null;
  for (const value of [4, 3, 2] as const) {
    if (100 * value >= threshold) continue;
    const count = Math.floor(surplus / (w * (threshold - 100 * value))) + 1;
    const toGrade = finalMark(withAdded(s, value, count, weight), rules.thresholds) as FinalMark;
    const drop = { value, weight, count, toGrade };
    if (count === 1) return drop;
    fallback = drop;
  }
  return fallback;
}

/**
 * Forecasts all subjects of a student: subjects at risk first, then by average ascending
 * (subjects without an average after those with one), then by name.
 */
export function forecastStudent(
  subjects: readonly SubjectGrades[],
  rules: GradingRules = DEFAULT_GRADING_RULES,
): SubjectForecast[] {
  return subjects.map((s) => forecastSubject(s, rules)).sort(compareForecasts);
}

export function compareForecasts(a: SubjectForecast, b: SubjectForecast): number {
  if (a.atRisk !== b.atRisk) return a.atRisk ? -1 : 1;
  if (a.average !== b.average) {
    if (a.average === null) return 1;
    if (b.average === null) return -1;
    return a.average - b.average;
  }
  return (a.subjectName ?? a.subjectId).localeCompare(b.subjectName ?? b.subjectId, "ru");
}

function mostCommon(weights: readonly number[]): number | null {
  const counts = new Map<number, number>();
  for (const w of weights) counts.set(w, (counts.get(w) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [w, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && w < best)) {
      best = w;
      bestCount = n;
    }
  }
  return best;
}
