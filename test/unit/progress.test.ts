import { averageTimeline, markCounts } from "../../src/domain/progress";
import { DEFAULT_GRADING_RULES } from "../../src/domain/grading";

const rules = DEFAULT_GRADING_RULES;
const g = (date: string, value: string, weight = 1, workType?: string) => ({ date, value, weight, ...(workType ? { workType } : {}) });

describe("averageTimeline", () => {
  test.each([
    ["nothing", [], []],
    ["one grade", [g("2026-11-05", "4")], [{ date: "2026-11-05", average: 4 }]],
    [
      "weights count; one point per day, after the day's last grade",
      [g("2026-11-05", "5"), g("2026-11-05", "3"), g("2026-11-09", "2", 3)],
      [{ date: "2026-11-05", average: 4 }, { date: "2026-11-09", average: 2.8 }],
    ],
    [
      "unsorted input is put in date order",
      [g("2026-11-09", "3"), g("2026-11-05", "5")],
      [{ date: "2026-11-05", average: 5 }, { date: "2026-11-09", average: 4 }],
    ],
    [
      "pass/fail marks do not count; a day with only them adds no point",
      [g("2026-11-05", "4"), g("2026-11-06", "зачёт"), g("2026-11-07", "5")],
      [{ date: "2026-11-05", average: 4 }, { date: "2026-11-07", average: 4.5 }],
    ],
    [
      "never rounded up across a threshold (4.4967 shows 4.49, as the bot shows it)",
      [...Array.from({ length: 149 }, () => g("2026-11-05", "5")), ...Array.from({ length: 151 }, () => g("2026-11-06", "4"))],
      [{ date: "2026-11-05", average: 5 }, { date: "2026-11-06", average: 4.49 }],
    ],
  ])("%s", (_name, grades, expected) => {
    expect(averageTimeline(grades, rules)).toEqual(expected);
  });

  test("the school's weight for a work type applies", () => {
    const grades = [g("2026-11-05", "5", 1, "Контрольная работа"), g("2026-11-05", "3")];
    expect(averageTimeline(grades, { ...rules, workTypeWeights: { "контрольная работа": 3 } })).toEqual([{ date: "2026-11-05", average: 4.5 }]);
  });
});

test("markCounts counts each mark once, whatever its weight", () => {
  expect(markCounts([g("d", "5", 3), g("d", "5"), g("d", "2"), g("d", "зачет"), g("d", "незачёт"), g("d", "1")])).toEqual({ "5": 2, "4": 0, "3": 0, "2": 1, "1": 1, pass: 1, fail: 1 });
});
