/**
 * The start-up migration to one person per account (issue #16.2): data as an older release wrote
 * it — settings and entered contacts on the journal's guardian record, paper reasons of a refusal
 * or a blocked bot on the record — moves onto the accounts acting for each record, once.
 */
import mongoose, { Types } from "mongoose";
import { Account, Guardian, GuardianLink, School } from "../../src/db/models";
import { addMaxToChannelOrders, addSmsToChannelOrders, movePersonSettingsToAccounts, runMigrations } from "../../src/db/migrations";
import { clearDb, useTestDb } from "../support/db";

useTestDb();
beforeEach(() => clearDb());

const NOW = new Date("2026-11-20T09:00:00Z");
const oldNotify = { grades: "digest", forecast: false, timetable: true, assessments: true, homeworkDigest: true, quietHours: { start: "22:00", end: "07:00" } };

/** An account as the older release stored it: no settings of its own (written through the raw driver, so no defaults). */
async function oldAccount(telegramId: number, roles: Array<Record<string, unknown>>) {
  const _id = new Types.ObjectId();
  await Account.collection.insertOne({ _id, telegramId, chatId: telegramId, language: "ru", active: true, roles, codeAttempts: { failures: [] } });
  return _id;
}

async function olderRelease() {
  const school = await School.create({ name: "Школа" });
  const child = new Types.ObjectId();
  const shared = new Types.ObjectId();
  const orphan = new Types.ObjectId();
  const declined = new Types.ObjectId();
  const journalPaper = new Types.ObjectId();
  await Guardian.collection.insertMany([
    {
      _id: shared, schoolId: school._id, externalId: "g1", fullName: "Иванова Анна", studentIds: [child], delivery: "electronic",
      channelOrder: ["email", "telegram", "paper"], notify: oldNotify,
      contacts: [
        { kind: "email", value: "anna@example.ru", source: "guardian", verifiedAt: NOW },
        { kind: "phone", value: "+79160000001", source: "guardian", verifiedAt: NOW },
        { kind: "email", value: "journal@example.ru", source: "journal" },
        { kind: "phone", value: "+79160000002", source: "school-paper", verifiedAt: NOW },
      ],
    },
    // Entered by an account that is gone: nobody to move it to, it stays (the record person's now).
    { _id: orphan, schoolId: school._id, externalId: "g2", studentIds: [child], delivery: "electronic", channelOrder: ["telegram", "email", "paper"], contacts: [{ kind: "email", value: "left@example.ru", source: "guardian", verifiedAt: NOW }] },
    { _id: declined, schoolId: school._id, externalId: "g3", studentIds: [child], delivery: "paper", deliveryReason: "declined", contacts: [] },
    { _id: journalPaper, schoolId: school._id, externalId: "g4", studentIds: [child], delivery: "paper", deliveryReason: "journal", contacts: [] },
  ]);
  // Two parents acted for the shared record: one through a role and a link, one through a link only.
  const mother = await oldAccount(7_000_001, [{ role: "guardian", schoolId: school._id, guardianId: shared, grantedAt: NOW }]);
  const father = await oldAccount(7_000_002, []);
  const declining = await oldAccount(7_000_003, [{ role: "guardian", schoolId: school._id, guardianId: declined, grantedAt: NOW }]);
  const teacher = await oldAccount(7_000_004, [{ role: "admin", schoolId: school._id, grantedAt: NOW }]);
  await GuardianLink.create([
    { accountId: mother, guardianId: shared, studentId: child, schoolId: school._id },
    { accountId: father, guardianId: shared, studentId: child, schoolId: school._id },
  ]);
  return { shared, orphan, declined, journalPaper, mother, father, declining, teacher };
}

