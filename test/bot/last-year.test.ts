/**
 * "Прошлый учебный год" in the bot (issue 15): after the journal rolled the school into 2027/28
 * (Мария from 7А to 8А), /grades and /finals carry a button to last year, which shows its periods
 * and finals in the class of that year, and a button back; the callback is checked like any other.
 */
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { School, SchoolClass, Student } from "../../src/db/models";
import { buttonData, inlineButtons, last, moscow, plain } from "./views-support";

useTestDb();

const world = {} as { harness: BotHarness; fx: SchoolFixture; parent: TestUser };

beforeAll(async () => {
  const fx = (world.fx = await createSchoolFixture());
  const c8a = await SchoolClass.create({ schoolId: fx.school._id, externalId: "c-8a", name: "8А", grade: 8 });
  await Student.updateOne({ _id: fx.students.maria._id }, { $set: { classId: c8a._id, groupIds: [] }, $push: { classHistory: { year: "2026/27", classId: fx.classIds.c7a, className: "7А" } } });
  await School.updateOne({ _id: fx.school._id }, { $set: { schoolYear: { current: "2027/28", rolledOverAt: new Date("2027-08-30T10:00:00Z") } } });
  world.harness = await startBotHarness({ now: moscow("2027-09-10 12:00") });
  world.parent = world.harness.user();
  await guardianAccount(fx, world.parent.profile.id, fx.guardians.parent, [fx.students.maria]);
}, 60_000);
afterAll(async () => world.harness.stop());

test("/grades → last year's quarter by subject in 7А → back to this year", async () => {
  const replies = await world.parent.send("/grades");
  expect(plain(replies)).toContain("Мария, 8А");
  const [past] = await world.parent.press(buttonData(last(replies), "📚 Прошлый учебный год"), last(replies));
  expect(past.plain).toContain("Прошлый учебный год 2026/27, 7А");
  expect(past.plain).toMatch(/4 четверть \(01\.04–26\.05\): по предметам/);
  const labels = inlineButtons(past).map((b) => b.text);
  expect(labels).toEqual(expect.arrayContaining(["1 четверть", "2 четверть", "◀ Этот учебный год"]));
  const [q1] = await world.parent.press(buttonData(past, "1 четверть"), past);
  expect(q1.plain).toMatch(/1 четверть \(01\.09–25\.10\): по предметам\nИтоговые оценки этого года — \/finals → «📚 Прошлый учебный год»\.\n• Алгебра: [\d, (×)]+ — средний \d,\d\d/);
  const [back] = await world.parent.press(buttonData(q1, "◀ Этот учебный год"), q1);
  expect(back.plain).not.toContain("Прошлый учебный год");
});

test("/finals: none yet this year; last year's quarters under the button", async () => {
  const replies = await world.parent.send("/finals");
  expect(plain(replies)).not.toContain("1 четверть");
  const [past] = await world.parent.press(buttonData(last(replies), "📚 Прошлый учебный год"), last(replies));
  expect(past.plain).toContain("Прошлый учебный год 2026/27, 7А");
  expect(past.plain).toMatch(/1 четверть \(01\.09–25\.10\)\n• Алгебра: /);
});
