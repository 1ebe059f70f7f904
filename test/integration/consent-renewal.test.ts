/**
 * A new consent text (issue 13: "a new consent text gets a new version, and guardians are asked
 * again"): the school's morning tells every guardian who agreed in a messenger to the older text,
 * once, on their messenger, to read the new one and answer; a written consent, a refusal or a
 * guardian who already agreed again hear nothing (the bot asks the outdated ones at their next
 * update: test/bot/views-commands.test.ts). Real Redis, the Mongo stand-in, the fake Bot API and the
 * fake MAX API.
 */
import { Account, ConsentRecord, Delivery, School } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { runSchoolMorning } from "../../src/queue/school-rhythm";
import { changeSchoolSettings } from "../../src/services/school-settings";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { FakeMax } from "../support/fake-max";
import { useNotifyHarness } from "./notify-harness";

const h = useNotifyHarness();
let fx: SchoolFixture;
let max: FakeMax;
let notifier: Awaited<ReturnType<typeof h.start>>;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  max = await FakeMax.start();
  notifier = await h.start({ config: { BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot, MAX_BOT_TOKEN: max.token, MAX_API_ROOT: max.apiRoot } });
});
afterAll(async () => {
  await h.stopNotifier();
  await max.stop();
});

test("after a change of the consent text, those who agreed to the older one are asked once, on their own messenger", async () => {
  const telegram = await guardianAccount(fx, 990_101, fx.guardians.parent, [fx.students.maria]);
  const onMax = await guardianAccount(fx, 990_102, fx.guardians.otherParent, [fx.students.petya]);
  await Account.updateOne({ _id: onMax._id }, { $set: { max: { userId: 8101 }, channelOrder: ["max", "telegram", "email", "sms", "paper"] } });
  const declined = await guardianAccount(fx, 990_103, fx.guardians.parent, [fx.students.alex], { consent: "declined" });
  const oldVersion = consentVersionOf((await School.findById(fx.school._id).lean())!);

  // Nothing changed yet: nobody is told anything.
  expect((await runSchoolMorning(notifier.env, fx.school._id)).consentRenewal).toMatchObject({ version: oldVersion, outdated: 0, planned: 0 });

  const changed = await changeSchoolSettings({ schoolId: fx.school._id, given: [["consent.text", "Также школа передаёт оценки в региональную систему."]], actor: { kind: "cli", name: "test" }, now: new Date() });
  expect(changed).toMatchObject({ status: "applied", consentVersion: { before: oldVersion } });
  const version = consentVersionOf((await School.findById(fx.school._id).lean())!);
  expect(version).not.toBe(oldVersion);

  const first = await runSchoolMorning(notifier.env, fx.school._id);
  expect(first.consentRenewal).toMatchObject({ version, outdated: 2, planned: 2 });
  const tg = await h.fake.waitForMessage(telegram.chatId!, "Обновлён текст согласия");
  expect(tg.plain).toContain(`версия ${version}`);
  expect(tg.plain).toContain("/start");
  await max.waitForMessage(8101, "Обновлён текст согласия");
  expect(h.fake.sent(declined.chatId!).filter((m) => (m.plain ?? "").includes("согласия"))).toHaveLength(0);

  // The next morning: announced already, nothing again.
  expect((await runSchoolMorning(notifier.env, fx.school._id)).consentRenewal).toMatchObject({ outdated: 2, planned: 0 });
  expect(await Delivery.countDocuments({ kind: "consent" })).toBe(2);

  // The Telegram parent agrees to the new text: no longer outdated.
  await ConsentRecord.create({ accountId: telegram._id, schoolId: fx.school._id, decision: "granted", form: "telegram", textVersion: version, textHash: consentTextHash(`consent ${version}`) });
  expect((await runSchoolMorning(notifier.env, fx.school._id)).consentRenewal).toMatchObject({ outdated: 1, planned: 0 });
});
