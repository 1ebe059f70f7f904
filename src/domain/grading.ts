/**
 * Grade arithmetic of regulation 4/5: numeric values, effective weights, the weighted average and
 * the final grade by a school's thresholds. Everything that decides a grade is computed in
 * integers: weights are counted in hundredths ("weight units") and thresholds in hundredths, so
 * "average >= 4.5" is the exact test `100·sum >= 450·weight` and never suffers floating noise.
 */

/** A numeric grade. "1" exists in the journal but a final grade is never below 2. */
export type NumericMark = 1 | 2 | 3 | 4 | 5;
/** A final (period) grade: the thresholds map every average to one of these. */
export type FinalMark = 2 | 3 | 4 | 5;
export type PassFail = "pass" | "fail";

/** One grade as the engine needs it (a subset of the journal's grade record). */
export interface GradeEntry {
  /** "5".."1", "зачёт" or "незачёт" (also spelled "зачет"/"незачет"). */
  value: string;
  /** The grade's own weight (the journal sends 1..10). */
  weight: number;
  /** The journal's work type; a school may override the weight per work type. */
  workType?: string;
  /** YYYY-MM-DD; orders pass/fail grades ("the latest"). */
  date?: string;
}

/** Lower bounds of the final grades (inclusive); only 2 decimals count, more are rounded to hundredths. */
export interface Thresholds {
  five: number;
  four: number;
  three: number;
}

