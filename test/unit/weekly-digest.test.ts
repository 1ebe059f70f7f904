import { digestQuiet, digestWeeks, weeklyChild, cutText, type WeeklyInput } from "../../src/domain/weekly-digest";

const none: WeeklyInput = { student: "Мария", grades: [], tests: [], homework: [], forecastBefore: [], forecastNow: [], recommendations: [] };

describe("the weeks of a digest", () => {
  test.each([
    // [digest day, past week, coming week]
    ["2026-12-06", "2026-11-30..2026-12-06", "2026-12-07..2026-12-13"], // Sunday
    ["2026-12-07", "2026-12-01..2026-12-07", "2026-12-08..2026-12-14"], // a Monday digest
    ["2027-01-03", "2026-12-28..2027-01-03", "2027-01-04..2027-01-10"], // across the new year
  ])("%s: past %s, coming %s", (day, past, coming) => {
    const w = digestWeeks(day);
    expect(`${w.past.from}..${w.past.to}`).toBe(past);
    expect(`${w.coming.from}..${w.coming.to}`).toBe(coming);
  });
});

describe("holidays keep the digest quiet", () => {
  const holidays = [
    { start: "2026-12-31", end: "2027-01-11" },
    { start: "2027-02-15", end: "2027-02-21", classIds: ["1А"] },
  ];
  test.each([
    ["2027-01-03", "7А", true],
    ["2027-01-10", "7А", true],
    ["2027-01-17", "7А", false],
    ["2027-02-21", "1А", true], // the first graders' extra week
    ["2027-02-21", "7А", false],
  ])("%s for %s: quiet %s", (day, cls, quiet) => {
    expect(digestQuiet(day, holidays, cls)).toBe(quiet);
  });
});

describe("what a child's digest says", () => {
  test.each<[string, Partial<WeeklyInput>, string | null]>([
    ["nothing at all", {}, null],
    ["grades only, by subject, in date order", { grades: [{ subject: "Физика", date: "2026-12-03", value: "4" }, { subject: "Алгебра", date: "2026-12-02", value: "3" }, { subject: "Алгебра", date: "2026-12-01", value: "5" }] }, "grades=Алгебра:5,3;Физика:4"],
    ["a forecast that did not move is not news", { forecastBefore: [{ subject: "Алгебра", grade: 4 }], forecastNow: [{ subject: "Алгебра", grade: 4 }] }, null],
    ["a forecast that moved", { forecastBefore: [{ subject: "Алгебра", grade: 4 }, { subject: "Физика", grade: 3 }], forecastNow: [{ subject: "Алгебра", grade: 5 }, { subject: "Физика", grade: 2 }] }, "forecast=Алгебра:4>5;Физика:3>2"],
    ["a subject with no forecast before the week is not a change", { forecastBefore: [], forecastNow: [{ subject: "Химия", grade: 5 }] }, null],
    ["tests and homework of the coming week, by day", { tests: [{ subject: "Физика", date: "2026-12-10", kind: "control" }, { subject: "Алгебра", date: "2026-12-08", kind: "test" }], homework: [{ subject: "История", date: "2026-12-07" }] }, "tests=Алгебра@2026-12-08,Физика@2026-12-10;homework=История@2026-12-07"],
    ["a recommendation alone is worth a message", { recommendations: [{ subject: "Алгебра", teacher: "Соколова", text: "Повторить   дроби" }] }, "recs=Алгебра:Повторить дроби"],
  ])("%s", (_name, input, expected) => {
    const child = weeklyChild({ ...none, ...input });
    if (expected === null) return expect(child).toBeNull();
    const parts: string[] = [];
    if (child!.grades.length) parts.push(`grades=${child!.grades.map((g) => `${g.subject}:${g.values.join(",")}`).join(";")}`);
    if (child!.forecast.length) parts.push(`forecast=${child!.forecast.map((f) => `${f.subject}:${f.from}>${f.to}`).join(";")}`);
    if (child!.tests.length) parts.push(`tests=${child!.tests.map((t) => `${t.subject}@${t.date}`).join(",")}`);
    if (child!.homework.length) parts.push(`homework=${child!.homework.map((t) => `${t.subject}@${t.date}`).join(",")}`);
    if (child!.recommendations.length) parts.push(`recs=${child!.recommendations.map((r) => `${r.subject}:${r.text}`).join(",")}`);
    expect(parts.join(";")).toBe(expected);
  });

  test("long recommendations are cut", () => {
    expect(cutText("а".repeat(300))).toHaveLength(200);
    expect(cutText("коротко")).toBe("коротко");
  });
});
