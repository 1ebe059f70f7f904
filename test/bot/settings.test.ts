/**
 * /settings: contact details (regulation 7) and the preferred channel order. The e-mail check goes
 * through a real local SMTP server (npm smtp-server) and nodemailer via SMTP_URL; the phone comes
 * with Telegram's contact button, and only the sender's own contact is accepted.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { Account, EmailCodeSend, EmailVerification, Guardian, School } from "../../src/db/models";
import { clearDb, useTestDb } from "../support/db";
import { familiesOf } from "../../src/services/people";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { buttonData, inlineButtons, keyboardLabels, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

interface Mail {
  to: string[];
  raw: string;
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

/** The 6-digit code in the mail body (quoted-printable or base64 aside, the digits stay plain in text/plain). */
function codeIn(mail: Mail): string {
  const decoded = mail.raw.includes("base64") ? mail.raw.split(/\r?\n\r?\n/).map((part) => { try { return Buffer.from(part.replace(/\s+/g, ""), "base64").toString("utf8"); } catch { return ""; } }).join("\n") : mail.raw;
  const match = /(?:код подтверждения|confirmation code): (\d{6})/i.exec(decoded.replace(/=\r?\n/g, ""));
  if (!match) throw new Error(`no code in mail:\n${mail.raw.slice(0, 2000)}`);
  return match[1];
}