test("settings and entered contacts move from the shared record onto each account acting for it; the journal's stay", async () => {
  const old = await olderRelease();
  expect(await runMigrations(mongoose.connection.db!)).toEqual(["2026-12-person-settings-on-accounts", "2026-12-consent-hash-chain", "2026-12-sms-in-channel-orders", "2026-12-max-in-channel-orders"]);

  for (const id of [old.mother, old.father]) {
    const account = (await Account.findById(id).lean())!;
    // SMS joins the order just above paper, MAX right after Telegram (issue 14).
    expect(account.channelOrder).toEqual(["email", "telegram", "max", "sms", "paper"]);
    expect(account.notify).toMatchObject(oldNotify);
    expect(account.contacts.map((c) => [c.kind, c.value, c.source])).toEqual([["email", "anna@example.ru", "guardian"], ["phone", "+79160000001", "guardian"]]);
  }
  // Accounts without a record get the defaults.
  expect(await Account.findById(old.teacher).lean()).toMatchObject({ channelOrder: ["telegram", "max", "email", "sms", "paper"], contacts: [], notify: { grades: "instant", forecast: true } });
  // The shared record keeps what the journal and the school's paper said, nothing a parent entered.
  expect((await Guardian.findById(old.shared).lean())!.contacts.map((c) => c.source)).toEqual(["journal", "school-paper"]);
  expect((await Guardian.findById(old.orphan).lean())!.contacts.map((c) => c.value)).toEqual(["left@example.ru"]);
  // A refusal in the bot is the account's own now (its consent record); the journal's paper stays the record's.
  expect(await Guardian.findById(old.declined).lean()).toMatchObject({ delivery: "electronic" });
  expect((await Guardian.findById(old.declined).lean())!.deliveryReason).toBeUndefined();
  expect(await Guardian.findById(old.journalPaper).lean()).toMatchObject({ delivery: "paper", deliveryReason: "journal" });
});

test("runs once; each step again changes nothing (a start that died half-way finishes the rest)", async () => {
  const old = await olderRelease();
  await runMigrations(mongoose.connection.db!);
  // The person changes their own settings after the upgrade.
  await Account.updateOne({ _id: old.mother }, { $set: { channelOrder: ["telegram", "paper", "email"], contacts: [] } });
  expect(await runMigrations(mongoose.connection.db!)).toEqual([]);
  expect(await movePersonSettingsToAccounts()).toEqual({ accounts: 0, records: 0 });
  expect(await Account.findById(old.mother).lean()).toMatchObject({ channelOrder: ["telegram", "paper", "email"], contacts: [] });
});

test("SMS joins stored channel orders above paper; a person who put paper first keeps paper first", async () => {
  const school = await School.create({ name: "Школа" });
  const ids = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
  await Guardian.collection.insertMany([
    { _id: ids[0], schoolId: school._id, externalId: "s1", studentIds: [], delivery: "electronic", channelOrder: ["telegram", "email", "paper"], contacts: [] },
    { _id: ids[1], schoolId: school._id, externalId: "s2", studentIds: [], delivery: "electronic", channelOrder: ["paper", "telegram", "email"], contacts: [] },
    { _id: ids[2], schoolId: school._id, externalId: "s3", studentIds: [], delivery: "electronic", channelOrder: ["sms", "telegram", "paper"], contacts: [] },
  ]);
  expect(await addSmsToChannelOrders(mongoose.connection.db!)).toBe(2);
  const orders = await Promise.all(ids.map(async (id) => (await Guardian.findById(id).lean())!.channelOrder));
  expect(orders).toEqual([["telegram", "email", "sms", "paper"], ["paper", "telegram", "email", "sms"], ["sms", "telegram", "paper"]]);
  expect(await addSmsToChannelOrders(mongoose.connection.db!)).toBe(0);
});

test("MAX joins stored channel orders right after Telegram; a person who put paper first keeps paper first", async () => {
  const school = await School.create({ name: "Школа MAX" });
  const ids = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
  await Guardian.collection.insertMany([
    { _id: ids[0], schoolId: school._id, externalId: "m1", studentIds: [], delivery: "electronic", channelOrder: ["email", "telegram", "sms", "paper"], contacts: [] },
    { _id: ids[1], schoolId: school._id, externalId: "m2", studentIds: [], delivery: "electronic", channelOrder: ["paper", "telegram", "email", "sms"], contacts: [] },
    { _id: ids[2], schoolId: school._id, externalId: "m3", studentIds: [], delivery: "electronic", channelOrder: ["max", "telegram", "paper"], contacts: [] },
  ]);
  const changed = await addMaxToChannelOrders(mongoose.connection.db!);
  const orders = await Promise.all(ids.map(async (id) => (await Guardian.findById(id).lean())!.channelOrder));
  expect(orders).toEqual([["email", "telegram", "max", "sms", "paper"], ["paper", "telegram", "email", "sms", "max"], ["max", "telegram", "paper"]]);
  expect(changed).toBeGreaterThanOrEqual(2);
  expect(await addMaxToChannelOrders(mongoose.connection.db!)).toBe(0);
});
