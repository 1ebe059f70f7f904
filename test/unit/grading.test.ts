import {
  DEFAULT_GRADING_RULES,
  averageHundredths,
  effectiveWeight,
  finalMark,
  formatHundredths,
  gradingRules,
  numericValue,
  passFailValue,
  weightLookup,
  weightedAverage,
  weightedSum,
  type GradeEntry,
} from "../../src/domain/grading";

/** "5:2" = a 5 of weight 2; "зачёт" = weight 1; "4@Контрольная работа" = a 4 of that work type. */
function g(spec: string): GradeEntry {
  const [valueAndWeight, workType] = spec.split("@");
  const [value, weight = "1"] = valueAndWeight.split(":");
  return workType === undefined ? { value, weight: Number(weight) } : { value, weight: Number(weight), workType };
}
const grades = (specs: string) => (specs.trim() === "" ? [] : specs.trim().split(/\s+/).map(g));
/** n grades of the same spec. */
const times = (n: number, spec: string) => Array.from({ length: n }, () => spec).join(" ");

describe("grade values", () => {
  test.each([
    ["5", 5],
    ["1", 1],
    [" 4 ", 4],
    ["зачёт", null],
    ["6", null],
    ["", null],
  ])("numericValue(%j) = %j", (value, expected) => {
    expect(numericValue(value)).toBe(expected);
  });

  test.each([
    ["зачёт", "pass"],
    ["зачет", "pass"],
    ["Зачёт", "pass"],
    ["незачёт", "fail"],
    ["не зачёт", "fail"],
    ["незачет", "fail"],
    ["5", null],
  ])("passFailValue(%j) = %j", (value, expected) => {
    expect(passFailValue(value)).toBe(expected);
  });
});

describe("effective weight", () => {
  const lookup = weightLookup({ "Контрольная работа": 3, "домашняя работа": 0 });
  test.each([
    // The override wins over the grade's own weight, matched without regard to case, ё and spaces.
    [{ value: "5", weight: 1, workType: "контрольная  работа" }, 3],
    [{ value: "5", weight: 7, workType: "Контрольная работа" }, 3],
    // Weight 0 by override: ignored.
    [{ value: "5", weight: 2, workType: "Домашняя работа" }, 0],
    // No override for the work type: the grade's own weight.
    [{ value: "5", weight: 2, workType: "Ответ на уроке" }, 2],
    [{ value: "5", weight: 4 }, 4],
    // Nonsense weights count as nothing.
    [{ value: "5", weight: -1 }, 0],
    [{ value: "5", weight: Number.NaN }, 0],
  ])("%j weighs %d", (grade, expected) => {
    expect(effectiveWeight(grade, lookup)).toBe(expected);
  });

  test("a mongoose Map of overrides works like a plain object", () => {
    const map = new Map([["Контрольная работа", 5]]);
    expect(effectiveWeight({ value: "4", weight: 1, workType: "контрольная работа" }, weightLookup(map))).toBe(5);
  });
});

