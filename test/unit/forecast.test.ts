import { DEFAULT_GRADING_RULES, gradingRules, weightedSum, type GradeEntry } from "../../src/domain/grading";
import { dropBy, forecastStudent, forecastSubject, liftBy, type SubjectForecast } from "../../src/domain/forecast";

/** "5:2" = a 5 of weight 2; "4@Д" = a 4 of work type Д; "зачёт#2026-12-01" = dated. */
function grades(specs: string): GradeEntry[] {
  return specs
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((spec) => {
      const [main, date] = spec.split("#");
      const [valueAndWeight, workType] = main.split("@");
      const [value, weight = "1"] = valueAndWeight.split(":");
      return { value, weight: Number(weight), ...(workType ? { workType } : {}), ...(date ? { date } : {}) };
    });
}
const forecast = (specs: string, rules = DEFAULT_GRADING_RULES) => forecastSubject({ subjectId: "x", grades: grades(specs) }, rules);

type Expected = Partial<Pick<SubjectForecast, "kind" | "count" | "averageText" | "grade" | "passFail" | "riskReasons" | "margin" | "commonWeight" | "lift" | "drop" | "ignoredCount">>;

describe("forecastSubject, hand-computed", () => {
  test.each<[string, string, Expected]>([
    [
      "no grades",
      "",
      {
        kind: "none", count: 0, averageText: null, grade: null, passFail: null, riskReasons: ["too-few-grades"],
        margin: { up: null, down: null }, commonWeight: null,
        lift: { weight1: null, commonWeight: null }, drop: { weight1: null, commonWeight: null },
      },
    ],
    [
      // 13/3 = 4.33 -> 4. Lift: n = ceil((450·3 − 100·13)/(1·(500 − 450))) = ceil(50/50) = 1: (13+5)/4 = 4.5.
      // Drop below 3.5: surplus 100·13 − 350·3 = 250. A 3: floor(250/50)+1 = 6 ((13+15)/8 = 3.5 still 4,
      // (13+18)/9 = 3.44); a 2: floor(250/150)+1 = 2 ((13+2)/4 = 3.75, (13+4)/5 = 3.4): "two 2s drop it to 3".
      // Margins: 4.5 − 4.333 = 0.1667 -> 0.17 up; 4.333 − 3.5 = 0.833 -> 0.83 down.
      "4.33 with two 2s to drop",
      "5 4 4",
      {
        kind: "numeric", count: 3, averageText: "4.33", grade: 4, riskReasons: [], margin: { up: 0.17, down: 0.83 },
        commonWeight: 1,
        lift: { weight1: { weight: 1, count: 1, toGrade: 5 }, commonWeight: { weight: 1, count: 1, toGrade: 5 } },
        drop: {
          weight1: { value: 2, weight: 1, count: 2, toGrade: 3 },
          commonWeight: { value: 2, weight: 1, count: 2, toGrade: 3 },
        },
      },
    ],
    [
      // 19/4 = 4.75 -> 5; nothing lifts a 5. Surplus over 4.5: 100·19 − 450·4 = 100.
      // A 4: floor(100/50)+1 = 3 (two 4s: 27/6 = 4.5 still 5); a 3: floor(100/150)+1 = 1: 22/5 = 4.4 -> "one 3 drops it to 4".
      "one 3 drops a 5",
      "5 5 4 5",
      {
        grade: 5, averageText: "4.75", margin: { up: null, down: 0.25 },
        lift: { weight1: null, commonWeight: null },
        drop: {
          weight1: { value: 3, weight: 1, count: 1, toGrade: 4 },
          commonWeight: { value: 3, weight: 1, count: 1, toGrade: 4 },
        },
      },
    ],
    [
      // 9/2 = 4.5: exactly on the threshold -> 5, margin down 0; a single 4 drops it: 13/3 = 4.33.
      "threshold exactly hit",
      "5 4",
      {
        grade: 5, averageText: "4.50", riskReasons: ["too-few-grades"], margin: { up: null, down: 0 },
        drop: {
          weight1: { value: 4, weight: 1, count: 1, toGrade: 4 },
          commonWeight: { value: 4, weight: 1, count: 1, toGrade: 4 },
        },
      },
    ],
    [
      // (5·49 + 4·51)/100 = 4.49 -> 4, 0.01 below five. Lift: ceil((450·100 − 449·100)/50) = ceil(100/50) = 2
      // ((449+10)/102 = 4.5; one 5: 454/101 = 4.495 is not enough). Common weight: 49 and 51 tie, the smaller
      // wins; one 5 of weight 49 gives (449 + 245)/149 = 4.66.
      "4.49 vs 4.5",
      "5:49 4:51",
      {
        grade: 4, averageText: "4.49", margin: { up: 0.01, down: 0.99 }, commonWeight: 49,
        lift: { weight1: { weight: 1, count: 2, toGrade: 5 }, commonWeight: { weight: 49, count: 1, toGrade: 5 } },
      },
    ],
    [
      // A single 2 of weight 10: 2.00 -> 2, at risk twice. Lift to 3 (T = 2.5): with weight 1,
      // n = ceil((250·10 − 100·20)/(1·250)) = ceil(500/250) = 2 ((20+10)/12 = 2.5); with weight 10,
      // n = ceil(500/(10·250)) = 1 and (20+50)/20 = 3.5 jumps to 4.
      "a single 2 with weight 10",
      "2:10",
      {
        kind: "numeric", count: 1, averageText: "2.00", grade: 2, riskReasons: ["too-few-grades", "failing"],
        margin: { up: 0.5, down: null }, commonWeight: 10,
        lift: { weight1: { weight: 1, count: 2, toGrade: 3 }, commonWeight: { weight: 10, count: 1, toGrade: 4 } },
        drop: { weight1: null, commonWeight: null },
      },
    ],
    [
      // (4·2 + 4·2 + 5 + 3·3)/8 = 30/8 = 3.75 -> 4; common weight 2.
      // Lift w1: ceil((450·8 − 100·30)/(1·50)) = ceil(600/50) = 12 ((30+60)/20 = 4.5); w2: 600/(2·50) = 6.
      // Drop: surplus 100·30 − 350·8 = 200. w1: a 3 needs floor(200/50)+1 = 5, a 2 needs floor(200/150)+1 = 2 -> two 2s.
      // w2: a 3 needs floor(200/100)+1 = 3, a 2 needs floor(200/300)+1 = 1: (30+4)/10 = 3.4 -> one 2 of weight 2 -> 3.
      "several weights",
      "4:2 4:2 5 3:3",
      {
        averageText: "3.75", grade: 4, commonWeight: 2, margin: { up: 0.75, down: 0.25 },
        lift: { weight1: { weight: 1, count: 12, toGrade: 5 }, commonWeight: { weight: 2, count: 6, toGrade: 5 } },
        drop: {
          weight1: { value: 2, weight: 1, count: 2, toGrade: 3 },
          commonWeight: { value: 2, weight: 2, count: 1, toGrade: 3 },
        },
      },
    ],
    [
      // The homework 5s weigh 0 by the school's rule: only 3 3 count -> 3.00, two grades: too few; two ignored.
      // Lift w1 to 4 (3.5): ceil((350·2 − 600)/150) = ceil(100/150) = 1: (6+5)/3 = 3.67.
      "weights of 0",
      "5@Д 5@Д 3 3",
      {
        count: 2, ignoredCount: 2, averageText: "3.00", grade: 3, riskReasons: ["too-few-grades"],
        lift: { weight1: { weight: 1, count: 1, toGrade: 4 }, commonWeight: { weight: 1, count: 1, toGrade: 4 } },
      },
    ],
    [
      // (2+2+3)/3 = 2.33 -> 2: failing, enough grades. Lift to 3: ceil((250·3 − 700)/250) = ceil(50/250) = 1: 12/4 = 3.
      "failing",
      "2 2 3",
      { grade: 2, riskReasons: ["failing"], lift: { weight1: { weight: 1, count: 1, toGrade: 3 }, commonWeight: { weight: 1, count: 1, toGrade: 3 } } },
    ],
    ["only pass/fail, all passed", "зачёт зачёт зачёт", { kind: "pass-fail", count: 3, passFail: "зачёт", grade: null, averageText: null, riskReasons: [] }],
    // The latest is a fail: not passed.
    ["only pass/fail, latest failed", "зачёт зачёт незачёт", { passFail: "незачёт", riskReasons: ["not-passed"] }],
    // A retaken fail: the latest pass and passes >= fails.
    ["pass/fail retaken", "зачёт незачёт незачёт зачёт", { passFail: "зачёт", riskReasons: [] }],
    // The latest passes but fails are the majority.
    ["pass/fail mostly failed", "незачёт незачёт зачёт", { passFail: "незачёт", riskReasons: ["not-passed"] }],
    // "Latest" is by date, not by the order the journal sent them.
    ["pass/fail by date", "зачёт#2026-12-02 незачёт#2026-11-20 зачёт#2026-11-10", { passFail: "зачёт" }],
    // Numeric grades decide a mixed subject; its pass/fail grades are only counted.
    ["mixed", "5 5 5 незачёт", { kind: "numeric", count: 3, passFail: null, averageText: "5.00", riskReasons: [] }],
  ])("%s: %s", (_name, specs, expected) => {
    const rules = gradingRules({ workTypeWeights: { д: 0 } });
    expect(forecast(specs, rules)).toMatchObject(expected);
  });

  test.each([
    // minGrades 3: two grades are too few, three are enough; a weight-0 grade does not count.
    ["5 5", 3, ["too-few-grades"]],
    ["5 5 5", 3, []],
    ["5 5 5@Д", 3, ["too-few-grades"]],
    ["5", 1, []],
    ["", 0, []],
    ["зачёт зачёт", 3, ["too-few-grades"]],
  ])("minGrades boundary: %j with minimum %d -> %j", (specs, minGrades, reasons) => {
    const rules = gradingRules({ minGrades, workTypeWeights: { Д: 0 } });
    expect(forecast(specs, rules).riskReasons).toEqual(reasons);
  });

  test("thresholds 5.00 make a five unreachable", () => {
    const rules = gradingRules({ thresholds: { five: 5, four: 3.5, three: 2.5 } });
    // (5+4)/2 = 4.5 -> 4; nothing but all 5s reaches 5.00.
    expect(forecast("5 4", rules).lift.weight1).toBeNull();
  });

  test("liftBy and dropBy answer for any weight", () => {
    // 13/3: a 5 of weight 3 gives (13+15)/6 = 4.67 -> 5 at once.
    expect(liftBy(weightedSum(grades("5 4 4")), 3)).toEqual({ weight: 3, count: 1, toGrade: 5 });
    // 13/3, surplus over 3.5 = 250 (hundredths·weight): a 3 of weight 5 gives (13+15)/8 = 3.5, still 4;
    // a 2 of weight 5: floor(250/(5·150))+1 = 1 -> (13+10)/8 = 2.875 -> 3.
    expect(dropBy(weightedSum(grades("5 4 4")), 5)).toEqual({ value: 2, weight: 5, count: 1, toGrade: 3 });
  });
});

describe("forecastStudent", () => {
  test("subjects at risk first, then by average ascending, subjects without an average last", () => {
    const subjects = [
      { subjectId: "alg", subjectName: "Алгебра", grades: grades("5 5 5") }, // 5.00
      { subjectId: "rus", subjectName: "Русский язык", grades: grades("3 3 4") }, // 3.33
      { subjectId: "his", subjectName: "История", grades: [] }, // no grades: at risk
      { subjectId: "che", subjectName: "Химия", grades: grades("2 2 3") }, // 2.33: failing
      { subjectId: "mus", subjectName: "Музыка", grades: grades("зачёт зачёт зачёт") }, // passed
      { subjectId: "phy", subjectName: "Физика", grades: grades("4 4") }, // 4.00: too few
      { subjectId: "bio", subjectName: "Биология", grades: grades("4 3 3") }, // 3.33, ties with rus by name
    ];
    const order = forecastStudent(subjects).map((f) => f.subjectId);
    expect(order).toEqual(["che", "phy", "his", "bio", "rus", "alg", "mus"]);
  });

  test("an empty list forecasts nothing", () => {
    expect(forecastStudent([])).toEqual([]);
  });
});
