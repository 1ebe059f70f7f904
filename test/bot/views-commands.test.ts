/**
 * What the five common views cost in database round trips (issue 11: at most four each): the real
 * bot answers a guardian of two children with a year of data, and the driver's command monitoring
 * counts every command of one answer. And the snapshot read with the account never outlives a
 * change: a withdrawal in /privacy is judged on fresh data, and the next view sees it.
 */
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { countCommands } from "../../src/db/command-count";
import { Account, ConsentRecord, School } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
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

test.each([
  ["/grades", "📒 Оценки · Мария, 7А"],
  ["/homework", "Мария, 7А"],
  ["/schedule", "Мария, 7А"],
  ["/forecast", "Мария, 7А"],
  ["/tests", "Мария, 7А"],
])("%s answers with at most four database commands", async (command, header) => {
  await parent.send(command); // the first answer of a process may warm up more than the view itself
  const counter = countCommands();
  try {
    const replies = await parent.send(command);
    expect(plain(replies)).toContain(header);
    expect(counter.total()).toBeLessThanOrEqual(4);
    // Nothing is read twice: the account, its dialog state, children and the school's names come in one aggregate.
    expect(counter.byName().aggregate).toBe(1);
  } finally {
    counter.stop();
  }
});

test("a consent text changed since the guardian agreed is seen on the next update (the snapshot is read per update)", async () => {
  const other = harness.user();
  await guardianAccount(fx, other.profile.id, fx.guardians.parent, [fx.students.maria]);
  expect(plain(await other.send("/grades"))).toContain("Оценки · Мария, 7А");
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.consentTextVersion": "2099-01" } });
  const text = plain(await other.send("/grades"));
  expect(text).not.toContain("Оценки · Мария");
  // Agreeing again (a record of the new version) opens the views on the very next update.
  const account = (await Account.findOne({ telegramId: other.profile.id }).lean())!;
  const version = consentVersionOf((await School.findById(fx.school._id).lean())!);
  await ConsentRecord.create({ accountId: account._id, schoolId: fx.school._id, decision: "granted", form: "telegram", textVersion: version, textHash: consentTextHash(`consent ${version}`) });
  expect(plain(await other.send("/grades"))).toContain("Оценки · Мария, 7А");
  await School.updateOne({ _id: fx.school._id }, { $unset: { "settings.consentTextVersion": 1 } });
});
