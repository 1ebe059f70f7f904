import { holidayJustEnded, isQuietDay, periodEndWarningDay, periodsClosing, schoolDaysAfter, timetableOfDay, type DayLesson, type LessonOfDay } from "../../src/domain/rhythm";
import type { HolidayRange, PeriodRange } from "../../src/domain/school-calendar";

/** The 2026/27 year of a school with quarters (the journal's calendar). */
const HOLIDAYS: HolidayRange[] = [
  { name: "Осенние каникулы", start: "2026-10-26", end: "2026-11-03" },
  { name: "День народного единства", start: "2026-11-04", end: "2026-11-04" },
  { name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
  { name: "Дополнительные каникулы", start: "2027-02-15", end: "2027-02-21", classIds: ["1А"] },
  { name: "Весенние каникулы", start: "2027-03-20", end: "2027-03-27" }, // Saturday to Saturday
];

const Q2: PeriodRange = { name: "2 четверть", kind: "quarter", start: "2026-11-05", end: "2026-12-30" };
const PERIODS: PeriodRange[] = [
  { name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" },
  Q2,
  { name: "3 четверть", kind: "quarter", start: "2027-01-12", end: "2027-03-19" },
  { name: "Год", kind: "year", start: "2026-09-01", end: "2027-05-26" },
];

describe("quiet days", () => {
  test.each([
    ["2026-10-28", "7А", true], // autumn break
    ["2026-11-04", "7А", true], // a one-day holiday
    ["2026-11-05", "7А", false],
    ["2027-02-16", "1А", true], // the first graders' extra week
    ["2027-02-16", "7А", false], // ... is not the seventh grade's
    ["2026-12-05", "7А", false], // a Saturday is a weekend, not a holiday
  ])("%s for %s: quiet %s", (day, cls, quiet) => {
    expect(isQuietDay(day, HOLIDAYS, cls)).toBe(quiet);
  });
});

describe("the first school day after holidays", () => {
  test.each<[string, string | undefined, boolean, string | null]>([
    // [day, class, six-day week, the holiday that just ended]
    ["2026-11-05", "7А", false, "День народного единства"], // Thursday after the autumn break and 4 November
    ["2026-11-06", "7А", false, null], // the day after that
    ["2027-01-12", "7А", false, "Зимние каникулы"], // Tuesday after the winter break (ended on Monday)
    ["2027-01-11", "7А", false, null], // the last day of the break itself
    ["2027-02-22", "1А", false, "Дополнительные каникулы"], // Monday after the first graders' week (ended on Sunday)
    ["2027-02-22", "7А", false, null], // an ordinary Monday for the seventh grade
    ["2027-03-29", "7А", false, "Весенние каникулы"], // ended on Saturday: a weekend between
    ["2027-03-29", "7А", true, "Весенние каникулы"], // a six-day week, too
    ["2026-12-07", "7А", false, null], // an ordinary Monday: only a weekend before it
    ["2026-12-05", "7А", false, null], // a Saturday is no school day
    ["2026-12-05", "7А", true, null], // a school Saturday after a school Friday
  ])("%s for %s (six-day %s): %s", (day, cls, sixDayWeek, holiday) => {
    expect(holidayJustEnded(day, HOLIDAYS, cls, { sixDayWeek })?.name ?? null).toBe(holiday);
  });
});

describe("school days left in a period", () => {
  test.each([
    ["2026-12-30", "2026-12-30", 0],
    ["2026-12-29", "2026-12-30", 1],
    ["2026-12-25", "2026-12-30", 3], // Friday: Mon 28, Tue 29, Wed 30
    ["2026-12-16", "2026-12-30", 10],
    ["2026-11-02", "2026-11-06", 2], // the break and 4 November do not count
  ])("after %s until %s: %i", (day, end, left) => {
    expect(schoolDaysAfter(day, end, HOLIDAYS)).toBe(left);
  });
});

describe("the day of the period-end warning", () => {
  test.each<[string, number, boolean]>([
    // [day, N, warning today?]
    ["2026-12-16", 10, true], // Wednesday: 10 school days left (17 Dec .. 30 Dec)
    ["2026-12-15", 10, false], // 11 left
    ["2026-12-17", 10, false], // 9 left: the day has passed
    ["2026-12-19", 10, false], // a Saturday
    ["2026-12-23", 5, true],
    ["2026-12-16", 0, false], // 0 turns it off
    ["2026-11-05", 60, true], // N longer than the period: its first school day
    ["2026-11-06", 60, false],
    ["2027-01-05", 10, false], // outside the period
  ])("%s with N = %i: %s", (day, n, due) => {
    expect(periodEndWarningDay(day, Q2, HOLIDAYS, n)).toBe(due);
  });
});

describe("periods whose finals are being gathered", () => {
  test.each<[string, number, string[]]>([
    ["2026-12-30", 30, []], // the last day itself
    ["2026-12-31", 30, []], // a holiday: admins are not bothered
    ["2027-01-12", 30, ["2 четверть"]], // the first school day after
    ["2027-01-12", 10, []], // beyond the window
    ["2027-01-16", 30, []], // a Saturday
    ["2026-11-05", 30, ["1 четверть"]],
    ["2027-05-27", 30, ["Год"]],
  ])("%s (window %i days): %j", (day, windowDays, names) => {
    expect(periodsClosing(day, PERIODS, HOLIDAYS, windowDays).map((p) => p.name)).toEqual(names);
  });

  test("a quarter and the year that end together: the quarter first", () => {
    const periods = [...PERIODS, { name: "4 четверть", kind: "quarter", start: "2027-03-29", end: "2027-05-26" }];
    expect(periodsClosing("2027-05-27", periods, HOLIDAYS, 30).map((p) => p.name)).toEqual(["4 четверть", "Год"]);
  });
});

describe("a child's timetable of the day", () => {
  const DAY = "2027-01-12";
  const lesson = (over: Partial<LessonOfDay>): LessonOfDay => ({ date: DAY, start: "08:30", end: "09:15", subject: "Алгебра", status: "planned", ...over });
  const show = (lines: DayLesson[]) => lines.map((l) => `${l.start} ${l.subject}${l.change ? ` ${l.change}` : ""}${l.substitute ? ` ${l.substitute}` : ""}${l.other ? ` ${l.other.date} ${l.other.start}` : ""}`);
  test.each<[string, LessonOfDay[], string[], string[]]>([
    ["planned lessons by start", [lesson({ start: "09:25", subject: "Физика" }), lesson({})], [], ["08:30 Алгебра", "09:25 Физика"]],
    ["another group's lesson is left out", [lesson({ subject: "Английский", groupId: "g2" }), lesson({ subject: "Английский", groupId: "g1", start: "10:20" })], ["g1"], ["10:20 Английский"]],
    ["cancelled and substituted", [lesson({ status: "cancelled" }), lesson({ start: "09:25", subject: "Физика", status: "substituted", substitute: "Орлов" })], [], ["08:30 Алгебра cancelled", "09:25 Физика substituted Орлов"]],
    ["moved away to another day", [lesson({ status: "moved", movedTo: { date: "2027-01-14", start: "14:20", end: "15:05" } })], [], ["08:30 Алгебра moved-away 2027-01-14 14:20"]],
    ["moved in from another day", [lesson({ date: "2027-01-11", status: "moved", movedTo: { date: DAY, start: "14:20", end: "15:05" } })], [], ["14:20 Алгебра moved-in 2027-01-11 08:30"]],
    ["moved within the day: once, at its new time", [lesson({ status: "moved", movedTo: { date: DAY, start: "13:30", end: "14:15" } })], [], ["13:30 Алгебра moved-in 2027-01-12 08:30"]],
    ["another day's lesson", [lesson({ date: "2027-01-13" })], [], []],
  ])("%s", (_name, lessons, groups, expected) => {
    expect(show(timetableOfDay(DAY, lessons, groups))).toEqual(expected);
  });
});
