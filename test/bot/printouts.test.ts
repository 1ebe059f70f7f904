/**
 * /printouts in the real bot against the fake Bot API: the homeroom teacher and admins get the PDF
 * and the hand-over checklist; pressing a slip marks it handed (checked on the server every time);
 * a teacher of another class gets neither the printout nor the buttons.
 */
import { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import type { SentMessage } from "../support/fake-telegram";
import { Delivery, Guardian, Printout, Account } from "../../src/db/models";
import { FRIDAY_NOON, loadFixtureSchool, staffAccount, type FixtureSchool } from "../integration/printouts-fixture";

useTestDb();

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttons = (message: SentMessage) => (message.reply_markup as Keyboard).inline_keyboard.flat();

let harness: BotHarness;
let fixture: FixtureSchool;
beforeAll(async () => {
  harness = await startBotHarness({ now: FRIDAY_NOON });
  fixture = await loadFixtureSchool();
  for (const g of ["g1", "g3"]) await Guardian.updateOne({ _id: await fixture.id("guardian", g) }, { $set: { delivery: "paper", deliveryReason: "chosen" } });
});
afterAll(async () => {
  await harness.stop();
});

async function as(role: "admin" | "teacher", teacher?: string) {
  const account = await staffAccount(fixture, role, teacher);
  return harness.user({ id: account.telegramId });
}

describe("/printouts", () => {
  test("the homeroom teacher gets the class's PDF and a checklist; pressing marks a slip handed, pressing again undoes it", async () => {
    const teacher = await as("teacher", "t1");
    const [document, checklist] = await teacher.send("/printouts 7б");
    expect(document.method).toBe("sendDocument");
    expect(document.document!.filename).toBe("Выписки 7Б 2026-09-14.pdf");
    expect(document.document!.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(checklist.parse_mode).toBe("HTML");
    expect(checklist.plain).toContain("Выписки для родителей — 7Б");
    expect(checklist.plain).toContain("2 выписки, выдано: 0");
    const printout = (await Printout.findOne({ schoolId: fixture.schoolId }).lean())!;
    expect(buttons(checklist)).toEqual([
      { text: "⬜ Петров А. С. — Петрова Е. В.", callback_data: `ph:${printout._id.toHexString()}.0` },
      { text: "⬜ Смирнова О. И. — Смирнова Т. Ю.", callback_data: `ph:${printout._id.toHexString()}.1` },
    ]);

    const [edited] = await teacher.press(buttons(checklist)[0].callback_data, checklist);
    expect(teacher.callbackAnswers().at(-1)).toMatchObject({ text: "Отмечено: выписка выдана" });
    expect(edited.method).toBe("editMessageText");
    expect(edited.plain).toContain("2 выписки, выдано: 1");
    expect(buttons(edited)[0].text).toBe("✅ Петров А. С. — Петрова Е. В.");
    const account = (await Account.findOne({ telegramId: teacher.profile.id }).lean())!;
    const handed = (await Printout.findById(printout._id).lean())!.slips[0];
    expect(handed.handedAt).toEqual(FRIDAY_NOON);
    expect(String(handed.handedBy)).toBe(String(account._id));
    expect((await Delivery.findOne({ printoutId: printout._id, kind: "printout", "recipient.guardianId": await fixture.id("guardian", "g1") }).lean())!.status).toBe("handed");

    const [undone] = await teacher.press(buttons(checklist)[0].callback_data, edited);
    expect(teacher.callbackAnswers().at(-1)).toMatchObject({ text: "Отметка снята" });
    expect(buttons(undone)[0].text).toBe("⬜ Петров А. С. — Петрова Е. В.");
    expect((await Printout.findById(printout._id).lean())!.slips[0].handedAt).toBeUndefined();
  });

  test("without a class name the homeroom teacher gets their class; an admin is asked which", async () => {
    const teacher = await as("teacher", "t1");
    const replies = await teacher.send("/printouts");
    expect(replies.map((r) => r.method)).toEqual(["sendDocument", "sendMessage"]);
    const admin = await as("admin");
    const [question] = await admin.send("/printouts");
    expect(question.text).toBe("Укажите класс: 7А, 7Б");
    const [document] = await admin.send("/printouts 7Б");
    expect(document.method).toBe("sendDocument");
  });

  test("a teacher of another class gets neither the printout nor its buttons; a forged slip is refused", async () => {
    const other = await as("teacher", "t3");
    const [refused] = await other.send("/printouts 7Б");
    expect(refused.text).toBe("Класс «7Б» не найден или недоступен вам.");
    const printout = (await Printout.findOne({ schoolId: fixture.schoolId }).lean())!;
    const before = printout.slips.map((s) => s.handedAt);

    expect(await other.press(`ph:${printout._id.toHexString()}.1`)).toEqual([]);
    expect(await other.press(`ph:${new Types.ObjectId().toHexString()}.0`)).toEqual([]);
    for (const answer of other.callbackAnswers()) expect(answer).toMatchObject({ text: "Эта выписка недоступна.", show_alert: true });
    expect((await Printout.findById(printout._id).lean())!.slips.map((s) => s.handedAt)).toEqual(before);

    // 7А's own printout is theirs (Зайцева is on paper through the journal).
    const [own] = await other.send("/printouts 7А");
    expect(own.document!.filename).toBe("Выписки 7А 2026-09-14.pdf");
  });

  test("a guardian is told it is for staff; a class with nobody on paper says so", async () => {
    const [reply] = await harness.user().send("/printouts 7Б");
    expect(reply.text).toBe("Выписки доступны администраторам школы и классным руководителям.");
    const otherSchool = await loadFixtureSchool({ name: "Школа № 8" });
    const account = await staffAccount(otherSchool, "teacher", "t1");
    const [nobody] = await harness.user({ id: account.telegramId }).send("/printouts 7Б");
    expect(nobody.text).toBe("В классе 7Б нет родителей, получающих выписки на бумаге.");
  });
});