describe("settings", () => {
  let harness: BotHarness;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let school: TestSchool;
  beforeAll(async () => {
    smtp = await startSmtp();
    harness = await startBotHarness({ env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SMTP_FROM: "diary@school.test" } });
  });
  afterAll(async () => {
    await harness.stop();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("/settings before linking a child says how to get there", async () => {
    expect(texts(await harness.user().send("/settings"))).toContain("когда вы подключите ребёнка");
  });

  test("e-mail: entered, a code sent to it by SMTP, confirmed here; stored with its source", async () => {
    const parent = await linkedParent(harness, school);
    const [menu] = await parent.send("/settings");
    // Contacts and channels first; further sections (notifications) may follow.
    expect(buttonData(menu).slice(0, 2)).toEqual(["st:contacts", "st:channels"]);
    const [contacts] = await parent.press("st:contacts", menu);
    expect(contacts.plain).toContain("Контактов пока нет.");
    const ask = await parent.press("st:email", contacts);
    expect(texts(ask)).toContain("Напишите адрес электронной почты");
    expect(texts(await parent.sendSticker())).toContain("напишите адрес электронной почты текстом");
    expect(texts(await parent.send("anna at example"))).toContain("не похоже на адрес");

    const sent = await parent.send("Anna.Petrova@Example.RU");
    expect(texts(sent)).toContain("Мы отправили код на a***@example.ru");
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].to).toEqual(["anna.petrova@example.ru"]);
    const code = codeIn(smtp.mails[0]);
    expect(await EmailVerification.countDocuments({})).toBe(1);

    const wrong = code === "000000" ? "111111" : "000000";
    expect(texts(await parent.send(wrong))).toContain("Код неверный. Осталось 4 попытки.");
    expect(texts(await parent.send(code))).toContain("e-mail anna.petrova@example.ru подтверждён");
    // The person's own contact: on their account, not on the journal's record (another parent may act for it).
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    expect(account.contacts).toEqual([expect.objectContaining({ kind: "email", value: "anna.petrova@example.ru", source: "guardian", verifiedAt: expect.any(Date) })]);
    expect((await Guardian.findById(school.annaGuardian).lean())!.contacts).toEqual([]);
    expect(await EmailVerification.countDocuments({})).toBe(0);
    // The log never carries the address or the code.
    const log = harness.logs.join("\n");
    expect(log).not.toContain("anna.petrova");
    expect(log).not.toContain(code);

    const [settings] = await parent.send("/settings");
    const [view] = await parent.press("st:contacts", settings);
    expect(view.plain).toContain("E-mail: anna.petrova@example.ru (указан вами)");
    const removed = await parent.press("st:rm:email", view);
    expect(removed[0].plain).toContain("Контактов пока нет.");
  });

  test("phone: only the sender's own contact, shared with the button; Cancel brings the menu back", async () => {
    const parent = await linkedParent(harness, school);
    const [menu] = await parent.send("/settings");
    const [contacts] = await parent.press("st:contacts", menu);
    const ask = await parent.press("st:phone", contacts);
    const keyboard = (ask[0].reply_markup as { keyboard: Array<Array<{ text: string; request_contact?: boolean }>> }).keyboard.flat();
    expect(keyboard[0]).toMatchObject({ request_contact: true });

    // Someone else's contact card: refused.
    const update = harness.fake.injectContact(parent.profile, "+7 999 000-00-00");
    (update.message!.contact as { user_id?: number }).user_id = 424242;
    await harness.bot.handleUpdate(update);
    expect(harness.fake.sent(parent.profile.id).at(-1)!.text).toContain("Принимается только ваш собственный номер");

    const saved = await parent.shareContact("79161234567");
    expect(texts(saved)).toContain("телефон сохранён");
    expect(keyboardLabels(saved[0])).toContain("📒 Оценки");
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    expect(account.contacts).toEqual([expect.objectContaining({ kind: "phone", value: "+79161234567", source: "guardian" })]);

    await parent.press("st:phone", contacts);
    const cancelled = await parent.send("Отмена");
    expect(texts(cancelled)).toContain("телефон не изменён");
    expect(keyboardLabels(cancelled[0])).toContain("📒 Оценки");
  });

  test("preferred channels: moved up one place at a time, kept on the person's account", async () => {
    const parent = await linkedParent(harness, school);
    const [menu] = await parent.send("/settings");
    const [channels] = await parent.press("st:channels", menu);
    expect(channels.plain).toContain("1. Telegram\n2. E-mail\n3. Бумага (через школу)");
    expect(channels.plain).toContain("E-mail пока не указан");
    expect(buttonData(channels)).toEqual(["ch:paper", "ch:up:email", "ch:up:paper", "st:menu"]);
    const [moved] = await parent.press("ch:up:paper", channels);
    expect(moved.plain).toContain("1. Telegram\n2. Бумага (через школу)\n3. E-mail");
    // SMS and MAX are off in this deployment (no SMPP_URL, no MAX_BOT_TOKEN): not shown, and they keep their places next to the others.
    expect((await Account.findOne({ telegramId: parent.profile.id }).lean())!.channelOrder).toEqual(["telegram", "max", "paper", "email", "sms"]);
    await parent.press("ch:up:nonsense", moved);
    expect(parent.callbackAnswers().at(-1)!.text).toContain("устарела");
    const [back] = await parent.press("st:menu", moved);
    expect(inlineButtons(back).map((b) => b.text).slice(0, 2)).toEqual(["📇 Контакты", "📨 Порядок каналов доставки"]);
  });

  test("\"I want paper\": the parent is on paper by choice (family on the printout, nothing electronic); /start and /settings bring them back (issue 10.2)", async () => {
    const parent = await linkedParent(harness, school);
    const [menu] = await parent.send("/settings");
    const [channels] = await parent.press("st:channels", menu);
    const [paper] = await parent.press("ch:paper", channels);
    expect(parent.callbackAnswers().at(-1)!.text).toContain("на бумаге через школу");
    expect(paper.plain).toContain("1. Бумага (через школу)");
    expect(paper.plain).toContain("по своему выбору получаете сведения на бумаге");
    expect(buttonData(paper)).toEqual(["ch:electronic", "st:menu"]);
    const account = (await Account.findOne({ telegramId: parent.profile.id }).lean())!;
    expect(account.channelOrder).toEqual(["paper", "telegram", "max", "email", "sms"]);
    const guardianId = account.roles.find((r) => r.role === "guardian")!.guardianId!;
    const studentId = (await Guardian.findById(guardianId).lean())!.studentIds[0];
    const family = (await familiesOf(school.school._id, [studentId])).get(String(studentId))!.find((f) => f.guardianId.equals(guardianId))!;
    expect(family).toMatchObject({ paper: true, paperReason: "chosen" });
    expect(family.persons.find((p) => p.accountId?.equals(account._id))).toMatchObject({ mode: "paper", reason: "chosen" });

    // /start offers the way back; pressing it puts the bot first again and paper last.
    const start = await parent.send("/start");
    const offer = start.find((m) => buttonData(m).includes("ch:electronic"))!;
    expect(offer.plain).toContain("по своему выбору получаете сведения на бумаге");
    const [electronic] = await parent.press("ch:electronic", offer);
    expect(electronic.plain).toContain("1. Telegram\n2. E-mail\n3. Бумага (через школу)");
    expect((await Account.findById(account._id).lean())!.channelOrder).toEqual(["telegram", "max", "email", "sms", "paper"]);
    expect((await familiesOf(school.school._id, [studentId])).get(String(studentId))!.find((f) => f.guardianId.equals(guardianId))).toMatchObject({ paper: false });
    expect(texts(await parent.send("/start"))).not.toContain("по своему выбору");
  });

  test("e-mail without SMTP configured: said so, nothing stored", async () => {
    const bare = await startBotHarness();
    try {
      const parent = await linkedParent(bare, school);
      const [menu] = await parent.send("/settings");
      const [contacts] = await parent.press("st:contacts", menu);
      await parent.press("st:email", contacts);
      expect(texts(await parent.send("anna@example.ru"))).toContain("не настроена");
      expect(await EmailVerification.countDocuments({})).toBe(0);
      expect(withButtons(await parent.send("/settings")).plain).toContain("Настройки");
    } finally {
      await bare.stop();
    }
  });

  test("contacts only while consent is in force: a parent who declined the new text gives none (issue #16.11)", async () => {
    const parent = await linkedParent(harness, school);
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.consentTextVersion": "2027-01" } });
    const consent = withButtons(await parent.send("/start"));
    await parent.press(`cs:no:${school.school._id}`, consent);
    const [menu] = await parent.send("/settings");
    // The other settings stay; contacts are not taken.
    expect(await parent.press("st:contacts", menu)).toEqual([]);
    expect(parent.callbackAnswers().at(-1)).toMatchObject({ text: expect.stringContaining("когда ваше согласие"), show_alert: true });
    await parent.press("st:phone", menu);
    expect(parent.callbackAnswers().at(-1)!.text).toContain("когда ваше согласие");
    // A contact card sent anyway (an old keyboard) is not stored either.
    expect(texts(await parent.shareContact("79161234567"))).toContain("когда ваше согласие");
    await parent.press("st:email", menu);
    expect(parent.callbackAnswers().at(-1)!.text).toContain("когда ваше согласие");
    expect(await EmailVerification.countDocuments({})).toBe(0);
    expect((await Account.findOne({ telegramId: parent.profile.id }).lean())!.contacts).toEqual([]);
  });

  test("code e-mails are limited per account and per address, with a clear message (issue #16.11)", async () => {
    const parent = await linkedParent(harness, school);
    const before = smtp.mails.length;
    const ask = async (who: typeof parent, email: string) => {
      const [menu] = await who.send("/settings");
      const [contacts] = await who.press("st:contacts", menu);
      await who.press("st:email", contacts);
      return texts(await who.send(email));
    };
    for (const n of [1, 2, 3]) expect(await ask(parent, `anna${n}@example.ru`)).toContain("Мы отправили код");
    // The fourth within an hour: refused, no mail, and the parent is told when to try again.
    expect(await ask(parent, "anna4@example.ru")).toContain("Слишком много писем с кодом. Попробуйте снова через 1 час.");
    expect(smtp.mails.length - before).toBe(3);
    // An hour later the account may ask again.
    harness.setNow(new Date(Date.now() + 61 * 60_000));
    try {
      expect(await ask(parent, "anna4@example.ru")).toContain("Мы отправили код");
      // One address, whatever account asks: three a day. Two more accounts try a stranger's mailbox.
      const others = [await linkedParent(harness, school, "s-petya"), await linkedParent(harness, school, "s-petya")];
      expect(await ask(others[0], "victim@example.ru")).toContain("Мы отправили код");
      expect(await ask(others[0], "victim@example.ru")).toContain("Мы отправили код");
      expect(await ask(others[1], "victim@example.ru")).toContain("Мы отправили код");
      expect(await ask(others[1], "victim@example.ru")).toMatch(/Попробуйте снова через \d+ час/);
      expect(smtp.mails.filter((m) => m.to.includes("victim@example.ru"))).toHaveLength(3);
      expect(await EmailCodeSend.countDocuments({ email: "victim@example.ru" })).toBe(3);
    } finally {
      harness.setNow(new Date());
    }
  });
});
