/**
 * `npm run codes` and `npm run paper-consent` as a school's IT runs them: the built files as child
 * processes against the test MongoDB; one JSON document with --json, a table otherwise, one clear
 * line and a non-zero exit on error.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ConsentRecord, Guardian, InviteCode, School, SchoolClass, Student, Teacher } from "../../src/db/models";
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
      { role: "guardian", code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/), expiresAt: expect.any(String), studentExternalId: "s2", studentName: "Волков Ян", className: "7Б" },
      { role: "guardian", code: expect.any(String), expiresAt: expect.any(String), studentExternalId: "s1", studentName: "Зайцева Ева", className: "7Б" },
    ]);
    expect(new Date(codes[0].expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    for (const c of codes) expect(await InviteCode.countDocuments({ codeHash: hashCode(PEPPER, normalizeCode(c.code)) })).toBe(1);
  }, 60_000);

  test("--student (with --guardian or --role student), --teacher, --admin; a table without --json", async () => {
    expect((await json(cli("codes", ["--school", schoolId, "--student", "s1", "--guardian", "g1", "--json"])))[0]).toMatchObject({ role: "guardian", studentName: "Зайцева Ева" });
    expect((await json(cli("codes", ["--school", schoolId, "--student", "s2", "--role", "student", "--json"])))[0]).toMatchObject({ role: "student", studentExternalId: "s2" });
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
});

describe("paper-consent CLI", () => {
  test("records a paper refusal, then an e-document consent with the statement's contacts", async () => {
    const refused = await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "declined", "--form", "paper", "--note", "№ 15", "--json"]));
    expect(refused).toEqual({ recordId: expect.stringMatching(/^[0-9a-f]{24}$/), guardianExternalId: "g1", decision: "declined", form: "paper", unlinkedAccounts: 0 });
    expect(await Guardian.findOne({ externalId: "g1" }).lean()).toMatchObject({ delivery: "paper", deliveryReason: "paper-refusal" });
    await json(cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "granted", "--form", "edoc", "--email", "irina@example.ru", "--json"]));
    const guardian = (await Guardian.findOne({ externalId: "g1" }).lean())!;
    expect(guardian.delivery).toBe("electronic");
    expect(guardian.contacts.map((c) => [c.value, c.source])).toEqual([["irina@example.ru", "school-edoc"]]);
    const records = await ConsentRecord.find({ guardianId: guardian._id }).sort({ recordedAt: 1, _id: 1 }).lean();
    expect(records.map((r) => [r.decision, r.form, r.note ?? null])).toEqual([["declined", "paper", "№ 15"], ["granted", "edoc", null]]);
  }, 60_000);

  test("mistakes: unknown guardian, bad decision or form", async () => {
    expect(await cli("paper-consent", ["--school", schoolId, "--guardian", "nobody", "--decision", "granted", "--form", "paper"])).toMatchObject({ code: 1, stderr: 'Guardian "nobody" not found\n' });
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "maybe", "--form", "paper"])).code).toBe(2);
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "granted", "--form", "fax"])).code).toBe(2);
    expect((await cli("paper-consent", ["--school", schoolId, "--guardian", "g1", "--decision", "declined", "--form", "paper", "--email", "a@b.c"])).code).toBe(2);
  }, 60_000);
});
