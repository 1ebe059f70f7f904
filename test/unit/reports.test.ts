/** The school's reports as pure computations, against cases computed by hand (numbers in comments). */
import {
  curriculumStats,
  expectedByNow,
  lastScheduledRun,
  missingFinals,
  printoutCron,
  printoutWeek,
  rate,
  schoolDaysBetween,
  sheetMark,
  studentCategory,
  summarySheet,
  type FinalEntry,
  type LessonEntry,
} from "../../src/domain/reports";
import { addDays, schoolDay } from "../../src/domain/time";

const final = (studentId: string, subjectId: string, value: string): FinalEntry => ({ studentId, subjectId, status: "final", value });

describe("rates", () => {
  test.each([
    [2, 6, 33.3],
    [4, 6, 66.7],
    [1, 8, 12.5],
    [5, 5, 100],
    [0, 3, 0],
    [0, 0, null],
  ])("%i of %i = %p %%", (count, of, percent) => {
    expect(rate(count, of)).toEqual({ count, of, percent });
  });
});

describe("summary sheet of a hand-computed class", () => {
  // Subjects: A (5-point), B (5-point), C (pass/fail). st7 has no results at all (new in the class).
  const finals: FinalEntry[] = [
    final("st1", "A", "5"), final("st1", "B", "5"), final("st1", "C", "зачёт"), // excellent
    final("st2", "A", "4"), final("st2", "B", "5"), final("st2", "C", "зачёт"), // good
    final("st3", "A", "3"), final("st3", "B", "4"), final("st3", "C", "зачёт"), // one "3"
    final("st4", "A", "3"), final("st4", "B", "3"), final("st4", "C", "зачет"), // threes (ё or е)
    final("st5", "A", "2"), { studentId: "st5", subjectId: "B", status: "not_attested" }, final("st5", "C", "незачёт"), // not attested
    { studentId: "st6", subjectId: "A", status: "deferred", deferredUntil: "2026-11-20" }, final("st6", "B", "4"), // undecided (C missing)
    final("st8", "A", "2"), final("st8", "B", "3"), final("st8", "C", "зачёт"), // failing
  ];
  const sheet = summarySheet(["st1", "st2", "st3", "st4", "st5", "st6", "st7", "st8"], ["A", "B", "C"], finals);

  test("marks: deferred and not attested are marked, a missing result is missing", () => {
    expect(sheet.marks.get("st6")!.get("A")).toEqual({ kind: "deferred", until: "2026-11-20" });
    expect(sheet.marks.get("st5")!.get("B")).toEqual({ kind: "not_attested" });
    expect(sheet.marks.get("st6")!.get("C")).toEqual({ kind: "missing" });
    expect(sheet.marks.get("st4")!.get("C")).toEqual({ kind: "pass" });
    expect(sheet.marks.get("st5")!.get("C")).toEqual({ kind: "fail" });
  });

  test("subject A: 5,4,3,3,2,2 + deferred + missing → quality 2/6, success 4/6, average 19/6", () => {
    const a = sheet.subjects[0];
    expect(a.distribution).toEqual({ 5: 1, 4: 1, 3: 2, 2: 2, 1: 0, pass: 0, fail: 0, not_attested: 0, deferred: 1, missing: 1 });
    expect(a.quality).toEqual({ count: 2, of: 6, percent: 33.3 });
    expect(a.success).toEqual({ count: 4, of: 6, percent: 66.7 });
    expect(a.average).toBe(3.17);
  });

  test("subject B: not attested counts in both rates as a failure: quality 4/7, success 6/7", () => {
    const b = sheet.subjects[1];
    expect(b.distribution).toMatchObject({ 5: 2, 4: 2, 3: 2, 2: 0, not_attested: 1, missing: 1 });
    expect(b.quality).toEqual({ count: 4, of: 7, percent: 57.1 });
    expect(b.success).toEqual({ count: 6, of: 7, percent: 85.7 });
    expect(b.average).toBe(4);
  });

  test("subject C (pass/fail): no quality rate; success 5 of 6", () => {
    const c = sheet.subjects[2];
    expect(c.distribution).toMatchObject({ pass: 5, fail: 1, missing: 2 });
    expect(c.quality).toEqual({ count: 0, of: 0, percent: null });
    expect(c.success).toEqual({ count: 5, of: 6, percent: 83.3 });
    expect(c.average).toBeNull();
  });

  test("class totals by student: 6 decided, quality 2/6, success 4/6", () => {
    expect(sheet.students).toEqual({
      excellent: 1, good: 1, oneThree: 1, threes: 1, failing: 1, notAttested: 1, undecided: 1,
      quality: { count: 2, of: 6, percent: 33.3 },
      success: { count: 4, of: 6, percent: 66.7 },
    });
  });

  test.each([
    [["5", "зачёт"], "excellent"],
    [["5", "4"], "good"],
    [["4", "3", "5"], "oneThree"],
    [["3", "3"], "threes"],
    [["5", "1"], "failing"],
    [["5", "незачёт"], "failing"],
  ])("a student with %p is %s", (values, category) => {
    expect(studentCategory(values.map((v) => sheetMark(final("x", "y", v))))).toBe(category);
  });

  test("the last of two results of the same subject wins (a corrected final)", () => {
    const corrected = summarySheet(["st1"], ["A"], [final("st1", "A", "3"), final("st1", "A", "4")]);
    expect(corrected.marks.get("st1")!.get("A")).toEqual({ kind: "grade", value: 4 });
  });
});