/** Work type -> weight. Mongoose hands a Map, JSON a plain object: both are accepted. */
export type WorkTypeWeights = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/** A school's grading rules (School.settings, passed in as plain data). */
export interface GradingRules {
  thresholds: Thresholds;
  /** Fewer counted grades than this in a period: at risk of "not attested". */
  minGrades: number;
  workTypeWeights: WorkTypeWeights;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({ five: 4.5, four: 3.5, three: 2.5 });

export const DEFAULT_GRADING_RULES: Readonly<GradingRules> = Object.freeze({
  thresholds: DEFAULT_THRESHOLDS,
  minGrades: 3,
  workTypeWeights: Object.freeze({}),
});

/** One weight of 1 expressed in weight units (hundredths). */
export const WEIGHT_UNIT = 100;

/** Builds rules from whatever part of a school's settings is at hand; missing parts get defaults. */
export function gradingRules(settings?: {
  thresholds?: Partial<Thresholds> | null;
  minGrades?: number | null;
  workTypeWeights?: WorkTypeWeights | null;
}): GradingRules {
  // Fields are picked one by one: a mongoose subdocument keeps them behind getters, not own keys.
  const t = settings?.thresholds;
  const thresholds = {
    five: t?.five ?? DEFAULT_THRESHOLDS.five,
    four: t?.four ?? DEFAULT_THRESHOLDS.four,
    three: t?.three ?? DEFAULT_THRESHOLDS.three,
  };
  thresholdsInHundredths(thresholds); // throws early on nonsense
  return {
    thresholds,
    minGrades: Math.max(0, Math.floor(settings?.minGrades ?? DEFAULT_GRADING_RULES.minGrades)),
    workTypeWeights: settings?.workTypeWeights ?? {},
  };
}

/** Thresholds in hundredths, checked: 1 <= three < four < five <= 5. */
export interface HundredthThresholds {
  five: number;
  four: number;
  three: number;
}

export function thresholdsInHundredths(t: Thresholds): HundredthThresholds {
  const h = { five: Math.round(t.five * 100), four: Math.round(t.four * 100), three: Math.round(t.three * 100) };
  const ok = [h.five, h.four, h.three].every(Number.isFinite) && h.three >= 100 && h.five <= 500;
  if (!ok || !(h.five > h.four && h.four > h.three)) {
    throw new RangeError(`thresholds must satisfy 1 <= three < four < five <= 5, got ${JSON.stringify(t)}`);
  }
  return h;
}

/** "5".."1" -> 5..1; pass/fail and anything else -> null. */
export function numericValue(value: string): NumericMark | null {
  switch (value.trim()) {
    case "5":
      return 5;
    case "4":
      return 4;
    case "3":
      return 3;
    case "2":
      return 2;
    case "1":
      return 1;
    default:
      return null;
  }
}

/** "зачёт"/"зачет" -> pass, "незачёт"/"незачет" (also "не зачёт") -> fail, else null. */
export function passFailValue(value: string): PassFail | null {
  const v = value.trim().toLowerCase().replace(/ё/g, "е").replace(/\s+/g, "");
  if (v === "зачет") return "pass";
  if (v === "незачет") return "fail";
  return null;
}

/** Work types are compared case-, ё- and space-insensitively: the journal is not consistent. */
export function workTypeKey(workType: string): string {
  return workType.trim().toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ");
}

/** A lookup built once per rules: normalized work type -> weight. */
export type WeightLookup = ReadonlyMap<string, number>;

export function weightLookup(weights: WorkTypeWeights): WeightLookup {
  const entries: [string, number][] =
    weights instanceof Map ? [...weights.entries()] : Object.entries(weights as Record<string, number>);
  return new Map(entries.map(([k, w]) => [workTypeKey(k), w]));
}

/**
 * The weight a grade carries: the school's override for its work type if there is one, else its
 * own weight. Negative or non-finite weights count as 0. A weight of 0 means "ignored": the grade
 * is shown but counts neither toward the average nor toward the minimum number of grades.
 */
export function effectiveWeight(grade: GradeEntry, lookup: WeightLookup): number {
  const override = grade.workType === undefined ? undefined : lookup.get(workTypeKey(grade.workType));
  const w = override ?? grade.weight;
  return Number.isFinite(w) && w > 0 ? w : 0;
}

/** Weight in hundredths (weights with more than 2 decimals are rounded). */
export function weightUnits(weight: number): number {
  return Math.round(weight * WEIGHT_UNIT);
}

/** Exact sums of the numeric grades that count: the average is sum / weight. */
export interface WeightedSum {
  /** Σ value·weightUnits (an integer). */
  sum: number;
  /** Σ weightUnits (an integer); 0 when nothing counts. */
  weight: number;
  /** How many numeric grades counted (weight > 0). */
  count: number;
}

export const EMPTY_SUM: Readonly<WeightedSum> = Object.freeze({ sum: 0, weight: 0, count: 0 });

export function weightedSum(grades: readonly GradeEntry[], weights: WorkTypeWeights = {}): WeightedSum {
  const lookup = weightLookup(weights);
  let sum = 0;
  let weight = 0;
  let count = 0;
  for (const grade of grades) {
    const value = numericValue(grade.value);
    const units = value === null ? 0 : weightUnits(effectiveWeight(grade, lookup));
    if (value === null || units <= 0) continue;
    sum += value * units;
    weight += units;
    count += 1;
  }
  return { sum, weight, count };
}

/** Adds `count` grades of `value` with weight `weight` (weight units are derived). */
export function withAdded(s: WeightedSum, value: NumericMark, count: number, weight: number): WeightedSum {
  const units = weightUnits(weight);
  return { sum: s.sum + value * units * count, weight: s.weight + units * count, count: s.count + count };
}

/** The final grade of an exact average; null when no numeric grade counts. A threshold hit exactly rounds up. */
export function finalMark(s: WeightedSum, thresholds: Thresholds = DEFAULT_THRESHOLDS): FinalMark | null {
  if (s.weight <= 0) return null;
  const t = thresholdsInHundredths(thresholds);
  const scaled = 100 * s.sum; // compared with threshold·weight, both in hundredths·units
  if (scaled >= t.five * s.weight) return 5;
  if (scaled >= t.four * s.weight) return 4;
  if (scaled >= t.three * s.weight) return 3;
  return 2;
}

/**
 * The average in hundredths for display: half-up, except that it never rounds up across a
 * threshold (an average of 4.496 is shown as 4.49 beside a forecast of 4, not as 4.50).
 */
export function averageHundredths(s: WeightedSum, thresholds: Thresholds = DEFAULT_THRESHOLDS): number | null {
  if (s.weight <= 0) return null;
  const rounded = Math.floor((200 * s.sum + s.weight) / (2 * s.weight));
  const t = thresholdsInHundredths(thresholds);
  for (const threshold of [t.five, t.four, t.three]) {
    if (rounded === threshold && 100 * s.sum < threshold * s.weight) return threshold - 1;
  }
  return rounded;
}

/** The weighted average as a number with 2 decimals (see averageHundredths), or null. */
export function weightedAverage(
  grades: readonly GradeEntry[],
  rules: Pick<GradingRules, "thresholds" | "workTypeWeights"> = DEFAULT_GRADING_RULES,
): number | null {
  const h = averageHundredths(weightedSum(grades, rules.workTypeWeights), rules.thresholds);
  return h === null ? null : h / 100;
}

/** Hundredths -> "4.33" (dot decimal; locale formatting is the caller's business). */
export function formatHundredths(hundredths: number): string {
  const sign = hundredths < 0 ? "-" : "";
  const abs = Math.abs(hundredths);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
