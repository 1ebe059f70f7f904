import { forecastStudent } from "../../src/domain/forecast";
import { DEFAULT_GRADING_RULES } from "../../src/domain/grading";
import { riskRowsOf, teacherRiskLists, type RiskRow } from "../../src/domain/period-end";

const g = (...values: string[]) => values.map((value) => ({ value, weight: 1, workType: "ответ" }));

describe("the risks of a student's forecasts", () => {
  test.each<[string, string[], string | null, number]>([
    // [what, grades, risk, count]
    ["no grades", [], "not-attested", 0],
    ["two grades of three (even fives)", ["5", "5"], "not-attested", 2],
    ["one 2: too few comes first", ["2"], "not-attested", 1],
    ["three grades averaging 2.33", ["2", "2", "3"], "two", 3],
    ["four grades averaging 2.50: a 3", ["2", "3"].concat(["2", "3"]), null, 4],
    ["a pass/fail subject heading for незачёт", ["незачёт", "незачёт", "зачёт"], "two", 3],
    ["fine", ["4", "4", "5"], null, 3],
  ])("%s", (_what, grades, risk, count) => {
    const rows = riskRowsOf("s1", "c1", forecastStudent([{ subjectId: "math", grades: g(...grades) }], DEFAULT_GRADING_RULES));
    expect(rows.map((r) => r.risk)[0] ?? null).toBe(risk);
    if (risk) expect(rows[0]).toMatchObject({ studentId: "s1", classId: "c1", subjectId: "math", count });
  });
});

describe("who hears about which student", () => {
  const row = (studentId: string, classId: string, subjectId: string): RiskRow => ({ studentId, classId, subjectId, risk: "two", count: 3, average: "2.00" });
  const rows = [row("maria", "7a", "phys"), row("petya", "7a", "alg"), row("olga", "8b", "alg")];
  const teaching = {
    homeroom: new Map([["7a", ["sokolova"]], ["8b", ["kuznetsov"]]]),
    subject: new Map([["7a/alg", ["kuznetsov"]], ["7a/phys", ["volkova"]], ["8b/alg", ["kuznetsov", "orlov"]]]),
  };
  test.each<[string, string[]]>([
    ["sokolova", ["maria/phys", "petya/alg"]], // homeroom teacher of 7А: the whole class
    ["kuznetsov", ["petya/alg", "olga/alg"]], // algebra in 7А, and homeroom + algebra in 8Б counted once
    ["volkova", ["maria/phys"]],
    ["orlov", ["olga/alg"]],
  ])("%s", (teacher, expected) => {
    expect((teacherRiskLists(rows, teaching).get(teacher) ?? []).map((r) => `${r.studentId}/${r.subjectId}`)).toEqual(expected);
  });
  test("a teacher with nobody at risk gets no list", () => {
    expect(teacherRiskLists(rows, { homeroom: new Map([["5a", ["popova"]]]), subject: new Map() }).has("popova")).toBe(false);
  });
});
