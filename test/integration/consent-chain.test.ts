/**
 * Issue #16.8: consent records form a hash chain per person and school. Appending links each record
 * to the previous one (also when two are written at once); `verifyConsentChains` and the
 * `consent:verify` CLI find a record edited, removed or inserted through the raw driver, and name it.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Types } from "mongoose";
import mongoose from "mongoose";
import { ConsentRecord, Guardian, School, Account } from "../../src/db/models";
import { chainLegacyConsentRecords, runMigrations } from "../../src/db/migrations";
import { appendConsent, verifyConsentChains } from "../../src/services/consent-records";
import { clearDb, testMongoUriFor, useTestDb } from "../support/db";

const db = useTestDb();
const ROOT = path.resolve(__dirname, "../..");
const NOW = new Date("2026-11-20T09:00:00Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

function verifyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(ROOT, "dist/src/cli/consent-verify.js");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  const { BOT_TOKEN: _unused, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 60_000, env: { ...env, MONGODB_URI: testMongoUriFor(db.dbName), CODE_PEPPER: "chain-test-pepper-0123456789", LOG_LEVEL: "error", EMBEDDED_SERVICES: "false" } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function people() {
  const school = await School.create({ name: "Школа № 3" });
  const guardian = await Guardian.create({ schoolId: school._id, fullName: "Орлова Нина", studentIds: [] });
  const [mother, father] = await Account.create([{ telegramId: 4_100_001, chatId: 1 }, { telegramId: 4_100_002, chatId: 2 }]);
  const decide = (who: { accountId?: Types.ObjectId; guardianId?: Types.ObjectId }, decision: "granted" | "declined" | "withdrawn", minute: number, form: "telegram" | "paper" = who.guardianId ? "paper" : "telegram") =>
    appendConsent({ schoolId: school._id, ...who, decision, form, textVersion: "2026-11", textHash: "a".repeat(64), recordedAt: at(minute) });
  return { school, guardian, mother, father, decide };
}

beforeEach(() => clearDb());

test("records are chained per person and school; a written decision with a signer is the record person's", async () => {
  const { school, guardian, mother, father, decide } = await people();
  const m1 = await decide({ accountId: mother._id }, "granted", 0);
  await decide({ accountId: father._id }, "granted", 1);
  const m2 = await decide({ accountId: mother._id }, "withdrawn", 2);
  const w = await decide({ guardianId: guardian._id, accountId: mother._id }, "withdrawn", 3);
  expect([m1.chain, m1.seq, m1.prevHash]).toEqual([`a${mother._id}:${school._id}`, 0, undefined]);
  expect([m2.chain, m2.seq, m2.prevHash]).toEqual([`a${mother._id}:${school._id}`, 1, m1.hash]);
  expect([w.chain, w.seq]).toEqual([`g${guardian._id}:${school._id}`, 0]);
  const report = await verifyConsentChains();
  expect(report).toMatchObject({ records: 4, chains: 3, broken: [] });
  expect(report.heads).toContainEqual({ chain: `a${mother._id}:${school._id}`, seq: 1, hash: m2.hash });
});

test("two decisions of one person written at once both land, one after the other", async () => {
  const { mother, decide } = await people();
  const records = await Promise.all([0, 1, 2, 3, 4].map((n) => decide({ accountId: mother._id }, n % 2 ? "declined" : "granted", n)));
  expect(records.map((r) => r.seq).sort()).toEqual([0, 1, 2, 3, 4]);
  expect((await verifyConsentChains()).broken).toEqual([]);
});

test("an edit, a removal and an insertion through the raw driver are found and named", async () => {
  const { school, mother, father, decide } = await people();
  const first = await decide({ accountId: mother._id }, "granted", 0);
  const refusal = await decide({ accountId: mother._id }, "declined", 1);
  await decide({ accountId: mother._id }, "granted", 2);
  const f1 = await decide({ accountId: father._id }, "granted", 3);
  const f2 = await decide({ accountId: father._id }, "withdrawn", 4);
  await decide({ accountId: father._id }, "granted", 5);

  // The mother's refusal quietly turned into a consent, outside the application.
  await ConsentRecord.collection.updateOne({ _id: refusal._id }, { $set: { decision: "granted" } });
  // The father's withdrawal removed.
  await ConsentRecord.collection.deleteOne({ _id: f2._id });
  // A consent slipped in for a third person.
  const forged = new Types.ObjectId();
  await ConsentRecord.collection.insertOne({ _id: forged, accountId: new Types.ObjectId(), schoolId: school._id, decision: "granted", form: "telegram", textVersion: "2026-11", textHash: "b".repeat(64), recordedAt: at(6) });

  const report = await verifyConsentChains(school._id);
  expect(report.broken).toEqual([
    { id: String(forged), chain: "", seq: null, problem: "not-chained" },
    { id: String(refusal._id), chain: `a${mother._id}:${school._id}`, seq: 1, problem: "hash-mismatch" },
    expect.objectContaining({ chain: `a${father._id}:${school._id}`, seq: 2, problem: "sequence-gap" }),
  ]);
  // The records before the damage are fine.
  expect(report.broken.map((b) => b.id)).not.toContain(String(first._id));
  expect(report.broken.map((b) => b.id)).not.toContain(String(f1._id));

  // Moving a record to another person's chain does not help either.
  await ConsentRecord.collection.updateOne({ _id: f1._id }, { $set: { accountId: mother._id } });
  expect((await verifyConsentChains(school._id)).broken).toContainEqual(expect.objectContaining({ id: String(f1._id), problem: "wrong-chain" }));
});

test("consent:verify: exit 0 on intact chains, exit 1 naming the first broken record", async () => {
  const { school, mother, decide } = await people();
  await decide({ accountId: mother._id }, "granted", 0);
  const second = await decide({ accountId: mother._id }, "withdrawn", 1);
  const ok = await verifyCli(["--school", String(school._id), "--json"]);
  expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, records: 2, chains: 1, broken: [], heads: [{ seq: 1, hash: second.hash }] });
  const table = await verifyCli([]);
  expect(table).toMatchObject({ code: 0 });
  expect(table.stdout).toMatch(/^records\s+chains\s+broken\n-+.*\n2\s+1\s+0/);

  await ConsentRecord.collection.updateOne({ _id: second._id }, { $set: { recordedAt: at(30) } });
  const broken = await verifyCli(["--json"]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toBe(`Consent records: chain broken at record ${second._id} (a${mother._id}:${school._id}, #1): hash-mismatch; 1 chain(s) broken\n`);
  expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, broken: [{ id: String(second._id), problem: "hash-mismatch" }] });
  expect((await verifyCli(["--school", "nonsense"])).code).toBe(1);
}, 60_000);

test("records of an older release are chained once at start-up; a record without a hash found later stays reported", async () => {
  const { school, mother } = await people();
  const raw = (minute: number, decision: string) => ({ _id: new Types.ObjectId(), accountId: mother._id, schoolId: school._id, decision, form: "telegram", textVersion: "2026-11", textHash: "c".repeat(64), recordedAt: at(minute) });
  const legacy = [raw(0, "granted"), raw(1, "declined"), raw(2, "granted")];
  await ConsentRecord.collection.insertMany(legacy);
  expect((await verifyConsentChains()).broken.map((b) => b.problem)).toEqual(["not-chained", "not-chained", "not-chained"]);
  const dbHandle = mongoose.connection.db!;
  expect(await runMigrations(dbHandle)).toContain("2026-12-consent-hash-chain");
  const chained = await ConsentRecord.find({}).sort({ seq: 1 }).lean();
  expect(chained.map((r) => [String(r._id), r.seq])).toEqual(legacy.map((r, i) => [String(r._id), i]));
  expect(await verifyConsentChains()).toMatchObject({ records: 3, chains: 1, broken: [] });
  // New decisions continue the chain.
  const next = await appendConsent({ accountId: mother._id, schoolId: school._id, decision: "withdrawn", form: "telegram", textVersion: "2026-11", textHash: "c".repeat(64), recordedAt: at(3) });
  expect(next).toMatchObject({ seq: 3, prevHash: chained[2].hash });
  // A later start does not absorb a record written outside the application.
  const slipped = raw(4, "granted");
  await ConsentRecord.collection.insertOne(slipped);
  expect(await runMigrations(dbHandle)).toEqual([]);
  expect((await verifyConsentChains()).broken).toEqual([{ id: String(slipped._id), chain: "", seq: null, problem: "not-chained" }]);
  // The step itself is idempotent for what it chained (a start that died half-way).
  await ConsentRecord.collection.deleteOne({ _id: slipped._id });
  expect(await chainLegacyConsentRecords(dbHandle)).toBe(0);
});

test("a written statement's number, date and file hash are covered: an edit of any is found; records without one keep their hashes", async () => {
  const { school, guardian, decide } = await people();
  const plain = await decide({ guardianId: guardian._id }, "granted", 0);
  const withDocument = (number: string, minute: number) => appendConsent({
    schoolId: school._id, guardianId: guardian._id, decision: "withdrawn", form: "edoc", textVersion: "2026-11", textHash: "a".repeat(64), recordedAt: at(minute),
    document: { number, date: "2026-11-19", fileHash: "c".repeat(64) },
  });
  const first = await withDocument("ЭД-1", 1);
  const second = await withDocument("ЭД-2", 2);
  expect((await verifyConsentChains(school._id)).broken).toEqual([]);
  expect((await ConsentRecord.findById(second._id).lean())!.document).toEqual({ number: "ЭД-2", date: "2026-11-19", fileHash: "c".repeat(64) });
  await ConsentRecord.collection.updateOne({ _id: first._id }, { $set: { "document.fileHash": "d".repeat(64) } });
  await ConsentRecord.collection.updateOne({ _id: second._id }, { $set: { "document.number": "ЭД-3" } });
  const broken = (await verifyConsentChains(school._id)).broken;
  expect(broken).toEqual([expect.objectContaining({ id: String(first._id), problem: "hash-mismatch" })]);
  // The first break of a chain is named; mending it shows the next one.
  await ConsentRecord.collection.updateOne({ _id: first._id }, { $set: { "document.fileHash": "c".repeat(64) } });
  expect((await verifyConsentChains(school._id)).broken).toEqual([expect.objectContaining({ id: String(second._id), problem: "hash-mismatch" })]);
  expect((await verifyConsentChains(school._id)).broken.map((b) => b.id)).not.toContain(String(plain._id));
});
