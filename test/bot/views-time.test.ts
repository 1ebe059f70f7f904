/**
 * Time in the views: "today/tomorrow" in the school's zone (a question at 23:30 and 00:30 Moscow
 * time), weekends and holidays skipped, period boundaries, days left with Russian plural forms.
 */
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { Homework } from "../../src/db/models";
import { moscow, plain } from "./views-support";

useTestDb();

let harness: BotHarness;
let fx: SchoolFixture;
let parent: TestUser;

beforeAll(async () => {
  fx = await createSchoolFixture();
  harness = await startBotHarness({ now: moscow("2026-12-03 12:00") });
  parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
}, 60_000);
afterAll(async () => harness.stop());

async function ask(at: string, text: string): Promise<string> {
  harness.setNow(moscow(at));
  return plain(await parent.send(text));
}

async function homeworkTexts(day: string): Promise<string[]> {
  const items = await Homework.find({ classId: fx.classIds.c7a, dueOn: day, $or: [{ groupId: null }, { groupId: fx.groups.eng1 }] }).lean();
  return items.map((h) => h.text);
}

describe("the school's zone", () => {
  test("at 23:30 Moscow time on Thursday, \"завтра\" is Friday", async () => {
    const text = await ask("2026-12-03 23:30", "что задано на завтра?");
    expect(text).toContain("пт, 4 декабря (завтра)");
    for (const item of await homeworkTexts("2026-12-04")) expect(text).toContain(item);
  });

  test("at 00:30 Moscow time on Friday (still Thursday in UTC), \"завтра\" is Saturday: a day off, then Monday", async () => {
    const text = await ask("2026-12-04 00:30", "что задано на завтра?");
    expect(text).toContain("сб, 5 декабря (завтра)\nУроков нет (выходной). Задания на ближайший учебный день:");
    expect(text).toContain("пн, 7 декабря");
    for (const item of await homeworkTexts("2026-12-07")) expect(text).toContain(item);
    expect(await ask("2026-12-04 00:30", "/schedule")).toContain("пт, 4 декабря (сегодня)");
  });

  test("on Friday evening the default homework is Monday's", async () => {
    expect(await ask("2026-12-04 19:00", "/homework")).toContain("пн, 7 декабря\n");
  });

  test("questions about a weekday look ahead for homework and back for grades", async () => {
    expect(await ask("2026-12-03 12:00", "что задано на понедельник")).toContain("пн, 7 декабря");
    expect(await ask("2026-12-03 12:00", "оценки за понедельник")).toContain("Оценки за пн, 30 ноября\n• Алгебра: 5 — ответ на уроке, вес 1");
  });
});

describe("holidays and the next school day", () => {
  test("on the last day before the winter holidays the next school day is after them", async () => {
    const homework = await ask("2026-12-30 15:00", "/homework");
    expect(homework).toContain("вт, 12 января");
    const schedule = await ask("2026-12-30 15:00", "/schedule");
    expect(schedule).toContain("ср, 30 декабря (сегодня)");
    expect(schedule).toContain("вт, 12 января");
  });

  test("during the holidays the timetable says so", async () => {
    const schedule = await ask("2027-01-05 10:00", "расписание на сегодня");
    expect(schedule).toContain("вт, 5 января (сегодня)\nУроков нет: Зимние каникулы.");
  });

  test("a class's own holidays count for that class only", async () => {
    harness.setNow(moscow("2027-02-12 18:00"));
    expect(plain(await parent.send("что задано Маше на понедельник"))).toContain("пн, 15 февраля");
    const alex = plain(await parent.send("что задано Саше на понедельник"));
    expect(alex).toContain("пн, 15 февраля");
    expect(alex).toContain("Уроков нет (Дополнительные каникулы)");
    expect(alex).toContain("пн, 22 февраля");
    const holidays = plain(await parent.send("/holidays"));
    expect(holidays).toContain("Ближайшие: Дополнительные каникулы");
    expect(holidays).toContain("— только для вашего класса");
    await parent.send("оценки Маши"); // Мария is the chosen child again
  });

  test.each([
    ["2026-12-30 12:00", "Начнутся через 1 день."],
    ["2026-12-29 12:00", "Начнутся через 2 дня."],
    ["2026-12-26 12:00", "Начнутся через 5 дней."],
    ["2026-11-30 12:00", "Начнутся через 31 день."],
    ["2026-12-09 12:00", "Начнутся через 22 дня."],
    ["2027-01-05 12:00", "Идут сейчас; осталось 7 дней, считая сегодня."],
    ["2027-01-11 12:00", "Идут сейчас; осталось 1 день, считая сегодня."],
  ])("holidays on %s: %s", async (at, expected) => {
    expect(await ask(at, "/holidays")).toContain(expected);
  });
});

describe("period boundaries", () => {
  test("during the autumn holidays the grades show the finished first quarter", async () => {
    const grades = await ask("2026-10-28 12:00", "/grades");
    expect(grades).toContain("1 четверть (01.09–25.10): по предметам\nПериод закончился; итоговые оценки — /finals.");
    expect(await ask("2026-10-28 12:00", "/forecast")).toContain("1 четверть: период закончился");
  });

  test("the last day of a quarter still belongs to it; the next day of study belongs to the next one", async () => {
    expect(await ask("2026-10-25 12:00", "/forecast")).toContain("Прогноз: 1 четверть (01.09–25.10)");
    expect(await ask("2026-12-30 12:00", "/tests")).toContain("2 четверть (04.11–30.12)");
    expect(await ask("2027-01-12 09:00", "/tests")).toContain("3 четверть (12.01–22.03)");
  });

  test("\"за прошлую четверть\" and \"за год\" pick those periods", async () => {
    expect(await ask("2026-12-03 12:00", "оценки за прошлую четверть")).toContain("1 четверть (01.09–25.10): по предметам");
    expect(await ask("2026-12-03 12:00", "оценки за год")).toContain("2026/27 учебный год (01.09–26.05): по предметам");
    expect(await ask("2026-12-03 12:00", "контрольные в декабре")).toContain("Контрольные за 01.12–31.12");
  });
});
