/**
 * The command-line tools as a school's IT runs them: built files started as child processes against
 * the test MongoDB and Redis, one JSON document on stdout with --json, errors as exit codes.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Grade, SchoolClass, Student, Guardian, Lesson, FinalGrade, School, Subject, Teacher } from "../../src/db/models";
import { testMongoUri, useTestDb } from "../support/db";
import { testRedisUrl } from "../support/redis";

const db = useTestDb();
const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "test/fixtures/exchange");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function databaseUri(dbName: string): string {
  const url = new URL(testMongoUri());
  url.pathname = `/${dbName}`;
  return url.toString();
}

function cli(name: string, args: string[]): Promise<Run> {
  const file = path.join(ROOT, "dist/src/cli", `${name}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  const { BOT_TOKEN: _unused, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: ROOT, timeout: 120_000, env: { ...env, MONGODB_URI: databaseUri(db.dbName), REDIS_URL: testRedisUrl(), CODE_PEPPER: "test-pepper-of-the-cli-tests", LOG_LEVEL: "error" } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function json(run: Promise<Run>): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await run;
  expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(stdout.trim().split("\n")).toHaveLength(1);
  return JSON.parse(stdout);
}

let schoolId: string;

describe("school:create and school:token", () => {
  test("creates a school and prints its token once", async () => {
    const created = await json(cli("school-create", ["--name", "Гимназия № 5", "--timezone", "Europe/Samara", "--json"]));
    expect(created).toEqual({ schoolId: expect.stringMatching(/^[0-9a-f]{24}$/), token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    schoolId = created.schoolId as string;
    expect(await School.findById(schoolId).lean()).toMatchObject({ name: "Гимназия № 5", timezone: "Europe/Samara" });
  });

  test("a readable table without --json", async () => {
    const run = await cli("school-create", ["--name", "Школа № 7"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^field\s+value\n-+\s+-+\nschoolId\s+[0-9a-f]{24}\ntoken\s+\S{43}\n/);
  });

  test("school:token rotates the token", async () => {
    const before = (await School.findById(schoolId).lean())!.exchangeTokenHash;
    const rotated = await json(cli("school-token", ["--school", schoolId, "--json"]));
    expect(rotated.schoolId).toBe(schoolId);
    expect((await School.findById(schoolId).lean())!.exchangeTokenHash).not.toBe(before);
  });

  test("mistakes: one clear line and a non-zero exit", async () => {
    const missing = await cli("school-create", ["--json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe("--name is required");
    const unknown = await cli("school-token", ["--school", "5f0000000000000000000000"]);
    expect(unknown).toMatchObject({ code: 1, stderr: "School 5f0000000000000000000000 not found\n" });
    const option = await cli("school-token", ["--colour", "red"]);
    expect(option.code).toBe(2);
  });
});

describe("import", () => {
  test("a CSV file and a JSON file: the API's counts", async () => {
    expect(await json(cli("import", ["--school", schoolId, "subjects", path.join(FIXTURES, "subjects.csv"), "--json"]))).toEqual({ received: 3, created: 3, updated: 0, unchanged: 0, deleted: 0 });
    expect(await Subject.findOne({ schoolId, externalId: "lit" }).lean()).toMatchObject({ name: "Литература, чтение" });
    expect(await json(cli("import", ["--school", schoolId, "teachers", path.join(FIXTURES, "teachers.json"), "--json"]))).toMatchObject({ created: 2 });
    const again = await cli("import", ["--school", schoolId, "teachers", path.join(FIXTURES, "teachers.json")]);
    expect(again.stdout).toMatch(/teachers\s+2\s+0\s+0\s+2\s+0/);
  });

  test("invalid data: the same error list, exit code 1, nothing applied", async () => {
    const run = await cli("import", ["--school", schoolId, "teachers", path.join(FIXTURES, "teachers-invalid.csv"), "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: "The batch has 2 errors in its items; nothing was applied",
      errors: [
        { index: 0, path: "items.0.subjectIds.1", message: 'unknown subject "physics" (no subjects item with this externalId)' },
        { index: 1, path: "items.1.fullName", message: "is required" },
      ],
    });
    expect(await Teacher.countDocuments({ schoolId })).toBe(2);
    const table = await cli("import", ["--school", schoolId, "teachers", path.join(FIXTURES, "teachers-invalid.csv")]);
    expect(table.code).toBe(1);
    expect(table.stderr).toContain("items.1.fullName");
  });

  test("the new school year's rollover from a JSON file: the API's validation and answer", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollover-"));
    const file = (name: string, body: unknown) => (fs.writeFileSync(path.join(dir, name), JSON.stringify(body)), path.join(dir, name));
    const bundle = { classes: [{ externalId: "7b", name: "7Б", grade: 7 }, { externalId: "8b", name: "8Б", grade: 8 }], students: [{ externalId: "r1", fullName: "Орлова Вера", classId: "7b" }, { externalId: "r2", fullName: "Орлов Пётр", classId: "7b" }] };
    expect((await cli("import", ["--school", schoolId, "bundle", file("bundle.json", bundle), "--no-notify"])).code).toBe(0);
    const refused = await cli("import", ["--school", schoolId, "schoolYear", file("incomplete.json", { year: "2027/28", movers: [{ studentId: "r1", classId: "8b" }] }), "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).errors).toEqual([{ index: -1, path: "students.r2", message: 'student "r2" (class 7Б) is in neither movers nor leavers' }]);
    expect(await Student.countDocuments({ schoolId, "classHistory.0": { $exists: true } })).toBe(0);
    const done = await json(cli("import", ["--school", schoolId, "schoolYear", file("rollover.json", { year: "2027/28", movers: [{ studentId: "r1", classId: "8b" }], leavers: [{ studentId: "r2", left: "2027-06-30" }] }), "--json", "--no-notify"]));
    expect(done).toMatchObject({ year: "2027/28", moved: 1, left: 1, notified: 0 });
    fs.writeFileSync(path.join(dir, "x.csv"), "year\n2027/28\n");
    expect((await cli("import", ["--school", schoolId, "schoolYear", path.join(dir, "x.csv")])).code).toBe(2); // JSON only
  });

  test("an unreadable file or an unknown resource", async () => {
    expect(await cli("import", ["--school", schoolId, "teachers", "/nonexistent.json"])).toMatchObject({ code: 1, stderr: "cannot read /nonexistent.json: ENOENT\n" });
    expect((await cli("import", ["--school", schoolId, "marks", "x.json"])).code).toBe(2);
  });

  test("a header that names the prototype is refused with one line, nothing imported", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "import-")), "subjects.csv");
    fs.writeFileSync(file, "externalId,name,__proto__.isAdmin\nbio,Биология,true\n");
    const run = await cli("import", ["--school", schoolId, "subjects", file]);
    expect(run).toMatchObject({ code: 1, stderr: `${file}: column 3: "__proto__" cannot be a field name\n` });
    expect(await Subject.exists({ schoolId, externalId: "bio" })).toBeNull();
  });
});

describe("seed:demo", () => {
  test("a realistic school through the import, its token and a few guardian codes", async () => {
    const seeded = await json(cli("seed-demo", ["--today", "2026-11-25", "--json"]));
    const code = { role: "guardian", code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/), expiresAt: expect.any(String), studentExternalId: expect.any(String), studentName: expect.any(String), className: "5А" };
    expect(seeded).toEqual({ schoolId: expect.stringMatching(/^[0-9a-f]{24}$/), token: expect.any(String), codes: [code, code, code] });
    const id = seeded.schoolId as string;
    expect(await Student.countDocuments({ schoolId: id })).toBe(80);
    expect((await SchoolClass.find({ schoolId: id }).lean()).map((c) => c.name).sort()).toEqual(["11А", "1А", "5А", "7Б", "9А"]);
    expect(await Guardian.countDocuments({ schoolId: id })).toBeGreaterThanOrEqual(80);
    expect(await Grade.countDocuments({ schoolId: id })).toBeGreaterThan(1000);
    expect(await Lesson.countDocuments({ schoolId: id, status: { $in: ["substituted", "cancelled", "moved"] } })).toBeGreaterThanOrEqual(5);
    expect(await FinalGrade.countDocuments({ schoolId: id, status: "deferred" })).toBe(1);
    expect(await FinalGrade.countDocuments({ schoolId: id, status: "not_attested" })).toBe(1);
    expect((await School.findById(id).lean())!.loadedResources).toHaveLength(15);
  }, 120_000);
});
