/** "Прошлый учебный год" in the web cabinet (issue 15): `?year=last` on the grades and finals pages after a rollover. */
import { School, SchoolClass, Student } from "../../src/db/models";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { pageText, startWeb, type WebClient, type WebServer } from "../support/web";

useTestDb();

/** The school after its rollover, the cabinet on 10 September 2027, Olga signed in; `maria` is her child's base path. */
const state = {} as { fx: SchoolFixture; web: WebServer; olga: WebClient; maria: string };

beforeAll(async () => {
  const fx = (state.fx = await createSchoolFixture());
  await guardianAccount(fx, 5501, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  // The journal rolled the school into 2027/28: Maria went from 7А to 8А.
  const c8a = await SchoolClass.create({ schoolId: fx.school._id, externalId: "c-8a", name: "8А", grade: 8 });
  await Student.updateOne({ _id: fx.students.maria._id }, { $set: { classId: c8a._id, groupIds: [] }, $push: { classHistory: { year: "2026/27", classId: fx.classIds.c7a, className: "7А" } } });
  await School.updateOne({ _id: fx.school._id }, { $set: { schoolYear: { current: "2027/28", rolledOverAt: new Date("2027-08-30T10:00:00Z") } } });
  state.web = await startWeb({ now: moscow("2027-09-10 18:00") });
  state.olga = state.web.client();
  await state.olga.signInTelegram(5501);
  state.maria = `/app/c/${fx.students.maria._id}`;
});
afterAll(() => state.web.close());

test("grades: a link to last year, and last year's periods by subject in the class of that year", async () => {
  const { olga, maria, fx } = state;
  const now = await olga.get(`${maria}/grades`);
  expect(now.status).toBe(200);
  expect(now.text).toContain(`href="${maria}/grades?year=last"`);
  const past = await olga.get(`${maria}/grades?year=last`);
  const text = pageText(past.text);
  expect(text).toContain("Прошлый учебный год 2026/27, 7А");
  expect(text).toMatch(/Средний балл по периодам .*Алгебра \d,\d\d \d,\d\d/);
  expect(past.text).toContain(`href="${maria}/grades?year=last&amp;period=${fx.periods.q1}"`);
  expect(pageText((await olga.get(`${maria}/grades?year=last&period=${fx.periods.q1}`)).text)).toContain("1 четверть (01.09–25.10)");
});

test("finals: last year's under ?year=last, not among this year's", async () => {
  const { olga, maria } = state;
  const now = pageText((await olga.get(`${maria}/finals`)).text);
  expect(now).not.toContain("1 четверть");
  const past = pageText((await olga.get(`${maria}/finals?year=last`)).text);
  expect(past).toContain("Прошлый учебный год 2026/27, 7А");
  expect(past).toContain("1 четверть");
});

test("a child without a class history: ?year=last shows the current year", async () => {
  const alex = pageText((await state.olga.get(`/app/c/${state.fx.students.alex._id}/grades?year=last`)).text);
  expect(alex).not.toContain("Прошлый учебный год");
});
