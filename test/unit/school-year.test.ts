import { schoolYearRollover } from "../../src/api/schemas/school-year";
import { previousSchoolYear, schoolYearLabel, schoolYearLastDay, schoolYearOfLabel, schoolYearStart, staffRoleLastDay, type PeriodSpan } from "../../src/domain/school-year";

const quarters = (y: number): PeriodSpan[] => [
  { kind: "quarter", start: `${y}-09-01`, end: `${y}-10-25` },
  { kind: "quarter", start: `${y}-11-05`, end: `${y}-12-28` },
  { kind: "quarter", start: `${y + 1}-01-09`, end: `${y + 1}-03-22` },
  { kind: "quarter", start: `${y + 1}-04-01`, end: `${y + 1}-05-26` },
];

describe("the school year", () => {
  test.each([
    ["2026-09-01", 2026],
    ["2026-08-31", 2025],
    ["2027-01-15", 2026],
    ["2026-12-31", 2026],
  ])("%s belongs to the school year that began in %i", (day, year) => {
    expect(schoolYearStart(day)).toBe(year);
  });

  test.each<[string, PeriodSpan[], string]>([
    ["no periods: 31 August", [], "2027-08-31"],
    ["quarters up to May: the last one ends the year", quarters(2026), "2027-05-26"],
    ["a year period wins over the quarters", [...quarters(2026), { kind: "year", start: "2026-09-01", end: "2027-06-30" }], "2027-06-30"],
    ["only the autumn sent so far: 31 August, never December", quarters(2026).slice(0, 2), "2027-08-31"],
    ["periods of other years do not count", quarters(2025), "2027-08-31"],
  ])("%s", (_name, periods, lastDay) => {
    expect(schoolYearLastDay(2026, periods)).toBe(lastDay);
  });
});

describe("how long a staff role lasts", () => {
  const periods = [...quarters(2025), ...quarters(2026)];
  test.each<[string, "grant" | "renew", PeriodSpan[], string]>([
    // Granted during the year: to its end.
    ["2025-10-01", "grant", periods, "2026-05-26"],
    ["2026-05-26", "grant", periods, "2026-05-26"],
    // Granted in the summer (the year is over): to the end of the next one.
    ["2026-06-10", "grant", periods, "2027-05-26"],
    ["2026-07-01", "grant", quarters(2025), "2027-08-31"],
    // Renewed: always the next school year, however often.
    ["2026-05-20", "renew", periods, "2027-05-26"],
    ["2026-06-10", "renew", periods, "2027-05-26"],
    ["2026-08-31", "renew", [], "2027-08-31"],
    ["2026-09-02", "renew", [], "2028-08-31"],
  ])("%s, %s → through %s", (today, mode, list, expected) => {
    expect(staffRoleLastDay(today, list, mode)).toBe(expected);
  });
});

describe("school year labels (the rollover, issue 15)", () => {
  test.each<[string, string, number]>([
    ["2027/28", "2026/27", 2027],
    ["2000/01", "1999/00", 2000],
    ["2099/00", "2098/99", 2099],
  ])("%s: the year before is %s, it starts in %i", (label, previous, start) => {
    expect(previousSchoolYear(label)).toBe(previous);
    expect(schoolYearOfLabel(label)).toBe(start);
    expect(schoolYearLabel(start)).toBe(label);
  });

  test.each<[unknown, boolean]>([
    ["2027/28", true],
    ["2099/00", true],
    ["2027/29", false],
    ["2027-28", false],
    ["27/28", false],
    [2027, false],
  ])("the API's year %p is valid: %s", (year, ok) => {
    expect(schoolYearRollover.safeParse({ year, movers: [] }).success).toBe(ok);
  });
});
