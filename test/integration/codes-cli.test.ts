/**
 * `npm run codes` and `npm run paper-consent` as a school's IT runs them: the built files as child
 * processes against the test MongoDB; one JSON document with --json, a table otherwise, one clear
 * line and a non-zero exit on error.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Account, ConsentRecord, Guardian, GuardianLink, InviteCode, School, SchoolClass, Student, Teacher } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { testMongoUriFor, useTestDb } from "../support/db";

const db = useTestDb();
const ROOT = path.resolve(__dirname, "../..");
const PEPPER = "cli-test-pepper-0123456789";

function cli(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(ROOT, "dist/src/cli", `${name}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  const { BOT_TOKEN: _unused, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 60_000, env: { ...env, MONGODB_URI: testMongoUriFor(db.dbName), CODE_PEPPER: PEPPER, LOG_LEVEL: "error", EMBEDDED_SERVICES: "false" } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function json(args: Promise<{ code: number; stdout: string; stderr: string }>) {
  const run = await args;
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(run.stdout.trim().split("\n")).toHaveLength(1);
  return JSON.parse(run.stdout);
}

let schoolId: string;

beforeAll(async () => {
  const school = await School.create({ name: "Школа № 9" });
  schoolId = String(school._id);
  const c = await SchoolClass.create({ schoolId: school._id, externalId: "c7", name: "7Б", grade: 7 });
  const s1 = await Student.create({ schoolId: school._id, externalId: "s1", fullName: "Зайцева Ева", classId: c._id });
  await Student.create({ schoolId: school._id, externalId: "s2", fullName: "Волков Ян", classId: c._id });
  await Guardian.create({ schoolId: school._id, externalId: "g1", fullName: "Зайцева Ирина", studentIds: [s1._id] });
  await Teacher.create({ schoolId: school._id, externalId: "t1", fullName: "Соколова Мария" });
}, 60_000);

describe("codes CLI", () => {
  test("--class: the documented JSON, codes stored only as peppered hashes", async () => {
    const codes = await json(cli("codes", ["--school", schoolId, "--class", "7б", "--json"]));
    expect(codes).toEqual([
      { role: "guardian", code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/), expiresAt: expect.any(String), studentExternalId: "s2", studentName: "Волков Ян", className: "7Б", revokedEarlier: 0 },
      { role: "guardian", code: expect.any(String), expiresAt: expect.any(String), studentExternalId: "s1", studentName: "Зайцева Ева", className: "7Б", revokedEarlier: 0 },
    ]);
    expect(new Date(codes[0].expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    for (const c of codes) expect(await InviteCode.countDocuments({ codeHash: hashCode(PEPPER, normalizeCode(c.code)) })).toBe(1);
  }, 60_000);

  test("--student (with --guardian or --role student), --teacher, --admin; a table without --json", async () => {
    expect((await json(cli("codes", ["--school", schoolId, "--student", "s1", "--guardian", "g1", "--json"])))[0]).toMatchObject({ role: "guardian", studentName: "Зайцева Ева" });
    // A pupil's own code needs a guardian's consent in force (docs/decisions.md, "Students' own accounts").
    expect(await cli("codes", ["--school", schoolId, "--student", "s2", "--role", "student", "--json"])).toMatchObject({
      code: 1, stderr: 'Student "s2" has no guardian with consent in force: a student code needs a guardian\'s consent first (152-FZ art. 9)\n',
    });
    const s2 = (await Student.findOne({ externalId: "s2" }).lean())!;
    const father = await Guardian.create({ schoolId: s2.schoolId, externalId: "g2", fullName: "Волков Олег", studentIds: [s2._id] });
    await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g2", "--decision", "granted", "--form", "paper", "--json"]));
    expect((await json(cli("codes", ["--school", schoolId, "--student", "s2", "--role", "student", "--json"])))[0]).toMatchObject({ role: "student", studentExternalId: "s2" });
    await Guardian.deleteOne({ _id: father._id });
    expect((await json(cli("codes", ["--school", schoolId, "--teacher", "t1", "--json"])))[0]).toMatchObject({ role: "teacher", teacherExternalId: "t1" });
    expect((await json(cli("codes", ["--school", schoolId, "--admin", "--json"])))[0]).toMatchObject({ role: "admin" });
    const table = await cli("codes", ["--school", schoolId, "--admin"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^role\s+code\s+expires\s+class\s+student\n-+/);
    expect(table.stdout).toContain("shown only now");
  }, 60_000);

  test("--revoke: once, then already revoked; unknown codes and mistakes fail with one line", async () => {
    const [issued] = await json(cli("codes", ["--school", schoolId, "--admin", "--json"]));
    expect(await json(cli("codes", ["--school", schoolId, "--revoke", issued.code.toLowerCase(), "--json"]))).toEqual({ revoked: true, status: "revoked" });
    expect(await json(cli("codes", ["--school", schoolId, "--revoke", issued.code, "--json"]))).toEqual({ revoked: true, status: "already-revoked" });
    expect(await cli("codes", ["--school", schoolId, "--revoke", "ZZZZ-ZZZZ-ZZ"])).toMatchObject({ code: 1, stderr: "no such code in this school\n" });
    expect(await cli("codes", ["--school", schoolId, "--class", "11Я"])).toMatchObject({ code: 1, stderr: 'Class "11Я" not found\n' });
    expect(await cli("codes", ["--school", schoolId, "--student", "nobody"])).toMatchObject({ code: 1, stderr: 'Student "nobody" not found\n' });
    expect((await cli("codes", ["--school", schoolId, "--class", "7Б", "--admin"])).code).toBe(2);
    expect((await cli("codes", ["--school", schoolId, "--admin", "--role", "student"])).code).toBe(2);
    expect(await cli("codes", ["--school", "5f0000000000000000000000", "--admin"])).toMatchObject({ code: 1, stderr: "School 5f0000000000000000000000 not found\n" });
  }, 60_000);

  test("re-issuing says how many earlier codes it revoked; --revoke --student / --class revoke every unused one", async () => {
    const stored = async (code: string) => (await InviteCode.findOne({ codeHash: hashCode(PEPPER, normalizeCode(code)) }).lean())!;
    const [, first] = await json(cli("codes", ["--school", schoolId, "--class", "7Б", "--json"]));
    await InviteCode.updateOne({ _id: (await stored(first.code))._id }, { $set: { usedAt: new Date() } });
    const again = await json(cli("codes", ["--school", schoolId, "--class", "7Б", "--json"]));
    expect(again.map((r: { studentExternalId: string; revokedEarlier: number }) => [r.studentExternalId, r.revokedEarlier])).toEqual([["s2", 1], ["s1", 0]]);
    expect((await stored(first.code)).revokedAt).toBeUndefined();
    const table = await cli("codes", ["--school", schoolId, "--class", "7Б"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("2 earlier unused codes of the same students (same role and guardian) revoked: slips printed before no longer work.");
    for (const old of again) expect(await cli("codes", ["--school", schoolId, "--revoke", old.code])).toMatchObject({ code: 0, stdout: "The code was already revoked.\n" });

    const s1 = (await Student.findOne({ externalId: "s1" }).lean())!;
    const redeemable = (filter: object) => InviteCode.countDocuments({ ...filter, usedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } });
    expect(await redeemable({ studentId: s1._id })).toBeGreaterThan(0);
    expect(await json(cli("codes", ["--school", schoolId, "--revoke", "--student", "s1", "--json"]))).toEqual({ student: "s1", revokedCount: 1 });
    expect(await redeemable({ studentId: s1._id })).toBe(0);
    const inClass = await redeemable({ studentId: { $in: (await Student.find({}, { _id: 1 }).lean()).map((s) => s._id) } });
    expect(inClass).toBeGreaterThan(0);
    expect(await cli("codes", ["--school", schoolId, "--revoke", "--class", "7б"])).toMatchObject({ code: 0, stdout: `Revoked ${inClass} unused code${inClass === 1 ? "" : "s"} of class 7б.\n` });
    expect(await json(cli("codes", ["--school", schoolId, "--class", "7Б", "--revoke", "--json"]))).toEqual({ class: "7Б", revokedCount: 0 });
    expect(await cli("codes", ["--school", schoolId, "--revoke", "--student", "nobody"])).toMatchObject({ code: 1, stderr: 'Student "nobody" not found\n' });
    for (const wrong of [["--revoke"], ["--revoke", "--teacher", "t1"], ["--revoke", "--student", "s1", "--class", "7Б"], ["--revoke", "ZZZZ-ZZZZ-ZZ", "--student", "s1"], ["--revoke", "--admin"]]) {
      expect((await cli("codes", ["--school", schoolId, ...wrong])).code).toBe(2);
    }
  }, 120_000);
});

describe("paper-consent CLI", () => {
  test("records a paper refusal, then an e-document consent with the statement's contacts", async () => {
    const refused = await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "declined", "--form", "paper", "--note", "№ 15", "--json"]));
    expect(refused).toEqual({ recordId: expect.stringMatching(/^[0-9a-f]{24}$/), guardianExternalId: "g1", decision: "declined", form: "paper", signerAccountId: null, unlinkedAccounts: 0, otherAccounts: 0 });
    expect(await Guardian.findOne({ externalId: "g1" }).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "granted", "--form", "edoc", "--email", "irina@example.ru", "--json"]));
    const guardian = (await Guardian.findOne({ externalId: "g1" }).lean())!;
    expect(guardian.delivery).toBe("electronic");
    expect(guardian.contacts.map((c) => [c.value, c.source])).toEqual([["irina@example.ru", "school-edoc"]]);
    const records = await ConsentRecord.find({ guardianId: guardian._id }).sort({ recordedAt: 1, _id: 1 }).lean();
    expect(records.map((r) => [r.decision, r.form, r.note ?? null])).toEqual([["declined", "paper", "№ 15"], ["granted", "edoc", null]]);
  }, 60_000);

  test("--number, --date and --file: the written statement, an e-document by its SHA-256", async () => {
    const file = path.join(os.tmpdir(), `edoc-${process.pid}.pdf.sig`);
    fs.writeFileSync(file, "%PDF-1.7 signed");
    try {
      const done = await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "granted", "--form", "edoc", "--number", "ЭД-7", "--date", "2026-12-01", "--file", file, "--json"]));
      expect((await ConsentRecord.findById(done.recordId).lean())!.document).toEqual({ number: "ЭД-7", date: "2026-12-01", fileHash: createHash("sha256").update("%PDF-1.7 signed").digest("hex") });
    } finally {
      fs.rmSync(file, { force: true });
    }
    const base = ["--school", schoolId, "--guardian", "g1", "--decision", "granted"];
    expect((await cli("paper-consent", [...base, "--form", "paper", "--number", "1"])).code).toBe(2);
    expect((await cli("paper-consent", [...base, "--form", "paper", "--number", "1", "--date", "2026-12-01", "--file", "/etc/hostname"])).code).toBe(2);
    expect(await cli("paper-consent", [...base, "--form", "edoc", "--number", "1", "--date", "2026-12-01"])).toMatchObject({ code: 1, stderr: "An e-document needs the signed file\n" });
    expect(await cli("paper-consent", [...base, "--form", "paper", "--number", "1", "--date", "2026-13-01"])).toMatchObject({ code: 1, stderr: "The statement's date is not a date (YYYY-MM-DD)\n" });
  }, 60_000);

  test("mistakes: unknown guardian, bad decision or form", async () => {
    expect(await cli("paper-consent", ["--school", schoolId, "--guardian", "nobody", "--decision", "granted", "--form", "paper"])).toMatchObject({ code: 1, stderr: 'Guardian "nobody" not found\n' });
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "maybe", "--form", "paper"])).code).toBe(2);
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "granted", "--form", "fax"])).code).toBe(2);
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "declined", "--form", "paper", "--email", "a@b.c"])).code).toBe(2);
  }, 60_000);

  test("--signer-account: the statement governs that bot account too; it must act for the record", async () => {
    const school = (await School.findById(schoolId).lean())!;
    const guardian = (await Guardian.findOne({ schoolId: school._id, externalId: "g1" }).lean())!;
    const [mother, father] = await Account.create([
      { telegramId: 5_500_001, chatId: 5_500_001, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] },
      { telegramId: 5_500_002, chatId: 5_500_002, roles: [{ role: "guardian", schoolId: school._id, guardianId: guardian._id }] },
    ]);
    await GuardianLink.create([mother, father].map((a) => ({ accountId: a._id, guardianId: guardian._id, studentId: guardian.studentIds[0], schoolId: school._id })));
    const base = ["--school", schoolId, "--guardian", "g1", "--decision", "withdrawn", "--form", "paper"];
    expect(await cli("paper-consent", [...base, "--signer-account", "5500999"])).toMatchObject({ code: 1, stderr: 'Account "5500999" does not act for guardian "g1" (accounts acting for it: 2)\n' });
    expect((await cli("paper-consent", [...base, "--signer-account", "Иванова"])).code).toBe(2);
    const done = await json(cli("paper-consent", [...base, "--signer-account", "5500001", "--json"]));
    expect(done).toMatchObject({ signerAccountId: String(mother._id), unlinkedAccounts: 1, otherAccounts: 1 });
    expect(await GuardianLink.find({ guardianId: guardian._id }).distinct("accountId")).toEqual([father._id]);
    expect(await ConsentRecord.findById(done.recordId).lean()).toMatchObject({ accountId: mother._id, guardianId: guardian._id, decision: "withdrawn" });
  }, 60_000);
});