describe("curriculum statistics of a hand-computed case", () => {
  // September 2026: 22 weekdays, a holiday week 14–18 → 17 school days; before Monday 21: 9.
  const holidays = [{ start: "2026-09-14", end: "2026-09-18" }];
  const period = { start: "2026-09-01", end: "2026-09-30" };
  const lesson = (id: string, subjectId: string, date: string, status: string, extra: Partial<LessonEntry> = {}): LessonEntry => ({ id, subjectId, date, status, kind: "lesson", ...extra });
  const lessons: LessonEntry[] = [
    lesson("a1", "alg", "2026-09-01", "held"),
    lesson("a2", "alg", "2026-09-03", "held", { kind: "test" }),
    lesson("a3", "alg", "2026-09-08", "substituted"),
    lesson("a4", "alg", "2026-09-10", "cancelled"),
    lesson("a5", "alg", "2026-09-11", "planned"), // not marked by the journal
    lesson("a6", "alg", "2026-09-22", "planned"),
    lesson("a7", "alg", "2026-09-24", "moved", { movedToDate: "2026-09-25" }),
    lesson("a8", "alg", "2026-09-29", "planned"),
    lesson("a9", "alg", "2026-09-23", "substituted"), // announced for a later day: still to come
    lesson("e1", "eng", "2026-09-01", "held", { groupId: "g1" }),
    lesson("e2", "eng", "2026-09-08", "held", { groupId: "g1" }),
    lesson("e3", "eng", "2026-09-01", "held", { groupId: "g2" }),
    lesson("e4", "eng", "2026-09-08", "cancelled", { groupId: "g2" }),
    lesson("e5", "eng", "2026-09-03", "held"), // the whole class: counts for both groups
    lesson("m1", "music", "2026-09-02", "held"),
    lesson("x1", "alg", "2026-10-01", "held"), // outside the period
  ];
  const grades = [
    { subjectId: "alg", date: "2026-09-03", value: "5", lessonId: "a2" },
    { subjectId: "alg", date: "2026-09-03", value: "4", lessonId: "a2" },
    { subjectId: "alg", date: "2026-09-03", value: "3", lessonId: "a2" },
    { subjectId: "alg", date: "2026-09-10", value: "2", lessonId: "a4" }, // at a cancelled lesson: not counted
    { subjectId: "alg", date: "2026-09-08", value: "4" }, // no lesson, a held day: counted
    { subjectId: "alg", date: "2026-09-11", value: "2" }, // no lesson, no held lesson that day
    { subjectId: "alg", date: "2026-09-01", value: "зачёт" },
    { subjectId: "eng", date: "2026-09-01", value: "5", studentGroupIds: ["g2"] },
    { subjectId: "eng", date: "2026-09-08", value: "3", studentGroupIds: ["g2"] }, // g2's lesson that day was cancelled
  ];
  const input = {
    period, today: "2026-09-21", classId: "7b", holidays,
    planned: new Map([["alg", 8], ["eng", 6], ["phys", 4]]),
    lessons, grades,
  };
  const rows = curriculumStats(input);
  const row = (subjectId: string, groupId: string | null = null) => rows.find((r) => r.subjectId === subjectId && r.groupId === groupId)!;

  test("school days and the pro-rata expectation", () => {
    expect(schoolDaysBetween(period.start, period.end, holidays, "7b")).toBe(17);
    expect(schoolDaysBetween(period.start, "2026-09-20", holidays, "7b")).toBe(9);
    expect(expectedByNow(8, input)).toBe(4); // floor(8 · 9 / 17) = floor(4.24)
    expect(expectedByNow(8, { ...input, today: "2026-09-01" })).toBe(0);
    expect(expectedByNow(8, { ...input, today: "2026-10-05" })).toBe(8);
  });

  // The same month in a six-day week: Saturdays 5, 12, 19 and 26 are school days too (the holiday
  // week ends on Friday 18) → 21 school days; before Monday 21: 9 + 3 = 12; before Sunday 6: 4 + 1.
  test.each([
    // week, today, planned → school days in the period, elapsed before today, expected
    ["five", "2026-09-21", 7, 17, 9, 3], // floor(7 · 9 / 17) = floor(3.71)
    ["six", "2026-09-21", 7, 21, 12, 4], // floor(7 · 12 / 21) = 4
    ["five", "2026-09-06", 21, 17, 4, 4], // floor(21 · 4 / 17) = floor(4.94)
    ["six", "2026-09-06", 21, 21, 5, 5], // floor(21 · 5 / 21) = 5
    ["six", "2026-09-13", 21, 21, 11, 11], // 9 weekdays and Saturdays 5 and 12
    ["six", "2026-09-20", 21, 21, 12, 12], // the holiday week's Saturday 19 is a school day
    ["six", "2026-09-01", 21, 21, 0, 0],
    ["six", "2026-10-05", 21, 21, 21, 21], // after the period: the whole plan
  ] as const)("a %s-day week, today %s, %i planned: %i school days, %i elapsed, %i expected", (week, today, planned, all, elapsed, expected) => {
    const options = { sixDayWeek: week === "six" };
    expect(schoolDaysBetween(period.start, period.end, holidays, "7b", options)).toBe(all);
    if (today <= period.end) expect(schoolDaysBetween(period.start, addDays(today, -1), holidays, "7b", options)).toBe(elapsed);
    expect(expectedByNow(planned, { ...input, today, week: options })).toBe(expected);
    const stats = curriculumStats({ ...input, today, week: options, planned: new Map([["alg", planned]]) });
    expect(stats.find((r) => r.subjectId === "alg")!.expected).toBe(expected);
  });

  test("algebra: 3 held of 4 expected → behind by 1; kinds, statuses and grades of held lessons", () => {
    expect(row("alg")).toEqual({
      subjectId: "alg", groupId: null, planned: 8, held: 3, substituted: 1, cancelled: 1, moved: 1, unmarked: 1, remaining: 4, expected: 4, behindBy: 1,
      heldByKind: { lesson: 2, test: 1 },
      grades: {
        count: 5,
        distribution: { 5: 1, 4: 2, 3: 1, 2: 0, 1: 0, pass: 1, fail: 0, not_attested: 0, deferred: 0, missing: 0 },
        quality: { count: 3, of: 4, percent: 75 },
        success: { count: 5, of: 5, percent: 100 },
        average: 4,
      },
    });
  });

  test("English in groups: a row per group, whole-class lessons in both", () => {
    expect(rows.filter((r) => r.subjectId === "eng").map((r) => r.groupId)).toEqual(["g1", "g2"]);
    expect(row("eng", "g1")).toMatchObject({ planned: 6, held: 3, cancelled: 0, expected: 3, behindBy: 0 });
    expect(row("eng", "g1").grades.count).toBe(0);
    expect(row("eng", "g2")).toMatchObject({ planned: 6, held: 2, cancelled: 1, expected: 3, behindBy: 1 });
    expect(row("eng", "g2").grades.distribution).toMatchObject({ 5: 1, 3: 0 });
  });

  test("a planned subject with no lessons is behind; a subject with no plan is not judged", () => {
    expect(row("phys")).toMatchObject({ planned: 4, held: 0, expected: 2, behindBy: 2 });
    expect(row("music")).toMatchObject({ planned: null, held: 1, expected: null, behindBy: 0 });
  });

  test("after the period the whole plan is due", () => {
    const after = curriculumStats({ ...input, today: "2026-10-05" });
    expect(after.find((r) => r.subjectId === "alg")).toMatchObject({ expected: 8, held: 4, substituted: 2, behindBy: 4, unmarked: 3, remaining: 0 });
  });
});

