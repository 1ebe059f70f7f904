/** /settings → Notifications: the person's switches, stored on their own account (never on the shared guardian record). */
import { Account, Guardian } from "../../src/db/models";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";

useTestDb();
let h: BotHarness;
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  h = await startBotHarness();
});
afterAll(() => h.stop());

test("grade mode, toggles and quiet hours", async () => {
  const user = h.user();
  const account = await guardianAccount(fx, user.profile.id, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  const [menu] = await user.send("/settings");
  expect(JSON.stringify(menu.reply_markup)).toContain("st:notify");
  const [view] = await user.press("st:notify");
  expect(view.plain).toContain("Итоговые оценки и результаты экзаменов приходят всегда");
  expect(view.plain).toContain("Оценки: сразу");
  expect(view.plain).toContain("Тихие часы: как в школе (21:00–08:00)");
  const [digest] = await user.press("ns:g");
  expect(digest.plain).toContain("Оценки: раз в день");
  await user.press("ns:t:forecast");
  await user.press("ns:t:homeworkDigest");
  const [quiet] = await user.press("ns:q");
  expect(quiet.plain).toContain("Тихие часы: 22:00–07:00");
  const stored = (await Account.findById(account._id).lean())!.notify;
  expect(stored).toMatchObject({ grades: "digest", forecast: false, homeworkDigest: true, timetable: true, quietHours: { start: "22:00", end: "07:00" } });
  // The journal's record (which a second parent may share) keeps its own settings.
  expect((await Guardian.findById(fx.guardians.parent._id).lean())!.notify).toMatchObject({ grades: "instant", forecast: true });
  expect(user.callbackAnswers().at(-1)).toMatchObject({ text: "Сохранено." });
});

test("a forged toggle name changes nothing", async () => {
  const user = h.user();
  const account = await guardianAccount(fx, user.profile.id, fx.guardians.otherParent, [fx.students.petya]);
  await user.press("ns:t:grades");
  expect((await Account.findById(account._id).lean())!.notify.grades).toBe("instant");
});
