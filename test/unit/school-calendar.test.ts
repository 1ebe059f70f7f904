import {
  daysOf,
  holidaysOfClass,
  isSchoolDay,
  nextSchoolDay,
  periodOn,
  previousPeriod,
  previousSchoolDay,
  upcomingHolidays,
  weekBounds,
  type HolidayRange,
  type PeriodRange,
} from "../../src/domain/school-calendar";

/** The 2026/27 Russian school year of a school with quarters. */
const HOLIDAYS: HolidayRange[] = [
  { name: "Осенние каникулы", start: "2026-10-26", end: "2026-11-03" },
  { name: "День народного единства", start: "2026-11-04", end: "2026-11-04" },
  { name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
  { name: "Дополнительные каникулы", start: "2027-02-15", end: "2027-02-21", classIds: ["1А", "1Б"] },
  { name: "День защитника Отечества", start: "2027-02-23", end: "2027-02-23" },
  { name: "Международный женский день", start: "2027-03-08", end: "2027-03-08" },
  { name: "Весенние каникулы", start: "2027-03-22", end: "2027-03-28" },
  { name: "Летние каникулы", start: "2027-05-27", end: "2027-08-31" },
];

const QUARTERS: PeriodRange[] = [
  { name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" },
  { name: "2 четверть", kind: "quarter", start: "2026-11-04", end: "2026-12-30" },
  { name: "3 четверть", kind: "quarter", start: "2027-01-12", end: "2027-03-21" },
  { name: "4 четверть", kind: "quarter", start: "2027-03-29", end: "2027-05-26" },
  { name: "Год", kind: "year", start: "2026-09-01", end: "2027-05-26" },
];

describe("school days", () => {
  test.each([
    // [day, class, six-day week, school day?]
    ["2026-12-03", "7А", false, true], // Thursday
    ["2026-12-05", "7А", false, false], // Saturday
    ["2026-12-05", "7А", true, true], // Saturday of a six-day week
    ["2026-12-06", "7А", true, false], // Sunday is never a school day
    ["2026-10-24", "7А", true, true], // the Saturday before the autumn break
    ["2026-10-26", "7А", false, false], // first day of the autumn break
    ["2026-11-03", "7А", false, false], // its last day
    ["2026-11-04", "7А", false, false], // National Unity Day
    ["2026-11-05", "7А", false, true],
    ["2026-12-31", "7А", false, false], // winter break
    ["2027-01-11", "7А", false, false], // its last day, a Monday
    ["2027-01-12", "7А", false, true],
    ["2027-02-15", "1А", false, false], // first graders' February break
    ["2027-02-15", "7А", false, true], // ... is not the seventh grade's
    ["2027-02-15", undefined, false, true], // a class-specific break needs the class
    ["2027-02-23", "7А", false, false],
    ["2027-06-01", "7А", false, false], // summer
  ])("%s for %s (six-day %s): %s", (day, classId, sixDayWeek, expected) => {
    expect(isSchoolDay(day, HOLIDAYS, classId, { sixDayWeek })).toBe(expected);
  });

  test.each([
    // [from, class, six-day week, next school day]
    ["2026-12-03", "7А", false, "2026-12-04"], // Thursday -> Friday
    ["2026-12-04", "7А", false, "2026-12-07"], // Friday -> Monday
    ["2026-12-04", "7А", true, "2026-12-05"], // Friday -> Saturday in a six-day week
    ["2026-10-23", "7А", false, "2026-11-05"], // over the autumn break and 4 November
    ["2026-12-30", "7А", false, "2027-01-12"], // over the winter break
    ["2027-02-12", "1А", false, "2027-02-22"], // over the first graders' break
    ["2027-02-12", "7А", false, "2027-02-15"],
    ["2027-02-22", "7А", false, "2027-02-24"], // over 23 February
    ["2027-03-05", "7А", false, "2027-03-09"], // over the weekend and 8 March
    ["2027-05-26", "7А", false, "2027-09-01"], // over the summer
  ])("after %s for %s (six-day %s): %s", (from, classId, sixDayWeek, expected) => {
    expect(nextSchoolDay(from, HOLIDAYS, classId, { sixDayWeek })).toBe(expected);
  });

  test("previousSchoolDay looks back over weekends and breaks", () => {
    expect(previousSchoolDay("2026-12-07", HOLIDAYS, "7А")).toBe("2026-12-04");
    expect(previousSchoolDay("2026-11-05", HOLIDAYS, "7А")).toBe("2026-10-23");
  });

  test("an endless holiday gives no next school day rather than a loop", () => {
    expect(nextSchoolDay("2026-12-03", [{ start: "2026-01-01", end: "2030-01-01" }])).toBeNull();
  });
});

describe("periods", () => {
  test.each([
    // [day, kind, expected period, relation, days]
    ["2026-12-03", undefined, "2 четверть", "current", 0],
    ["2026-09-01", undefined, "1 четверть", "current", 0], // first day
    ["2026-10-25", undefined, "1 четверть", "current", 0], // last day
    ["2026-10-28", undefined, "1 четверть", "finished", 3], // autumn break: Q1 ended 3 days ago, Q2 in 7
    ["2026-11-02", undefined, "2 четверть", "upcoming", 2], // Q2 in 2 days, Q1 ended 8 days ago
    ["2026-10-30", undefined, "1 четверть", "finished", 5], // 5 days either way: the finished one
    ["2027-01-05", undefined, "2 четверть", "finished", 6], // winter break
    ["2026-08-20", undefined, "1 четверть", "upcoming", 12], // before the year
    ["2027-06-15", undefined, "4 четверть", "finished", 20], // summer
    ["2026-12-03", "year", "Год", "current", 0],
  ])("%s (%s): %s, %s, %d days", (day, kind, name, relation, days) => {
    const found = periodOn(day, QUARTERS, kind);
    expect(found && { name: found.period.name, relation: found.relation, days: found.days }).toEqual({ name, relation, days });
  });

  test("only year periods: the year is used", () => {
    const year = QUARTERS.filter((p) => p.kind === "year");
    expect(periodOn("2026-12-03", year)?.period.name).toBe("Год");
  });

  test("trimesters", () => {
    const trimesters: PeriodRange[] = [
      { name: "1 триместр", kind: "trimester", start: "2026-09-01", end: "2026-11-29" },
      { name: "2 триместр", kind: "trimester", start: "2026-11-30", end: "2027-02-28" },
      { name: "3 триместр", kind: "trimester", start: "2027-03-01", end: "2027-05-26" },
    ];
    expect(periodOn("2026-12-03", trimesters, "trimester")?.period.name).toBe("2 триместр");
  });

  test("no periods: null", () => {
    expect(periodOn("2026-12-03", [])).toBeNull();
  });

  test.each([
    ["2026-12-03", "1 четверть"], // during Q2
    ["2026-10-28", "1 четверть"], // during the break after it
    ["2027-04-10", "3 четверть"],
    ["2026-09-10", null], // nothing before Q1
  ])("previous period of %s: %s", (day, expected) => {
    expect(previousPeriod(day, QUARTERS)?.name ?? null).toBe(expected);
  });
});

describe("holidays", () => {
  test("the next holidays of the seventh grade with days left", () => {
    // 3 Dec -> 31 Dec = 28 days; 31 Dec..11 Jan is 12 days; 3 Dec -> 23 Feb = 28 + 31 + 23 = 82 days.
    const next = upcomingHolidays("2026-12-03", HOLIDAYS, "7А", 2);
    expect(next.map((h) => [h.holiday.name, h.daysLeft, h.lengthDays, h.ongoing])).toEqual([
      ["Зимние каникулы", 28, 12, false],
      ["День защитника Отечества", 82, 1, false],
    ]);
  });

  test("first graders also get their February break", () => {
    // 3 Dec -> 15 Feb = 28 + 31 + 15 = 74 days, 7 days long.
    const next = upcomingHolidays("2026-12-03", HOLIDAYS, "1А", 2);
    expect(next.map((h) => [h.holiday.name, h.daysLeft, h.lengthDays])).toEqual([
      ["Зимние каникулы", 28, 12],
      ["Дополнительные каникулы", 74, 7],
    ]);
  });

  test("a break going on has 0 days left", () => {
    // 26 Oct..3 Nov = 6 + 3 = 9 days.
    const [current] = upcomingHolidays("2026-10-28", HOLIDAYS, "7А");
    expect(current).toMatchObject({ daysLeft: 0, ongoing: true, lengthDays: 9 });
    expect(current.holiday.name).toBe("Осенние каникулы");
  });

  test("the whole year of a class, in order", () => {
    const shuffled = [...HOLIDAYS].reverse();
    expect(holidaysOfClass(shuffled, "7А").map((h) => h.start)).toEqual([
      "2026-10-26",
      "2026-11-04",
      "2026-12-31",
      "2027-02-23",
      "2027-03-08",
      "2027-03-22",
      "2027-05-27",
    ]);
    expect(holidaysOfClass(shuffled, "1Б")).toHaveLength(8);
  });
});

describe("weeks", () => {
  test.each([
    ["2026-12-03", "2026-11-30", "2026-12-06"], // Thursday
    ["2026-11-30", "2026-11-30", "2026-12-06"], // Monday
    ["2026-12-06", "2026-11-30", "2026-12-06"], // Sunday belongs to the week before it (ISO)
    ["2026-12-31", "2026-12-28", "2027-01-03"], // across the new year
    ["2027-01-01", "2026-12-28", "2027-01-03"],
  ])("the week of %s is %s..%s", (day, from, to) => {
    expect(weekBounds(day)).toEqual({ from, to });
  });

  test("daysOf lists a week", () => {
    expect(daysOf(weekBounds("2026-12-31"))).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]);
  });
});
