/**
 * Start-up migrations of data written by older releases. Each runs once (a marker in the
 * `migrations` collection) and each step is idempotent on its own, so a start that dies half-way
 * simply does the rest next time. The service and the CLIs both run them (src/db/connect.ts).
 */
import mongoose, { Types } from "mongoose";
import { Account, DEFAULT_CHANNEL_ORDER, Guardian, GuardianLink } from "./models";
import { chainOf, recordHash } from "../domain/consent-chain";

type Db = mongoose.mongo.Db;

/** Collections renamed since the first release: old name → new name. */
const RENAMED_COLLECTIONS: ReadonlyArray<[string, string]> = [["telegram_accounts", "accounts"]];

/** Renames collections of an older release once (a no-op when already done or never created). */
export async function renameLegacyCollections(db: Db): Promise<void> {
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const [from, to] of RENAMED_COLLECTIONS) {
    if (names.has(from) && !names.has(to)) await db.renameCollection(from, to);
  }
}

/**
 * Issue 14: an account may be known only through MAX, so the plain unique index on `telegramId`
 * (which lets one account at most lack the field) gives way to a partial one. Indexes only, no data:
 * checked on every start (one listIndexes), a no-op once done or on a new database.
 */
export async function dropPlainTelegramIdIndex(db: Db): Promise<boolean> {
  const exists = (await db.listCollections({ name: "accounts" }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) return false;
  const plain = (await db.collection("accounts").listIndexes().toArray()).find((i) => i.name === "telegramId_1" && !i.partialFilterExpression);
  if (!plain) return false;
  await db.collection("accounts").dropIndex("telegramId_1");
  return true;
}

const BATCH = 500;
const DEFAULT_NOTIFY = { grades: "instant", forecast: true, timetable: true, assessments: true, homeworkDigest: false };

/**
 * One person, one account (issue #16.2): the settings an older release kept on the journal's
 * guardian record — channel order, notifications, and the contacts an account entered (source
 * "guardian") — are copied onto every account acting for that record (which of several parents
 * entered them is not known: each may remove them), then the entered contacts leave the shared
 * record. Paper reasons that now follow from each person (a refusal in the bot, a blocked bot) are
 * cleared from the record; the journal's and written ones stay.
 */
export async function movePersonSettingsToAccounts(): Promise<{ accounts: number; records: number }> {
  let accounts = 0;
  // Accounts of an older release have no `channelOrder` stored (new ones get the default on insert).
  for (;;) {
    const batch = await Account.find({ channelOrder: { $exists: false } }, { roles: 1 }).limit(BATCH).lean();
    if (!batch.length) break;
    const links = await GuardianLink.find({ accountId: { $in: batch.map((a) => a._id) } }, { accountId: 1, guardianId: 1 }).sort({ linkedAt: 1 }).lean();
    const recordIds = (a: (typeof batch)[number]) => {
      const ids = [...a.roles.filter((r) => r.role === "guardian" && r.guardianId).map((r) => r.guardianId!), ...links.filter((l) => l.accountId.equals(a._id)).map((l) => l.guardianId)];
      return [...new Map(ids.map((id) => [String(id), id])).values()];
    };
    const records = await Guardian.collection
      .find({ _id: { $in: batch.flatMap(recordIds) } }, { projection: { channelOrder: 1, notify: 1, contacts: 1 } })
      .toArray();
    const byId = new Map(records.map((g) => [String(g._id), g]));
    await Account.bulkWrite(
      batch.map((a) => {
        const own = recordIds(a).map((id) => byId.get(String(id))).filter((g) => !!g);
        const first = own[0];
        const entered = new Map<string, unknown>();
        for (const c of own.flatMap((g) => (g.contacts ?? []) as Array<{ kind: string; source: string }>)) {
          if (c.source === "guardian" && !entered.has(c.kind)) entered.set(c.kind, c);
        }
        return {
          updateOne: {
            filter: { _id: a._id, channelOrder: { $exists: false } },
            update: {
              $set: {
                channelOrder: Array.isArray(first?.channelOrder) && first.channelOrder.length ? first.channelOrder : [...DEFAULT_CHANNEL_ORDER],
                notify: { ...DEFAULT_NOTIFY, ...(first?.notify ?? {}) },
                contacts: [...entered.values()],
              },
            },
          },
        };
      }),
      { ordered: false },
    );
    accounts += batch.length;
  }

  // The entered contacts leave the records that some account acts for (they are on its account now).
  let records = 0;
  let after: Types.ObjectId | null = null;
  for (;;) {
    const batch: Array<{ _id: Types.ObjectId }> = await Guardian.find({ "contacts.source": "guardian", ...(after ? { _id: { $gt: after } } : {}) }, { _id: 1 })
      .sort({ _id: 1 })
      .limit(BATCH)
      .lean();
    if (!batch.length) break;
    after = batch[batch.length - 1]._id;
    const ids = batch.map((g) => g._id);
    const [linked, withRole] = await Promise.all([
      GuardianLink.distinct("guardianId", { guardianId: { $in: ids } }),
      Account.distinct("roles.guardianId", { "roles.guardianId": { $in: ids } }),
    ]);
    const acted = new Set([...linked, ...withRole].map(String));
    const done = ids.filter((id) => acted.has(String(id)));
    if (done.length) records += (await Guardian.updateMany({ _id: { $in: done } }, { $pull: { contacts: { source: "guardian" } } })).modifiedCount;
  }

  await Guardian.updateMany({ delivery: "paper", deliveryReason: { $in: ["declined", "blocked"] } }, { $set: { delivery: "electronic" }, $unset: { deliveryReason: 1 } });
  return { accounts, records };
}

type RawConsent = {
  _id: Types.ObjectId; schoolId?: Types.ObjectId | null; accountId?: Types.ObjectId | null; guardianId?: Types.ObjectId | null; decision: string; form: string;
  textVersion: string; textHash: string; recordedAt: Date; recordedBy?: Types.ObjectId | null; note?: string | null; chain?: string; seq?: number; hash?: string;
};

/**
 * Issue #16.8: links the consent records written before the hash chain existed into their chains,
 * in the order they were recorded. Runs once only: a record without a hash found later was written
 * outside the application, and `consent:verify` must report it, not this step absorb it. It writes
 * through the raw driver (the model refuses every change); production runs it with the migration
 * user before the insert-only role applies (docs/security.md).
 */
export async function chainLegacyConsentRecords(db: Db): Promise<number> {
  const collection = db.collection<RawConsent>("consent_records");
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const head of await collection.aggregate<{ _id: string; seq: number; hash: string }>([
    { $match: { chain: { $type: "string" }, hash: { $type: "string" } } },
    { $sort: { chain: 1, seq: -1 } },
    { $group: { _id: "$chain", seq: { $first: "$seq" }, hash: { $first: "$hash" } } },
  ]).toArray()) heads.set(head._id, { seq: head.seq, hash: head.hash });

  const hex = (id: Types.ObjectId | null | undefined) => (id ? String(id) : null);
  let chained = 0;
  let ops: Array<{ updateOne: { filter: object; update: object } }> = [];
  const flush = async () => {
    if (ops.length) await collection.bulkWrite(ops as never, { ordered: true });
    ops = [];
  };
  for await (const r of collection.find({ hash: { $exists: false } }).sort({ recordedAt: 1, _id: 1 })) {
    const chain = chainOf({ accountId: hex(r.accountId), guardianId: hex(r.guardianId), form: r.form, schoolId: hex(r.schoolId) });
    const head = heads.get(chain);
    const seq = head ? head.seq + 1 : 0;
    const prevHash = head?.hash ?? null;
    const hash = recordHash({
      id: String(r._id), chain, seq, prevHash, schoolId: hex(r.schoolId), accountId: hex(r.accountId), guardianId: hex(r.guardianId), decision: r.decision,
      form: r.form, textVersion: r.textVersion, textHash: r.textHash, recordedAt: new Date(r.recordedAt).toISOString(), recordedBy: hex(r.recordedBy), note: r.note ?? null,
    });
    heads.set(chain, { seq, hash });
    ops.push({ updateOne: { filter: { _id: r._id, hash: { $exists: false } }, update: { $set: { chain, seq, hash, ...(prevHash ? { prevHash } : {}) } } } });
    chained++;
    if (ops.length >= BATCH) await flush();
  }
  await flush();
  return chained;
}

