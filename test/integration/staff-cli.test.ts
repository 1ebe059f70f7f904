/**
 * `npm run staff` as a school's IT runs it (issue 16.5): the built CLI against the test database —
 * the list of teachers and admins with their expiry, renewal through the next school year,
 * revocation with a reason; every change in the audit log; one clear line on a mistake.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Account, AuditEntry, InviteCode, School, Teacher } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { redeemCode } from "../../src/services/linking";
import { testMongoUriFor, useTestDb } from "../support/db";

const db = useTestDb();
const ROOT = path.resolve(__dirname, "../..");
const PEPPER = "staff-cli-test-pepper-0123456789";
const BOOTSTRAP = 111_222_333;

type Run = { code: number; stdout: string; stderr: string };

function cli(name: string, args: string[]): Promise<Run> {
  const file = path.join(ROOT, "dist/src/cli", `${name}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  const { BOT_TOKEN: _unused, ...env } = process.env;
  const vars = { ...env, MONGODB_URI: testMongoUriFor(db.dbName), CODE_PEPPER: PEPPER, ADMIN_TELEGRAM_IDS: String(BOOTSTRAP), LOG_LEVEL: "error", EMBEDDED_SERVICES: "false" };
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 60_000, env: vars }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function json(run: Promise<Run>) {
  const { code, stdout, stderr } = await run;
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(stdout);
}

/** A staff code from the codes CLI, redeemed by a new account. */
async function staffMember(telegramId: number, codeArgs: string[]) {
  const [issued] = await json(cli("codes", ["--school", schoolId, ...codeArgs, "--json"]));
  const code = (await InviteCode.findOne({ codeHash: hashCode(PEPPER, normalizeCode(issued.code)) }).lean())!;
  const account = await Account.create({ telegramId, chatId: telegramId });
  expect(await redeemCode({ accountId: account._id, codeId: String(code._id), now: new Date() })).toMatchObject({ status: "linked" });
  return account;
}

let schoolId: string;

beforeAll(async () => {
  schoolId = String((await School.create({ name: "Школа № 12" }))._id);
  await Teacher.create({ schoolId, externalId: "t-sok", fullName: "Соколова Мария Ивановна" });
}, 60_000);

test("--list, --renew, --revoke: the staff as the school has them, every change in the audit log", async () => {
  const admin = await staffMember(500_001, ["--admin", "--label", "завуч Петрова"]);
  const teacher = await staffMember(500_002, ["--teacher", "t-sok"]);
  const yearEnd = (await Account.findById(admin._id).lean())!.roles[0].expiresAt!;
  expect(yearEnd.getTime()).toBeGreaterThan(Date.now());

  const list = await json(cli("staff", ["--school", schoolId, "--list", "--json"]));
  expect(list).toEqual([
    { telegramId: BOOTSTRAP, role: "admin", source: "config" },
    expect.objectContaining({ accountId: String(admin._id), telegramId: 500_001, role: "admin", source: "code", label: "завуч Петрова", expiresAt: yearEnd.toISOString() }),
    expect.objectContaining({ accountId: String(teacher._id), telegramId: 500_002, role: "teacher", teacherExternalId: "t-sok", teacherName: "Соколова Мария Ивановна" }),
  ]);
  const table = await cli("staff", ["--school", schoolId, "--list"]);
  expect(table.stdout).toMatch(/^role\s+account\s+telegram\s+who\s+granted\s+until\s+classes\n/);
  expect(table.stdout).toMatch(/admin\s+111222333\s+ADMIN_TELEGRAM_IDS\s+always/);
  // The last day of the role on the school's calendar (Moscow): the day before its midnight end.
  expect(table.stdout).toContain(new Date(yearEnd.getTime() + 3 * 3600_000 - 1).toISOString().slice(0, 10));
  expect(table.stdout).toContain("завуч Петрова");

  // Renewing keeps both through the next school year; again, nothing changes.
  const renewed = await json(cli("staff", ["--school", schoolId, "--renew", "all", "--json"]));
  expect(renewed.map((r: { role: string }) => r.role).sort()).toEqual(["admin", "teacher"]);
  expect(new Date(renewed[0].after).getTime() - yearEnd.getTime()).toBeGreaterThan(300 * 24 * 3600_000);
  expect(await json(cli("staff", ["--school", schoolId, "--renew", "all", "--json"]))).toEqual([]);

  const revoked = await json(cli("staff", ["--school", schoolId, "--revoke", "500001", "--reason", "перешла в другую школу", "--json"]));
  expect(revoked).toMatchObject({ accountId: String(admin._id), revoked: [{ role: "admin" }], codesRevoked: false });
  expect((await Account.findById(admin._id).lean())!.roles).toEqual([]);
  const entries = await AuditEntry.find({ "target.id": admin._id }).sort({ at: 1, _id: 1 }).lean();
  expect(entries.map((e) => e.action)).toEqual(["role.granted", "role.renewed", "role.revoked"]);
  expect(entries[2]).toMatchObject({ actor: { kind: "cli", name: "staff" }, reason: "перешла в другую школу", before: { role: "admin" }, after: null });

  // The teacher by account id and role.
  expect(await json(cli("staff", ["--school", schoolId, "--revoke", String(teacher._id), "--role", "teacher", "--json"]))).toMatchObject({ revoked: [{ role: "teacher" }] });
}, 120_000);

test("mistakes: one clear line and a non-zero exit, nothing changed", async () => {
  expect(await cli("staff", ["--school", schoolId, "--revoke", "424242"])).toMatchObject({ code: 1, stderr: "424242 has no teacher or admin role in this school\n" });
  expect(await cli("staff", ["--school", schoolId, "--revoke", String(BOOTSTRAP)])).toMatchObject({
    code: 1, stderr: `${BOOTSTRAP} is an admin through ADMIN_TELEGRAM_IDS: remove it there and restart the service\n`,
  });
  expect((await cli("staff", ["--school", schoolId, "--revoke", "Петрова"])).stderr).toContain("neither an account id");
  expect((await cli("staff", ["--school", schoolId, "--renew", "424242"])).stderr).toContain("has no teacher or admin role in force");
  expect((await cli("staff", ["--school", schoolId])).code).toBe(2);
  expect((await cli("staff", ["--school", schoolId, "--list", "--role", "parent"])).code).toBe(2);
  expect((await cli("staff", ["--school", schoolId, "--list", "--with-codes"])).code).toBe(2);
}, 120_000);
