/**
 * Dialogs cannot be grown without bound (issue #16.4): the 5th unusable answer ends a dialog with
 * a clear message, a dialog takes at most MAX_DIALOG_UPDATES updates, and what passes through
 * (commands) leaves no trace in the stored state.
 */
import { InviteCode, Session } from "../../src/db/models";
import { MAX_DIALOG_UPDATES, MAX_UNUSABLE_ANSWERS } from "../../src/bot/dialog";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { guardianCode, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

const NOW = new Date("2026-11-20T09:00:00Z");
const ENDED = "прерываю этот разговор";

describe("bounded dialogs", () => {
  let harness: BotHarness;
  let school: TestSchool;
  beforeAll(async () => {
    harness = await startBotHarness({ now: NOW });
  });
  afterAll(async () => harness.stop());
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));

  const stateSize = async (userId: number) => JSON.stringify((await Session.findOne({ key: `dialog:${userId}` }).lean())?.value ?? null).length;

  test(`text where a button is expected: ${MAX_UNUSABLE_ANSWERS - 1} hints, then the dialog ends with a clear message`, async () => {
    const parent = harness.user();
    await parent.send("/start");
    for (let i = 1; i < MAX_UNUSABLE_ANSWERS; i++) expect(texts(await parent.send(`да ${"я".repeat(2000)}`))).toContain("ответьте кнопкой");
    const last = texts(await parent.send("да"));
    expect(last).toContain(ENDED);
    expect(last).not.toContain("ответьте кнопкой");
    expect(await Session.countDocuments({ key: `dialog:${parent.profile.id}` })).toBe(0);
    // The next text is no longer the dialog's: it gets the bot's ordinary answer.
    expect(texts(await parent.send("да"))).toContain("Я пока не понял вопрос");
  });

  test("text that is not a code counts; commands in between leave no trace in the state", async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    expect(texts(await parent.send("не помню код"))).toContain("не похоже на код");
    const size = await stateSize(parent.profile.id);
    for (let i = 0; i < 5; i++) await parent.send("/help");
    expect(await stateSize(parent.profile.id)).toBe(size);
    for (let i = 2; i < MAX_UNUSABLE_ANSWERS; i++) expect(texts(await parent.send("не помню код"))).toContain("не похоже на код");
    expect(texts(await parent.send("не помню код"))).toContain(ENDED);
    expect(await Session.countDocuments({ key: `dialog:${parent.profile.id}` })).toBe(0);
  });

  test(`a dialog takes at most ${MAX_DIALOG_UPDATES} updates, however reasonable each one`, async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start"))); // update 1
    const expired = await guardianCode(harness, school);
    await InviteCode.updateMany({}, { $set: { expiresAt: new Date(NOW.getTime() - 1000) } });
    // A real code, only expired: not an unusable answer, but each one is kept in the state.
    for (let update = 2; update <= MAX_DIALOG_UPDATES; update++) expect(texts(await parent.send(expired))).toContain("Срок действия этого кода истёк");
    expect(texts(await parent.send(expired))).toContain("слишком длинным");
    expect(await Session.countDocuments({ key: `dialog:${parent.profile.id}` })).toBe(0);
  }, 60_000);
});