describe("weighted average and final grade (default thresholds 4.5 / 3.5 / 2.5)", () => {
  test.each([
    // [case, grades, overrides, average text, final grade]
    ["no grades", "", {}, null, null],
    ["only pass/fail", "зачёт незачёт зачёт", {}, null, null],
    // (5+4)/2 = 4.5: the threshold exactly hit rounds up.
    ["4.5 exactly", "5 4", {}, "4.50", 5],
    // (5·49 + 4·51)/100 = (245+204)/100 = 4.49 < 4.5.
    ["4.49", "5:49 4:51", {}, "4.49", 4],
    // (5·50 + 4·50)/100 = 4.5.
    ["4.50 by weights", "5:50 4:50", {}, "4.50", 5],
    // (62·5 + 63·4)/125 = 562/125 = 4.496: half-up would show 4.50 beside a 4; it shows 4.49.
    ["4.496 not shown as 4.50", `${times(62, "5")} ${times(63, "4")}`, {}, "4.49", 4],
    // (5+5+4)/3 = 4.666… -> 4.67.
    ["4.67", "5 5 4", {}, "4.67", 5],
    // (5+4+4)/3 = 4.333…
    ["4.33", "5 4 4", {}, "4.33", 4],
    // (2·10 + 5+5+5)/13 = 35/13 = 2.6923…
    ["a single 2 with weight 10", "2:10 5 5 5", {}, "2.69", 3],
    // (5·2 + 4 + 3·3)/6 = 23/6 = 3.8333…
    ["several weights", "5:2 4 3:3", {}, "3.83", 4],
    // (4·1.67 + 3·0.33)/2 = 7.67/2 = 3.835 -> 3.84 (half-up; 3.835 in floating point is 3.8349…).
    ["half-up on x.xx5", "4:1.67 3:0.33", {}, "3.84", 4],
    // (3·1 + 4·1)/2 = 3.5 exactly -> 4.
    ["3.5 exactly", "3 4", {}, "3.50", 4],
    // (2+3)/2 = 2.5 exactly -> 3.
    ["2.5 exactly", "2 3", {}, "2.50", 3],
    // (1+5)/2 = 3.
    ["a 1 counts as 1", "1 5", {}, "3.00", 3],
    // (2+2+3)/3 = 2.333… -> 2.
    ["below 2.5", "2 2 3", {}, "2.33", 2],
    // The 5 of homework weighs 0: only the 2 counts -> 2.00.
    ["weight 0 override", "5@Домашняя_работа 2:5@Контрольная_работа", { домашняя_работа: 0 }, "2.00", 2],
    // 5·1 + 3·3 (override) = 14, weights 1+3 = 4: 14/4 = 3.5 -> 4.
    ["override by work type", "5@Ответ 3@Контрольная", { контрольная: 3 }, "3.50", 4],
    // Every grade weighs 0: nothing counts.
    ["all weights 0", "5@Д 4@Д", { Д: 0 }, null, null],
    // Pass/fail beside numbers is not averaged: (5+4)/2.
    ["pass/fail beside numbers", "5 зачёт 4 незачёт", {}, "4.50", 5],
  ])("%s", (_name, specs, overrides, averageText, final) => {
    const list = grades(specs);
    const sums = weightedSum(list, overrides);
    const h = averageHundredths(sums);
    expect(h === null ? null : formatHundredths(h)).toBe(averageText);
    expect(finalMark(sums)).toBe(final);
    expect(weightedAverage(list, { ...DEFAULT_GRADING_RULES, workTypeWeights: overrides })).toBe(
      averageText === null ? null : Number(averageText),
    );
  });

  test("weight-0 grades are not counted", () => {
    expect(weightedSum(grades("5@Д 4 3"), { Д: 0 }).count).toBe(2);
  });

  test.each([
    // (5+4)/2 = 4.5 < 4.6 -> 4 under stricter thresholds.
    ["5 4", { five: 4.6, four: 3.6, three: 2.6 }, 4],
    // (4+3)/2 = 3.5 < 3.6 -> 3.
    ["4 3", { five: 4.6, four: 3.6, three: 2.6 }, 3],
    // (5+5+4)/3 = 4.666… >= 4.6 -> 5.
    ["5 5 4", { five: 4.6, four: 3.6, three: 2.6 }, 5],
    // 4.4 >= 4.4 -> 5 with a lenient five.
    ["5 5 4 4 4", { five: 4.4, four: 3.5, three: 2.5 }, 5],
  ])("%s with %j is %d", (specs, thresholds, expected) => {
    expect(finalMark(weightedSum(grades(specs)), thresholds)).toBe(expected);
  });

  test("the display never rounds up across a school's own threshold", () => {
    // (4·1 + 5·1.99)/2.99 = 13.95/2.99 = 4.6655… -> half-up 4.67, but five = 4.67 is not reached.
    const sums = weightedSum(grades("4 5:1.99"));
    const thresholds = { five: 4.67, four: 3.5, three: 2.5 };
    expect(finalMark(sums, thresholds)).toBe(4);
    expect(averageHundredths(sums, thresholds)).toBe(466);
  });

  test.each([
    [{ five: 3, four: 3.5, three: 2.5 }],
    [{ five: 5.5, four: 3.5, three: 2.5 }],
    [{ five: 4.5, four: 3.5, three: 0.5 }],
  ])("gradingRules rejects thresholds %j", (thresholds) => {
    expect(() => gradingRules({ thresholds })).toThrow(RangeError);
  });

  test("gradingRules fills in what a school did not set", () => {
    expect(gradingRules({ minGrades: 5 })).toEqual({
      thresholds: { five: 4.5, four: 3.5, three: 2.5 },
      minGrades: 5,
      workTypeWeights: {},
    });
    expect(gradingRules({ thresholds: { five: 4.6 } }).thresholds).toEqual({ five: 4.6, four: 3.5, three: 2.5 });
  });

  test("gradingRules reads thresholds kept behind getters (as in a mongoose subdocument)", () => {
    class Subdocument {
      get five() {
        return 4.6;
      }
      get four() {
        return 3.6;
      }
      get three() {
        return 2.6;
      }
    }
    expect(gradingRules({ thresholds: new Subdocument() }).thresholds).toEqual({ five: 4.6, four: 3.6, three: 2.6 });
  });

  test.each([
    [450, "4.50"],
    [5, "0.05"],
    [300, "3.00"],
    [-17, "-0.17"],
  ])("formatHundredths(%d) = %s", (h, text) => {
    expect(formatHundredths(h)).toBe(text);
  });
});
