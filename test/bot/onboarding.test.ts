/**
 * The guardian's first minutes, with real update JSON through the real bot and the fake Bot API:
 * consent (agree, decline, full text), the code (wrong, right), the child shown masked, confirm and
 * cancel, a second child, a child in a second school, and both languages.
 */
import { ConsentRecord, Guardian, GuardianLink, InviteCode, School, Account } from "../../src/db/models";
import { consentTextHash, CONSENT_TEXT_VERSION } from "../../src/domain/consent";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { buttonData, guardianCode, keyboardLabels, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

describe("onboarding in a deployment with one school", () => {
  let harness: BotHarness;
  let school: TestSchool;
  beforeAll(async () => {
    harness = await startBotHarness({ now: new Date("2026-11-20T09:00:00Z") });
  });
  afterAll(async () => harness.stop());
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("agree → code → the child masked → confirm: linked, consent recorded, main menu", async () => {
    const parent = harness.user({ language_code: "ru" });
    const start = await parent.send("/start");
    expect(start[0].text).toContain("Здравствуйте!");
    const consent = withButtons(start);
    expect(consent.plain).toContain("Согласие на обработку персональных данных");
    expect(consent.plain).toContain("Школа № 1, г. Москва, ул. Школьная, д. 1");
    const sid = String(school.school._id);
    expect(buttonData(consent)).toEqual([`cs:yes:${sid}`, `cs:no:${sid}`, `cs:full:${sid}`]);
    // The full text as the bot sent it: the record's hash must name exactly these words.
    const full = await parent.press(`cs:full:${sid}`, consent);
    expect(full.at(-1)!.plain).toContain("Вы согласны на обработку персональных данных на этих условиях?");
    const shown = full.slice(0, -1).map((m) => m.text!).join("\n\n");
    expect(shown).toContain("Школа № 1");
    expect(shown.length).toBeGreaterThan(consent.text!.length);

    const afterAgree = await parent.press(`cs:yes:${sid}`, full.at(-1));
    expect(texts(afterAgree)).toContain("Спасибо, согласие записано.");
    expect(texts(afterAgree)).toContain("код приглашения");

    const code = await guardianCode(harness, school);
    const preview = await parent.send(code.toLowerCase().replace(/-/g, " "));
    const confirm = withButtons(preview);
    expect(confirm.plain).toContain("Иванова М., 7Б");
    expect(confirm.plain).not.toContain("Мария");
    const [yes, no] = buttonData(confirm);
    expect(yes).toMatch(/^ob:yes:[0-9a-f]{24}$/);
    expect(no).toMatch(/^ob:no:[0-9a-f]{24}$/);

    const linked = await parent.press(yes, confirm);
    const done = linked.find((m) => m.text?.includes("Готово!"));
    expect(done?.plain).toContain("Иванова М., 7Б");
    expect(keyboardLabels(done)).toEqual(["📒 Оценки", "📚 Домашнее задание", "🗓 Расписание", "📈 Прогноз", "☰ Ещё"]);

    const account = await Account.findOne({ telegramId: parent.profile.id });
    const record = await ConsentRecord.findOne({ accountId: account!._id }).lean();
    expect(record).toMatchObject({ decision: "granted", form: "telegram", textVersion: CONSENT_TEXT_VERSION, textHash: consentTextHash(shown) });
    expect(String(record!.schoolId)).toBe(String(school.school._id));
    const link = await GuardianLink.findOne({ accountId: account!._id }).lean();
    // The code named the journal's guardian record: the account acts for it.
    expect([link!.studentId, link!.guardianId, link!.schoolId].map(String)).toEqual([school.masha, school.annaGuardian, school.school._id].map(String));
    expect(account!.roles.map((r) => r.role)).toEqual(["guardian"]);
    expect(await InviteCode.countDocuments({ usedByAccountId: account!._id, usedAt: { $ne: null } })).toBe(1);
    expect(parent.callbackAnswers()).toHaveLength(3); // full text, agree, confirm: every press answered
  });

  test("decline: recorded, explained kindly, no code asked; /start asks again", async () => {
    const parent = harness.user();
    const consent = withButtons(await parent.send("/start"));
    const declined = await parent.press(`cs:no:${school.school._id}`, consent);
    expect(texts(declined)).toContain("на бумаге");
    expect(texts(declined)).toContain("/start");
    expect(texts(declined)).not.toContain("код приглашения");
    const account = await Account.findOne({ telegramId: parent.profile.id });
    expect(await ConsentRecord.findOne({ accountId: account!._id }).lean()).toMatchObject({ decision: "declined", form: "telegram" });
    // The buttons of the answered question are gone.
    expect(harness.fake.sent(parent.profile.id).find((m) => m.method === "editMessageReplyMarkup")).toBeTruthy();

    const again = await parent.send("/start");
    expect(withButtons(again).plain).toContain("Согласие на обработку");
  });

  test("read the full text: the operator, purpose, data, actions, term and withdrawal, then agree", async () => {
    const parent = harness.user();
    const consent = withButtons(await parent.send("/start"));
    const full = await parent.press(`cs:full:${school.school._id}`, consent);
    const text = texts(full);
    for (const part of ["Школа № 1", "г. Москва, ул. Школьная, д. 1", "152-ФЗ", "Цель обработки", "Перечень персональных данных", "Срок действия", "/privacy", `Версия текста: ${CONSENT_TEXT_VERSION}`]) {
      expect(text).toContain(part);
    }
    for (const m of full) expect((m.text ?? "").length).toBeLessThanOrEqual(4096);
    const question = withButtons(full);
    expect(question.text).toContain("Вы согласны");
    const agreed = await parent.press(`cs:yes:${school.school._id}`, question);
    expect(texts(agreed)).toContain("Спасибо");
  });

  test("a wrong code says so with the attempts left; a typo-shaped text is only a hint", async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    const wrong = await parent.send("ABCD-EFGH-JK");
    expect(texts(wrong)).toContain("Такого кода нет");
    expect(texts(wrong)).toContain("Осталось 4 попытки");
    const notACode = await parent.send("я не знаю код");
    expect(texts(notACode)).toContain("не похоже на код");
    const account = await Account.findOne({ telegramId: parent.profile.id }).lean();
    expect(account!.codeAttempts.failures).toHaveLength(1);
    // Cyrillic look-alike letters typed on a Russian keyboard still find the code.
    const code = await guardianCode(harness, school);
    const lookalike = code.replace(/A/g, "А").replace(/C/g, "С").replace(/E/g, "Е");
    expect(withButtons(await parent.send(lookalike)).plain).toContain("Иванова М., 7Б");
  });

  test("cancel at the confirmation: nothing linked, the code still works", async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    const code = await guardianCode(harness, school);
    const confirm = withButtons(await parent.send(code));
    const cancelled = await parent.press(buttonData(confirm)[1], confirm);
    expect(texts(cancelled)).toContain("Отменено");
    expect(await GuardianLink.countDocuments({})).toBe(0);
    expect(await InviteCode.countDocuments({ usedAt: { $ne: null } })).toBe(0);
    await parent.send("/link");
    const again = withButtons(await parent.send(code));
    expect(texts(await parent.press(buttonData(again)[0], again))).toContain("Готово!");
  });

  test("/link adds a second child of the same school without asking the consent again", async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    const first = withButtons(await parent.send(await guardianCode(harness, school)));
    await parent.press(buttonData(first)[0], first);

    const ask = await parent.send("/link");
    expect(texts(ask)).toContain("код приглашения");
    const second = withButtons(await parent.send(await guardianCode(harness, school, "s-petya")));
    expect(second.plain).toContain("Петров П., 7Б");
    const done = await parent.press(buttonData(second)[0], second);
    expect(texts(done)).toContain("детей: 2");
    const account = await Account.findOne({ telegramId: parent.profile.id });
    const links = await GuardianLink.find({ accountId: account!._id }).lean();
    expect(links.map((l) => String(l.studentId)).sort()).toEqual([String(school.masha), String(school.petya)].sort());
    // Petya has no journal guardian: the account's own guardian record is reused for him.
    const petyaLink = links.find((l) => l.studentId.equals(school.petya))!;
    expect(String(petyaLink.guardianId)).toBe(String(school.annaGuardian));
    expect(await ConsentRecord.countDocuments({ accountId: account!._id })).toBe(1);
  });

  test("two guardians may link to one child, each with their own record", async () => {
    const mother = harness.user();
    const father = harness.user();
    for (const parent of [mother, father]) {
      await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
      const confirm = withButtons(await parent.send(await guardianCode(harness, school, "s-petya")));
      expect(texts(await parent.press(buttonData(confirm)[0], confirm))).toContain("Готово!");
    }
    const links = await GuardianLink.find({ studentId: school.petya }).lean();
    expect(links).toHaveLength(2);
    expect(String(links[0].guardianId)).not.toBe(String(links[1].guardianId));
    expect(await Guardian.countDocuments({ studentIds: school.petya })).toBe(2);
  });

  test("English: the whole way in the user's Telegram language", async () => {
    const parent = harness.user({ language_code: "en-US" });
    const start = await parent.send("/start");
    expect(start[0].text).toContain("Hello!");
    const consent = withButtons(start);
    expect(consent.plain).toContain("Consent to the processing of personal data");
    expect(buttonData(consent)).toHaveLength(3);
    const full = await parent.press(`cs:full:${school.school._id}`, consent);
    expect(full.at(-1)!.plain).toContain("Do you consent to the processing of personal data on these terms?");
    const shown = full.slice(0, -1).map((m) => m.text!).join("\n\n");
    const agreed = await parent.press(`cs:yes:${school.school._id}`, full.at(-1));
    expect(texts(agreed)).toContain("invitation code");
    const confirm = withButtons(await parent.send(await guardianCode(harness, school)));
    expect(confirm.plain).toContain("Is this your child?");
    const done = await parent.press(buttonData(confirm)[0], confirm);
    expect(keyboardLabels(done.find((m) => m.text?.includes("Done!")))).toContain("📒 Grades");
    const account = await Account.findOne({ telegramId: parent.profile.id });
    const record = await ConsentRecord.findOne({ accountId: account!._id }).lean();
    expect(record!.textHash).toBe(consentTextHash(shown));
  });

  test("a student's own code: \"is this you?\", then their own menu", async () => {
    // A parent of Petya joined and consented first: the basis of the pupil's own account.
    await linkedParent(harness, school, "s-petya");
    const student = harness.user();
    await student.press(`cs:yes:${school.school._id}`, withButtons(await student.send("/start")));
    const confirm = withButtons(await student.send(await guardianCode(harness, school, "s-petya", "student")));
    expect(confirm.plain).toContain("Это вы?");
    expect(confirm.plain).toContain("Петров П., 7Б");
    const done = await student.press(buttonData(confirm)[0], confirm);
    expect(texts(done)).toContain("Ваши оценки");
    expect(keyboardLabels(done.at(-1))).toContain("📒 Оценки");
    const account = await Account.findOne({ telegramId: student.profile.id }).lean();
    expect(account!.roles.map((r) => [r.role, String(r.studentId)])).toEqual([["student", String(school.petya)]]);
    expect(await GuardianLink.countDocuments({ accountId: account!._id })).toBe(0);
  });

  test("a student's own code after the parent withdrew: told why, the code stays valid for later", async () => {
    const parent = await linkedParent(harness, school, "s-petya");
    const code = await guardianCode(harness, school, "s-petya", "student");
    const [overview] = await parent.send("/privacy");
    await parent.press(`pv:wdy:${school.school._id}`, overview);
    const student = harness.user();
    await student.press(`cs:yes:${school.school._id}`, withButtons(await student.send("/start")));
    const confirm = withButtons(await student.send(code));
    const refused = await student.press(buttonData(confirm)[0], confirm);
    expect(texts(refused)).toContain("только с согласием родителя");
    const account = await Account.findOne({ telegramId: student.profile.id }).lean();
    expect(account!.roles).toEqual([]);
    expect(await InviteCode.countDocuments({ role: "student", usedAt: null, revokedAt: null })).toBe(1);
  });

  test("a returning guardian gets the menu, not the dialog", async () => {
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    const confirm = withButtons(await parent.send(await guardianCode(harness, school)));
    await parent.press(buttonData(confirm)[0], confirm);
    const back = await parent.send("/start");
    expect(texts(back)).toContain("С возвращением");
    expect(keyboardLabels(back[back.length - 1])).toContain("📒 Оценки");
  });
});

