/**
 * /settings with SMS on in the deployment (SMPP_URL set; issue 14): SMS stands in the person's
 * channel order, may be moved anywhere in it and switched off and on again; without a phone the
 * screen says so. Real update JSON to the real bot against the fake Bot API.
 */
import { Account } from "../../src/db/models";
import { useChannels } from "../../src/services/notify/channels";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { buttonData, linkedParent, makeSchool, type TestSchool } from "./onboarding-support";

useTestDb();

describe("settings: SMS", () => {
  let harness: BotHarness;
  let school: TestSchool;
  const config = { SMPP_URL: "smpp://school:secret@127.0.0.1:2775", SMS_SOURCE: "School42" };
  beforeAll(async () => {
    // As startService does for every role from the same environment.
    useChannels(config);
    harness = await startBotHarness({ env: config });
  });
  afterAll(async () => {
    await harness.stop();
    useChannels({});
  });
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("SMS in the order: moved first, switched off (out of the order) and on again (above paper)", async () => {
    const parent = await linkedParent(harness, school);
    const [menu] = await parent.send("/settings");
    const [channels] = await parent.press("st:channels", menu);
    expect(channels.plain).toContain("1. Telegram\n2. E-mail\n3. SMS\n4. Бумага (через школу)");
    expect(channels.plain).toContain("SMS приходят только об итоговых оценках");
    expect(channels.plain).toContain("Телефон не указан");
    expect(buttonData(channels)).toEqual(["ch:paper", "ch:up:email", "ch:up:sms", "ch:up:paper", "ch:off:sms", "st:menu"]);

    const [up1] = await parent.press("ch:up:sms", channels);
    const [up2] = await parent.press("ch:up:sms", up1);
    expect(up2.plain).toContain("1. SMS\n2. Telegram\n3. E-mail\n4. Бумага (через школу)");
    const stored = async () => (await Account.findOne({ telegramId: parent.profile.id }).lean())!.channelOrder;
    expect(await stored()).toEqual(["sms", "telegram", "max", "email", "paper"]);

    const [off] = await parent.press("ch:off:sms", up2);
    expect(off.plain).toContain("1. Telegram\n2. E-mail\n3. Бумага (через школу)");
    expect(off.plain).toContain("Отключено: SMS.");
    expect(off.plain).not.toContain("SMS приходят только");
    expect(buttonData(off)).toContain("ch:on:sms");
    expect(await stored()).toEqual(["telegram", "max", "email", "paper"]);

    const [on] = await parent.press("ch:on:sms", off);
    expect(on.plain).toContain("1. Telegram\n2. E-mail\n3. SMS\n4. Бумага (через школу)");
    expect(await stored()).toEqual(["telegram", "max", "email", "sms", "paper"]);

    // Only an optional channel can be switched off; a forged button changes nothing.
    await parent.press("ch:off:telegram", on);
    expect(parent.callbackAnswers().at(-1)!.text).toContain("устарела");
    expect(await stored()).toEqual(["telegram", "max", "email", "sms", "paper"]);
  });

  test("with a phone shared through the contact button, no warning about it", async () => {
    const parent = await linkedParent(harness, school);
    await Account.updateOne({ telegramId: parent.profile.id }, { $push: { contacts: { kind: "phone", value: "+79161234567", source: "guardian", verifiedAt: new Date() } } });
    const [menu] = await parent.send("/settings");
    const [channels] = await parent.press("st:channels", menu);
    expect(channels.plain).toContain("SMS приходят только");
    expect(channels.plain).not.toContain("Телефон не указан");
  });
});
