/** "📊 График" under /grades and /forecast: the period's chart as a PNG picture, access checked on every press. */
import { averagesChartSize } from "../../src/charts/averages";
import { Grade } from "../../src/db/models";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { readPng } from "../support/png";
import { buttonData, last, moscow } from "./views-support";

useTestDb();

let fx: SchoolFixture;
let harness: BotHarness;
let parent: TestUser;

beforeAll(async () => {
  fx = await createSchoolFixture();
  harness = await startBotHarness({ now: moscow("2026-12-03 18:00") });
  parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
}, 60_000);
afterAll(() => harness.stop());

/** Subjects of Maria's second quarter with numeric grades: a panel each. */
async function chartedSubjects(): Promise<number> {
  const grades = await Grade.find({ studentId: fx.students.maria._id, date: { $gte: "2026-11-04", $lte: "2026-12-03" }, value: { $in: ["1", "2", "3", "4", "5"] } }).lean();
  return new Set(grades.map((g) => String(g.subjectId))).size;
}

test("under /grades: a PNG of the expected size with a one-line caption", async () => {
  const grades = last(await parent.send("/grades"));
  const data = buttonData(grades, "📊 График");
  expect(data).toBe(`chart:${fx.students.maria._id}:${fx.periods.q2}`);
  const [photo] = await parent.press(data, grades);
  expect(photo.method).toBe("sendPhoto");
  expect(photo.caption).toBe("📊 Мария, 7А: средний балл по предметам, 2 четверть");
  const size = averagesChartSize(await chartedSubjects(), 2);
  const png = readPng(photo.photo!.bytes);
  expect(png.width).toBe(1200);
  expect(png.height).toBe(Math.round((size.height * 1200) / size.width));
  expect(parent.callbackAnswers().at(-1)).not.toHaveProperty("text");
});

test("under /forecast too", async () => {
  const forecast = last(await parent.send("/forecast"));
  const [photo] = await parent.press(buttonData(forecast, "📊 График"), forecast);
  expect(photo.method).toBe("sendPhoto");
  expect(readPng(photo.photo!.bytes).width).toBe(1200);
});

test("another family's child, a period of another school and a malformed button get no picture", async () => {
  const before = harness.fake.sent(parent.profile.id).length;
  await parent.press(`chart:${fx.students.petya._id}:${fx.periods.q2}`);
  expect(parent.callbackAnswers().at(-1)).toMatchObject({ text: "Эти данные недоступны.", show_alert: true });
  await parent.press(`chart:${fx.students.maria._id}:${fx.students.maria._id}`);
  expect(parent.callbackAnswers().at(-1)).toMatchObject({ text: expect.stringMatching(/устарел/) });
  await parent.press("chart:xyz");
  expect(parent.callbackAnswers().at(-1)).toMatchObject({ text: expect.stringMatching(/устарел/) });
  expect(harness.fake.sent(parent.profile.id).length).toBe(before);
});