/**
 * Issue 14: a new channel joins every stored channel order (a channel left out of an order is
 * switched off for the person); `at` says where in an order it goes.
 */
async function addToChannelOrders(db: Db, channel: string, at: (order: string[]) => number): Promise<number> {
  let changed = 0;
  for (const name of ["accounts", "guardians"]) {
    const collection = db.collection<{ _id: Types.ObjectId; channelOrder?: string[] }>(name);
    for (;;) {
      const batch = await collection.find({ channelOrder: { $exists: true, $nin: [channel] } }, { projection: { channelOrder: 1 } }).limit(BATCH).toArray();
      if (!batch.length) break;
      await collection.bulkWrite(
        batch.map((d) => {
          const order = [...(d.channelOrder ?? [])];
          order.splice(at(order), 0, channel);
          return { updateOne: { filter: { _id: d._id, channelOrder: { $nin: [channel] } }, update: { $set: { channelOrder: order } } } };
        }),
        { ordered: false },
      );
      changed += batch.length;
    }
  }
  return changed;
}

/** SMS just above paper, at the end when paper comes first (the person chose paper; that stays so). */
export function addSmsToChannelOrders(db: Db): Promise<number> {
  return addToChannelOrders(db, "sms", (order) => {
    const paper = order.indexOf("paper");
    return paper > 0 ? paper : order.length;
  });
}

/** MAX right after Telegram (the other messenger), at the end when paper comes first. */
export function addMaxToChannelOrders(db: Db): Promise<number> {
  return addToChannelOrders(db, "max", (order) => {
    if (order[0] === "paper") return order.length;
    const telegram = order.indexOf("telegram");
    return telegram >= 0 ? telegram + 1 : 0;
  });
}

const MIGRATIONS: ReadonlyArray<{ name: string; run: (db: Db) => Promise<unknown> }> = [
  { name: "2026-12-person-settings-on-accounts", run: () => movePersonSettingsToAccounts() },
  { name: "2026-12-consent-hash-chain", run: chainLegacyConsentRecords },
  { name: "2026-12-sms-in-channel-orders", run: addSmsToChannelOrders },
  { name: "2026-12-max-in-channel-orders", run: addMaxToChannelOrders },
];

/** Runs what has not run yet on this database, in order; each is marked done when it finished. */
export async function runMigrations(db: Db): Promise<string[]> {
  await renameLegacyCollections(db);
  await dropPlainTelegramIdIndex(db);
  const markers = db.collection<{ _id: string; doneAt: Date }>("migrations");
  const done = new Set((await markers.find({}, { projection: { _id: 1 } }).toArray()).map((m) => m._id));
  const ran: string[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.name)) continue;
    await migration.run(db);
    await markers.updateOne({ _id: migration.name }, { $setOnInsert: { doneAt: new Date() } }, { upsert: true });
    ran.push(migration.name);
  }
  return ran;
}