describe("missing finals", () => {
  const students = [{ id: "st1", groupIds: ["g1"] }, { id: "st2", groupIds: ["g2"] }, { id: "st3", groupIds: ["g1"] }];
  const subjects = [{ subjectId: "A" }, { subjectId: "E", groupIds: ["g1"] }];
  const finals: FinalEntry[] = [
    final("st1", "A", "5"),
    { studentId: "st1", subjectId: "E", status: "deferred", deferredUntil: "2026-10-01" },
    { studentId: "st2", subjectId: "A", status: "not_attested" },
    final("st3", "E", "4"),
  ];

  test("a missing final, an expired deferral; not attested is a result; a group's subject only for its students", () => {
    expect(missingFinals(students, subjects, finals, "2026-10-30")).toEqual([
      { studentId: "st1", subjectId: "E", problem: "deferral-expired", deferredUntil: "2026-10-01" },
      { studentId: "st3", subjectId: "A", problem: "missing" },
    ]);
  });

  test("a deferral counts until its day has passed", () => {
    expect(missingFinals(students, subjects, finals, "2026-10-01")).toEqual([{ studentId: "st3", subjectId: "A", problem: "missing" }]);
  });
});

describe("the week a printout covers", () => {
  test.each([
    ["2026-09-18", "2026-09-14", "Friday: its own week"],
    ["2026-09-20", "2026-09-14", "Sunday: its own week"],
    ["2026-09-23", "2026-09-21", "Wednesday: its own week"],
    ["2026-09-21", "2026-09-14", "Monday: the week before"],
    ["2026-09-22", "2026-09-14", "Tuesday: the week before"],
    ["2027-01-01", "2026-12-28", "across the new year"],
  ])("%s → week of %s (%s)", (day, start) => {
    const week = printoutWeek(day);
    expect(week.start).toBe(start);
    expect([week.end, week.comingStart, week.comingEnd]).toEqual([addDays(start, 6), addDays(start, 7), addDays(start, 13)]);
  });

  test.each([
    [{ weekday: 5, time: "12:00" }, "0 12 * * 5"],
    [{ weekday: 7, time: "09:30" }, "30 9 * * 0"],
    [{ weekday: 1, time: "08:05" }, "5 8 * * 1"],
  ])("cron of %p is %s", (schedule, cron) => {
    expect(printoutCron(schedule)).toBe(cron);
  });

  const friday = { weekday: 5, time: "12:00" };
  test.each([
    ["Europe/Moscow", "2026-09-18T09:00:00Z", "2026-09-18T09:00:00.000Z"], // Friday 12:00 Moscow = 09:00 UTC
    ["Europe/Moscow", "2026-09-18T08:59:00Z", "2026-09-11T09:00:00.000Z"],
    ["Europe/Moscow", "2026-09-23T10:00:00Z", "2026-09-18T09:00:00.000Z"],
    ["Asia/Vladivostok", "2026-09-18T02:00:00Z", "2026-09-18T02:00:00.000Z"], // Friday 12:00 Vladivostok = 02:00 UTC
    ["Asia/Vladivostok", "2026-09-18T01:59:00Z", "2026-09-11T02:00:00.000Z"],
    ["Asia/Vladivostok", "2026-09-17T23:00:00Z", "2026-09-11T02:00:00.000Z"], // already Friday there, before noon
  ])("in %s at %s the last scheduled run was %s", (zone, now, expected) => {
    expect(lastScheduledRun(new Date(now), zone, friday).toISOString()).toBe(expected);
  });

  test("Monday 08:00 in Vladivostok is Sunday 22:00 UTC: the school's Monday, covering the week before", () => {
    const run = lastScheduledRun(new Date("2026-09-20T22:30:00Z"), "Asia/Vladivostok", { weekday: 1, time: "08:00" });
    expect(run.toISOString()).toBe("2026-09-20T22:00:00.000Z");
    expect(schoolDay(run, "Asia/Vladivostok")).toBe("2026-09-21");
    expect(printoutWeek(schoolDay(run, "Asia/Vladivostok")).start).toBe("2026-09-14");
  });
});
