import { addDays, isCalendarDay, schoolDay, zonedInstant, inZone } from "../../src/domain/time";

describe("school time", () => {
  test.each([
    // 23:30 in Moscow is still the same day there, though UTC says 20:30.
    ["2026-12-01T20:30:00Z", "Europe/Moscow", "2026-12-01"],
    // 21:30 UTC is already the next day in Moscow (UTC+3).
    ["2026-12-01T21:30:00Z", "Europe/Moscow", "2026-12-02"],
    ["2026-12-01T21:30:00Z", "Asia/Vladivostok", "2026-12-02"],
    ["2026-12-01T13:59:00Z", "Asia/Vladivostok", "2026-12-01"],
    ["2026-12-01T14:00:00Z", "Asia/Vladivostok", "2026-12-02"],
  ])("%s in %s is the school day %s", (at, zone, day) => {
    expect(schoolDay(new Date(at), zone)).toBe(day);
  });

  test.each([
    ["2026-02-28", true],
    ["2026-02-29", false],
    ["2028-02-29", true],
    ["2026-13-01", false],
    ["2026-1-01", false],
    ["01.12.2026", false],
  ])("isCalendarDay(%s) is %s", (value, expected) => {
    expect(isCalendarDay(value)).toBe(expected);
  });

  test("addDays crosses months and years", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
  });

  test("zonedInstant is the wall-clock time of the zone", () => {
    expect(zonedInstant("2026-12-01", "08:00", "Europe/Moscow").toISOString()).toBe("2026-12-01T05:00:00.000Z");
    expect(inZone(new Date("2026-12-01T05:00:00Z"), "Europe/Moscow").format("HH:mm")).toBe("08:00");
  });
});
