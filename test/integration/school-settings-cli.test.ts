/**
 * `npm run school:settings` as a school's IT runs it (issue 13.1): the built CLI against the test
 * database — the settings as JSON and as a table; a valid set changes the school and writes the audit
 * log (who = cli); an unknown key or an invalid value is one line naming it, exit 1, and nothing
 * changes; a change the consent text quotes gives it a new version, so a guardian's consent given in
 * the bot to the older text is outdated (and the bot asks again: test/bot/onboarding-resilience).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Account, AuditEntry, School } from "../../src/db/models";
import { consentTextHash } from "../../src/domain/consent";
import { consentState } from "../../src/services/access";
import { consentFullText, consentSchool } from "../../src/services/consent";
import { appendConsent } from "../../src/services/consent-records";
import { createI18n, translator } from "../../src/i18n";
import { testMongoUriFor, useTestDb } from "../support/db";

const db = useTestDb();
const ROOT = path.resolve(__dirname, "../..");

type Run = { code: number; stdout: string; stderr: string };

function cli(args: string[]): Promise<Run> {
  const file = path.join(ROOT, "dist/src/cli/school-settings.js");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  const { BOT_TOKEN: _unused, ...env } = process.env;
  const vars = { ...env, MONGODB_URI: testMongoUriFor(db.dbName), CODE_PEPPER: "settings-cli-test-pepper-0123456789", LOG_LEVEL: "error", EMBEDDED_SERVICES: "false" };
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

let schoolId: string;
const stored = async () => {
  const school = (await School.findById(schoolId).lean())!;
  return { name: school.name, address: school.address, timezone: school.timezone, operator: school.operator, settings: school.settings };
};

beforeAll(async () => {
  schoolId = String((await School.create({ name: "Школа № 12", address: "г. Тула, ул. Ленина, 1" }))._id);
}, 60_000);

test("prints every setting: one JSON document, or a table", async () => {
  const shown = await json(cli(["--school", schoolId, "--json"]));
  expect(shown).toMatchObject({
    schoolId,
    consentVersion: "2026-12",
    settings: { name: "Школа № 12", "quietHours.start": "21:00", "quietHours.end": "08:00", "thresholds.five": 4.5, workTypeWeights: {}, "sms.maxParts": 2, "operator.inn": null },
  });
  expect(shown.changed).toBeUndefined();
  const table = await cli(["--school", schoolId]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^group\s+key\s+value\n/);
  expect(table.stdout).toMatch(/time\s+quietHours\.start\s+21:00\n/);
  expect(table.stdout).toContain("consent text version: 2026-12");
});

test("a valid set changes the school, all of it, with an audit entry per key (who = cli)", async () => {
  const done = await json(cli(["--school", schoolId, "--set", "quietHours.start=22:00", "--set", "quietHours.end=7:00", "--set", "workTypeWeights=контрольная: 3", "--set", "minGrades=3", "--json"]));
  expect(done.changed).toEqual([
    { key: "quietHours.start", before: "21:00", after: "22:00" },
    { key: "quietHours.end", before: "08:00", after: "07:00" },
    { key: "workTypeWeights", before: {}, after: { контрольная: 3 } },
  ]);
  expect(done.settings["quietHours.start"]).toBe("22:00");
  const school = await stored();
  expect(school.settings.quietHours).toEqual({ start: "22:00", end: "07:00" });
  expect(school.settings.workTypeWeights).toEqual({ контрольная: 3 });
  const entries = await AuditEntry.find({ schoolId }).sort({ _id: 1 }).lean();
  expect(entries.map((e) => ({ action: e.action, key: e.key, before: e.before, after: e.after, actor: e.actor, target: e.target }))).toEqual([
    { action: "school.setting-changed", key: "quietHours.start", before: "21:00", after: "22:00", actor: { kind: "cli", name: "school:settings" }, target: { kind: "school", id: expect.anything() } },
    { action: "school.setting-changed", key: "quietHours.end", before: "08:00", after: "07:00", actor: { kind: "cli", name: "school:settings" }, target: expect.anything() },
    { action: "school.setting-changed", key: "workTypeWeights", before: {}, after: { контрольная: 3 }, actor: { kind: "cli", name: "school:settings" }, target: expect.anything() },
  ]);

  // The same values again: nothing changes, nothing is logged; the text says so.
  const again = await cli(["--school", schoolId, "--set", "quietHours.start=22:00"]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("Nothing changed");
  expect(await AuditEntry.countDocuments({ schoolId })).toBe(3);
});

test.each([
  [["--set", "quietHours.start=23:00", "--set", "quiet.end=06:00"], "Nothing changed: quiet.end: unknown setting"],
  [["--set", "quietHours.start=23:00", "--set", "quietHours.end=31:00"], 'Nothing changed: quietHours.end: "31:00" is not a time HH:mm'],
  [["--set", "thresholds.four=4.8"], "Nothing changed: thresholds.four: thresholds must satisfy five > four > three (now 4.5 > 4.8 > 2.5)"],
  [["--set", "timezone=Europe/Atlantis", "--json"], 'Nothing changed: timezone: "Europe/Atlantis" is not an IANA time zone (such as Europe/Moscow)'],
])("%j: one line naming it, exit 1, nothing changed", async (args, line) => {
  const before = await stored();
  const audit = await AuditEntry.countDocuments({ schoolId });
  const run = await cli(["--school", schoolId, ...args]);
  expect(run).toEqual({ code: 1, stdout: "", stderr: `${line}\n` });
  expect(await stored()).toEqual(before);
  expect(await AuditEntry.countDocuments({ schoolId })).toBe(audit);
});

test("mistakes in the call itself: usage (exit 2); an unknown school (exit 1)", async () => {
  const bad = await cli(["--school", schoolId, "--set", "quietHours.start"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr.split("\n")[0]).toBe('--set needs key=value, got "quietHours.start"');
  const missing = await cli(["--school", "0123456789abcdef01234567", "--json"]);
  expect(missing).toMatchObject({ code: 1, stderr: "School 0123456789abcdef01234567 not found\n" });
});

test("what the consent quotes gets a new version: a consent in the bot to the older text is outdated", async () => {
  const t = translator(createI18n(), "ru");
  const account = await Account.create({ telegramId: 880_001, chatId: 880_001 });
  const school = (await consentSchool(schoolId))!;
  const oid = (await School.findById(schoolId))!._id;
  await appendConsent({ accountId: account._id, schoolId: oid, decision: "granted", form: "telegram", textVersion: school.version, textHash: consentTextHash(consentFullText(t, school)), recordedAt: new Date() });
  expect(await consentState(account._id, oid)).toBe("granted");

  const done = await json(cli(["--school", schoolId, "--set", "operator.name=МБОУ «Средняя школа № 12»", "--set", "operator.inn=7101234567", "--set", "operator.responsible=Петрова Анна Сергеевна, заместитель директора", "--json"]));
  expect(done.consentVersion).toBe("2026-12.1");
  expect(await consentState(account._id, oid)).toBe("outdated");
  const version = await AuditEntry.findOne({ schoolId, key: "consent.version" }).lean();
  expect(version).toMatchObject({ before: "2026-12", after: "2026-12.1", actor: { kind: "cli", name: "school:settings" } });

  const text = consentFullText(t, (await consentSchool(schoolId))!);
  expect(text).toContain("оператору — МБОУ «Средняя школа № 12», ИНН 7101234567 (адрес: г. Тула, ул. Ленина, 1) — на обработку");
  expect(text).toContain("7. Лицо, ответственное за организацию обработки персональных данных: Петрова Анна Сергеевна, заместитель директора.");
  expect(text).toContain("Версия текста: 2026-12.1.");

  // Quiet hours are not in the text: the version stays.
  const quiet = await json(cli(["--school", schoolId, "--set", "quietHours.start=21:30", "--json"]));
  expect(quiet.consentVersion).toBe("2026-12.1");
});