describe("onboarding in a deployment with several schools", () => {
  let harness: BotHarness;
  beforeAll(async () => {
    await clearDb();
    harness = await startBotHarness();
  });
  afterAll(async () => harness.stop());

  test("the code comes first, then the consent of the code's school, then the child", async () => {
    const first = await makeSchool("Гимназия № 2", "г. Казань, ул. Баумана, д. 2");
    const second = await makeSchool("Лицей № 3", null);
    const parent = harness.user();
    const start = await parent.send("/start");
    expect(texts(start)).toContain("код приглашения");
    expect(buttonData(start[start.length - 1])).toEqual([]);

    const consent = withButtons(await parent.send(await guardianCode(harness, first)));
    // No personal data of the child before the consent.
    expect(consent.plain).not.toContain("Иванова");
    expect(consent.plain).toContain("Гимназия № 2, г. Казань, ул. Баумана, д. 2");
    const afterConsent = await parent.press(`cs:yes:${first.school._id}`, consent);
    const confirm = withButtons(afterConsent);
    expect(confirm.plain).toContain("Иванова М., 7Б");
    await parent.press(buttonData(confirm)[0], confirm);

    // A child in another school: that school's consent first (its address is missing: said so).
    await parent.send("/link");
    const secondConsent = withButtons(await parent.send(await guardianCode(harness, second, "s-petya")));
    expect(secondConsent.plain).toContain("Лицей № 3, адрес — в канцелярии школы");
    const secondConfirm = withButtons(await parent.press(`cs:yes:${second.school._id}`, secondConsent));
    const done = await parent.press(buttonData(secondConfirm)[0], secondConfirm);
    expect(texts(done)).toContain("детей: 2");
    const account = await Account.findOne({ telegramId: parent.profile.id });
    const records = await ConsentRecord.find({ accountId: account!._id }).lean();
    expect(records.map((r) => String(r.schoolId)).sort()).toEqual([String(first.school._id), String(second.school._id)].sort());
  });

  test("no school yet: said so instead of a dialog", async () => {
    await clearDb();
    const parent = harness.user();
    const replies = await parent.send("/start");
    expect(texts(replies)).toContain("ещё не подключила");
    expect(await School.countDocuments({})).toBe(0);
  });
});
