/**
 * The MongoDB wire-protocol stand-in (test/support/mongo-standin.py) driven through mongoose 9 and
 * the MongoDB driver 7, the way the data layer uses it. The file starts its own stand-in, whatever
 * the global setup chose, so it always tests the stand-in itself.
 */
import mongoose, { Schema, Types } from "mongoose";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { startStandin, standinAvailable, type Standin } from "../support/mongo-standin";

const { BSON } = mongoose.mongo;
/** Documents in the write that must not hold up hello (about 2 s on a 2-core machine). */
const BUSY_WRITE_DOCS = 40_000;

interface MongoBulkError {
  writeErrors: { index: number; code: number; errmsg: string }[];
  result: { upsertedCount: number; matchedCount: number };
}

/** The error a bulk write must fail with. */
function bulkError(write: Promise<unknown>): Promise<MongoBulkError> {
  return write.then(
    () => {
      throw new Error("the bulk write succeeded");
    },
    (error: unknown) => error as MongoBulkError,
  );
}
const describeStandin = standinAvailable() ? describe : describe.skip;

describeStandin("mongo-standin", () => {
  const dbName = `standin_${randomBytes(4).toString("hex")}`;
  let standin: Standin;
  const commands: string[] = [];

  beforeAll(async () => {
    standin = await startStandin();
    await mongoose.connect(standin.uri, { dbName, serverSelectionTimeoutMS: 5000, monitorCommands: true });
    mongoose.connection.getClient().on("commandStarted", (event) => commands.push(event.commandName));
  });

  afterAll(async () => {
    await mongoose.disconnect();
    await standin?.stop();
  });

  /** Each test gets its own model (and collection) so tests stay independent. */
  let modelCounter = 0;
  function model<T>(schema: Schema<T>) {
    modelCounter += 1;
    return mongoose.model<T>(`StandinModel${modelCounter}`, schema, `coll_${modelCounter}`);
  }

  const db = () => mongoose.connection.db!;

  describe("reads", () => {
    const Pupil = model(new Schema({ name: String, grade: Number, tags: [String], note: String }));

    beforeAll(async () => {
      // insertMany keeps insertion (natural) order; create([...]) saves in parallel.
      await Pupil.insertMany(
        ["Dana", "Ann", "Cleo", "Boris", "Eve"].map((name, i) => ({ name, grade: 5 - i, tags: [`t${i % 2}`], note: `n${i}` })),
      );
    });

    it("finds with filter, sort, skip, limit and projection", async () => {
      const docs = await Pupil.find({ grade: { $gte: 2 } }, { name: 1, _id: 0 }).sort({ name: 1 }).skip(1).limit(2).lean();
      expect(docs).toEqual([{ name: "Boris" }, { name: "Cleo" }]);

      const excluded = await Pupil.findOne({ name: "Eve" }).select("-note -__v").lean();
      expect(excluded).toMatchObject({ name: "Eve", grade: 1, tags: ["t0"] });
      expect(excluded).not.toHaveProperty("note");

      const byRegex = await Pupil.find({ name: /^[ab]/i }).sort({ grade: -1 }).lean();
      expect(byRegex.map((d) => d.name)).toEqual(["Ann", "Boris"]);

      const byArray = await Pupil.find({ tags: "t1", name: { $in: ["Ann", "Cleo", "Boris"] } }).sort({ name: -1 }).lean();
      expect(byArray.map((d) => d.name)).toEqual(["Boris", "Ann"]);
    });

    it("counts and lists distinct values", async () => {
      expect(await Pupil.countDocuments({ grade: { $gt: 2 } })).toBe(3);
      expect(await Pupil.countDocuments()).toBe(5);
      expect(await Pupil.estimatedDocumentCount()).toBe(5);
      expect(await Pupil.distinct("tags")).toEqual(["t0", "t1"]);
      expect(await Pupil.distinct("grade", { grade: { $lt: 3 } })).toEqual([1, 2]);
    });

    it("aggregates with $match, $group, $sort, $project", async () => {
      const rows = await Pupil.aggregate<{ _id: string; total: number; names: string[] }>([
        { $match: { grade: { $gte: 1 } } },
        { $unwind: "$tags" },
        { $group: { _id: "$tags", total: { $sum: "$grade" }, names: { $push: "$name" } } },
        { $sort: { total: -1 } },
      ]);
      expect(rows).toEqual([
        { _id: "t0", total: 9, names: ["Dana", "Cleo", "Eve"] },
        { _id: "t1", total: 6, names: ["Ann", "Boris"] },
      ]);
      const projected = await Pupil.aggregate([{ $match: { name: "Ann" } }, { $project: { _id: 0, upper: { $toUpper: "$name" } } }]);
      expect(projected).toEqual([{ upper: "ANN" }]);
      const unset = await Pupil.aggregate([{ $match: { name: "Ann" } }, { $unset: ["_id", "tags", "note", "__v"] }]);
      expect(unset).toEqual([{ name: "Ann", grade: 4 }]);
      // $sortByCount and $replaceWith are rewritten into stages mongomock has.
      const byCount = await Pupil.aggregate([{ $unwind: "$tags" }, { $sortByCount: "$tags" }]);
      expect(byCount).toEqual([
        { _id: "t0", count: 3 },
        { _id: "t1", count: 2 },
      ]);
      const replaced = await Pupil.aggregate([{ $match: { name: "Eve" } }, { $replaceWith: { who: "$name" } }]);
      expect(replaced).toEqual([{ who: "Eve" }]);
    });

    it("sorts arrays by their smallest element ascending and largest descending, like mongod", async () => {
      const coll = db().collection<{ _id: number; v?: number | number[] }>("array_sort");
      await coll.insertMany([
        { _id: 1, v: [3, 1, 2] },
        { _id: 2, v: [0, 9] },
        { _id: 3, v: [] },
        { _id: 4 },
        { _id: 5, v: 5 },
      ]);
      const ids = (docs: Record<string, unknown>[]) => docs.map((d) => d._id);
      expect(ids(await coll.find().sort({ v: 1, _id: 1 }).toArray())).toEqual([3, 4, 2, 1, 5]);
      expect(ids(await coll.find().sort({ v: -1, _id: 1 }).toArray())).toEqual([2, 5, 1, 4, 3]);
      expect(ids(await coll.aggregate([{ $sort: { v: -1, _id: 1 } }]).toArray())).toEqual([2, 5, 1, 4, 3]);
    });

    it("resolves $$NOW and refuses system variables mongomock would silently ignore", async () => {
      const coll = db().collection<{ _id: number; at: Date }>("system_variables");
      await coll.insertOne({ _id: 1, at: new Date(Date.now() - 1000) });
      const [doc] = await coll.aggregate([{ $set: { now: "$$NOW" } }]).toArray();
      expect(doc.now).toBeInstanceOf(Date);
      expect(Math.abs(doc.now.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await coll.countDocuments({ $expr: { $lt: ["$at", "$$NOW"] } })).toBe(1);
      await expect(coll.aggregate([{ $set: { x: "$$REMOVE" } }]).toArray()).rejects.toThrow(/mongo-standin.*\$\$REMOVE/);
    });

    it("looks up documents from another collection", async () => {
      const Mark = model(new Schema({ pupil: String, value: Number }));
      await Mark.create([{ pupil: "Ann", value: 5 }, { pupil: "Ann", value: 4 }, { pupil: "Eve", value: 3 }]);
      const rows = await Pupil.aggregate([
        { $match: { name: { $in: ["Ann", "Eve"] } } },
        { $lookup: { from: Mark.collection.name, localField: "name", foreignField: "pupil", as: "marks" } },
        { $project: { _id: 0, name: 1, count: { $size: "$marks" } } },
        { $sort: { name: 1 } },
      ]);
      expect(rows).toEqual([{ name: "Ann", count: 2 }, { name: "Eve", count: 1 }]);
    });
  });

  describe("cursors", () => {
    const Item = model(new Schema({ n: Number }));

    beforeAll(async () => {
      await Item.insertMany(Array.from({ length: 250 }, (_, n) => ({ n })));
    });

    it("streams more documents than one batch through getMore", async () => {
      commands.length = 0;
      const seen: number[] = [];
      for await (const doc of Item.find().sort({ n: 1 }).batchSize(50).cursor()) seen.push(doc.n!);
      expect(seen).toEqual(Array.from({ length: 250 }, (_, n) => n));
      expect(commands.filter((c) => c === "getMore")).toHaveLength(4);
    });

    it("returns all documents of a large plain find (default first batch of 101)", async () => {
      commands.length = 0;
      const docs = await Item.find({ n: { $gte: 10 } }).lean();
      expect(docs).toHaveLength(240);
      expect(commands.filter((c) => c === "getMore")).toHaveLength(1);
    });

    it("kills a cursor that is closed early", async () => {
      const client = mongoose.connection.getClient();
      const replies: unknown[] = [];
      const onSucceeded = (event: { commandName: string; reply: unknown }) => {
        if (event.commandName === "killCursors") replies.push(event.reply);
      };
      client.on("commandSucceeded", onSucceeded);
      const cursor = Item.collection.find({}, { batchSize: 10 });
      await cursor.next();
      await cursor.close();
      client.off("commandSucceeded", onSucceeded);
      expect(replies).toHaveLength(1);
      expect((replies[0] as { cursorsKilled: unknown[] }).cursorsKilled).toHaveLength(1);
    });

    it("reports an unknown cursor id as CursorNotFound", async () => {
      await expect(
        db().command({ getMore: BSON.Long.fromNumber(123456789), collection: Item.collection.name }),
      ).rejects.toMatchObject({ code: 43 });
    });
  });

  describe("unique indexes", () => {
    it("reports E11000 on create with MongoDB's message, keyPattern and keyValue", async () => {
      const Guardian = model(new Schema({ email: { type: String, unique: true } }));
      await Guardian.init();
      await Guardian.create({ email: "a@school.test" });
      const err = await Guardian.create({ email: "a@school.test" }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 11000,
        keyPattern: { email: 1 },
        keyValue: { email: "a@school.test" },
      });
      expect((err as Error).message).toBe(
        `E11000 duplicate key error collection: ${dbName}.${Guardian.collection.name} index: email_1 dup key: { email: "a@school.test" }`,
      );
    });

    it("reports a duplicate _id", async () => {
      const Thing = model(new Schema({ v: Number }));
      const _id = new Types.ObjectId();
      await Thing.create({ _id, v: 1 });
      const err = await Thing.create({ _id, v: 2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id } });
      expect((err as Error).message).toContain(`index: _id_ dup key: { _id: ObjectId('${_id.toHexString()}') }`);
    });

    it("stops an ordered insertMany at the first duplicate", async () => {
      const Login = model(new Schema({ login: { type: String, unique: true } }));
      await Login.init();
      const err = await Login.insertMany([{ login: "a" }, { login: "b" }, { login: "a" }, { login: "c" }]).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 11000 });
      expect((err as { writeErrors: { index: number }[] }).writeErrors.map((w) => w.index)).toEqual([2]);
      expect((await Login.find().sort({ login: 1 }).lean()).map((d) => d.login)).toEqual(["a", "b"]);
    });

    it("continues an unordered insertMany past duplicates", async () => {
      const Login = model(new Schema({ login: { type: String, unique: true } }));
      await Login.init();
      const err = await Login.insertMany([{ login: "a" }, { login: "a" }, { login: "b" }, { login: "b" }, { login: "c" }], {
        ordered: false,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 11000 });
      const writeErrors = (err as { writeErrors: { index: number; err: { code: number } }[] }).writeErrors;
      expect(writeErrors.map((w) => w.index)).toEqual([1, 3]);
      expect((await Login.find().sort({ login: 1 }).lean()).map((d) => d.login)).toEqual(["a", "b", "c"]);
    });

    it("enforces a compound unique index on the combination only", async () => {
      const schema = new Schema({ school: String, email: String });
      schema.index({ school: 1, email: 1 }, { unique: true });
      const Member = model(schema);
      await Member.init();
      await Member.create([
        { school: "s1", email: "x@test" },
        { school: "s2", email: "x@test" },
      ]);
      await expect(Member.create({ school: "s1", email: "x@test" })).rejects.toMatchObject({
        code: 11000,
        keyPattern: { school: 1, email: 1 },
        keyValue: { school: "s1", email: "x@test" },
      });
    });

    it("lets a sparse unique index skip documents without the field (but not explicit nulls)", async () => {
      const schema = new Schema({ phone: String, name: String });
      schema.index({ phone: 1 }, { unique: true, sparse: true });
      const Contact = model(schema);
      await Contact.init();
      await Contact.create([{ name: "a" }, { name: "b" }, { name: "c", phone: "1" }]);
      await expect(Contact.create({ phone: "1" })).rejects.toMatchObject({ code: 11000 });
      await Contact.collection.insertOne({ phone: null });
      await expect(Contact.collection.insertOne({ phone: null })).rejects.toMatchObject({ code: 11000 });
      expect(await Contact.countDocuments()).toBe(4);
    });

    it("treats array elements as separate keys (multikey)", async () => {
      const schema = new Schema({ aliases: [String] });
      schema.index({ aliases: 1 }, { unique: true });
      const Alias = model(schema);
      await Alias.init();
      await Alias.create({ aliases: ["x", "y"] });
      await expect(Alias.create({ aliases: ["z", "y"] })).rejects.toMatchObject({ code: 11000, keyValue: { aliases: "y" } });
    });

    it("applies partialFilterExpression", async () => {
      const schema = new Schema({ code: String, active: Boolean });
      schema.index({ code: 1 }, { unique: true, partialFilterExpression: { active: true } });
      const Code = model(schema);
      await Code.init();
      await Code.create([
        { code: "c", active: false },
        { code: "c", active: false },
        { code: "c", active: true },
      ]);
      await expect(Code.create({ code: "c", active: true })).rejects.toMatchObject({ code: 11000 });
    });

    it("rejects an update that would duplicate a key and leaves the document unchanged", async () => {
      const Nick = model(new Schema({ nick: { type: String, unique: true } }));
      await Nick.init();
      await Nick.create([{ nick: "a" }, { nick: "b" }]);
      await expect(Nick.updateOne({ nick: "b" }, { $set: { nick: "a" } })).rejects.toMatchObject({ code: 11000 });
      expect((await Nick.find().sort({ nick: 1 }).lean()).map((d) => d.nick)).toEqual(["a", "b"]);
    });

    it("reports E11000 from findOneAndUpdate as a command error", async () => {
      const Slot = model(new Schema({ slot: { type: String, unique: true }, owner: String }));
      await Slot.init();
      await Slot.create([{ slot: "a", owner: "x" }, { slot: "b", owner: "y" }]);
      await expect(Slot.findOneAndUpdate({ slot: "b" }, { $set: { slot: "a" } })).rejects.toMatchObject({
        code: 11000,
        keyValue: { slot: "a" },
      });
      await expect(Slot.findOneAndUpdate({ owner: "nobody", slot: "a" }, { $set: { owner: "z" } }, { upsert: true })).rejects.toMatchObject({
        code: 11000,
      });
    });

    it("fails to build a unique index over existing duplicates", async () => {
      const Loose = model(new Schema({ k: String }, { autoIndex: false }));
      await Loose.create([{ k: "a" }, { k: "a" }]);
      await expect(Loose.collection.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    });
  });

  describe("updates", () => {
    it("upserts with $set, $inc, $push, $addToSet and $setOnInsert", async () => {
      const Counter = model(
        new Schema({ key: String, n: Number, log: [String], set: [String], createdBy: String, label: String }),
      );
      const first = await Counter.updateOne(
        { key: "k" },
        { $set: { label: "L" }, $inc: { n: 1 }, $push: { log: "one" }, $addToSet: { set: "x" }, $setOnInsert: { createdBy: "me" } },
        { upsert: true },
      );
      expect(first).toMatchObject({ acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
      expect(first.upsertedId).toBeInstanceOf(Types.ObjectId);

      const second = await Counter.updateOne(
        { key: "k" },
        { $inc: { n: 2 }, $push: { log: "two" }, $addToSet: { set: "x" }, $setOnInsert: { createdBy: "other" } },
        { upsert: true },
      );
      expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });

      const doc = await Counter.findOne({ key: "k" }).lean();
      expect(doc).toMatchObject({ key: "k", n: 3, log: ["one", "two"], set: ["x"], createdBy: "me", label: "L" });
      expect(doc!._id).toEqual(first.upsertedId);

      const noop = await Counter.updateOne({ key: "k" }, { $set: { label: "L" } });
      expect(noop).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
      const none = await Counter.updateOne({ key: "missing" }, { $set: { label: "L" } });
      expect(none).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
    });

    it("supports $unset, $pull, $min/$max, $rename, positional $ and $currentDate", async () => {
      const Doc = model(
        new Schema({ a: Number, b: Number, list: [Number], items: [{ sku: String, qty: Number }], when: Date, old: String, renamed: String }, { strict: false }),
      );
      const { _id } = await Doc.create({ a: 5, b: 5, list: [1, 2, 3, 2], items: [{ sku: "x", qty: 1 }, { sku: "y", qty: 1 }], old: "o" });
      await Doc.updateOne(
        { _id, "items.sku": "y" },
        { $unset: { a: "" }, $pull: { list: 2 }, $min: { b: 3 }, $rename: { old: "renamed" }, $inc: { "items.$.qty": 4 }, $currentDate: { when: true } },
      );
      const doc = await Doc.findById(_id).lean();
      expect(doc).not.toHaveProperty("a");
      expect(doc).not.toHaveProperty("old");
      expect(doc).toMatchObject({ b: 3, list: [1, 3], renamed: "o", items: [{ sku: "x", qty: 1 }, { sku: "y", qty: 5 }] });
      expect(doc!.when).toBeInstanceOf(Date);
      expect(Math.abs(doc!.when!.getTime() - Date.now())).toBeLessThan(60_000);
      // The server-side "now" has BSON's millisecond precision, so the value read back matches itself.
      expect(await Doc.countDocuments({ when: doc!.when })).toBe(1);
    });

    it("counts matched and modified documents of updateMany exactly", async () => {
      const Mark = model(new Schema({ term: Number, value: Number, checked: Boolean }));
      await Mark.create([
        { term: 1, value: 5, checked: true },
        { term: 1, value: 4, checked: false },
        { term: 1, value: 3, checked: false },
        { term: 2, value: 5, checked: false },
      ]);
      const res = await Mark.updateMany({ term: 1 }, { $set: { checked: true } });
      expect(res).toMatchObject({ matchedCount: 3, modifiedCount: 2, upsertedCount: 0 });
      expect(await Mark.countDocuments({ checked: true })).toBe(3);
    });

    it("replaces a document (replaceOne) keeping its _id", async () => {
      const Page = model(new Schema({ title: String, body: String }));
      const { _id } = await Page.create({ title: "t", body: "b" });
      const res = await Page.replaceOne({ _id }, { title: "t2" });
      expect(res).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      const doc = await Page.findById(_id).lean();
      expect(doc).toMatchObject({ _id, title: "t2" });
      expect(doc).not.toHaveProperty("body");
    });

    it("findOneAndUpdate returns the new document and upserts", async () => {
      const Seq = model(new Schema({ name: String, value: Number }));
      const created = await Seq.findOneAndUpdate({ name: "s" }, { $inc: { value: 1 } }, { returnDocument: "after", upsert: true }).lean();
      expect(created).toMatchObject({ name: "s", value: 1 });
      const next = await Seq.findOneAndUpdate({ name: "s" }, { $inc: { value: 1 } }, { returnDocument: "after" }).lean();
      expect(next).toMatchObject({ _id: created!._id, value: 2 });
      const before = await Seq.findOneAndUpdate({ name: "s" }, { $inc: { value: 1 } }).lean();
      expect(before!.value).toBe(2);
      const projected = await Seq.findOneAndUpdate({ name: "s" }, { $set: { value: 10 } }, { returnDocument: "after" })
        .select({ value: 1, _id: 0 })
        .lean();
      expect(projected).toEqual({ value: 10 });
      const missing = await Seq.findOneAndUpdate({ name: "nope" }, { $inc: { value: 1 } }, { returnDocument: "after" }).lean();
      expect(missing).toBeNull();

      const raw = await Seq.findOneAndUpdate({ name: "t" }, { $set: { value: 7 } }, { upsert: true, includeResultMetadata: true });
      expect(raw.value).toBeNull();
      expect(raw.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
      expect(raw.lastErrorObject!.upserted).toBeInstanceOf(Types.ObjectId);
    });

    it("findOneAndUpdate honours sort; findOneAndDelete removes", async () => {
      const Job = model(new Schema({ queue: String, priority: Number, taken: Boolean }));
      await Job.create([
        { queue: "q", priority: 1, taken: false },
        { queue: "q", priority: 3, taken: false },
        { queue: "q", priority: 2, taken: false },
      ]);
      const taken = await Job.findOneAndUpdate({ queue: "q", taken: false }, { $set: { taken: true } }, { sort: { priority: -1 }, returnDocument: "after" }).lean();
      expect(taken).toMatchObject({ priority: 3, taken: true });
      const removed = await Job.findOneAndDelete({ queue: "q" }, { sort: { priority: 1 } }).lean();
      expect(removed).toMatchObject({ priority: 1 });
      expect(await Job.countDocuments()).toBe(2);
    });

    it("fails loudly on update features mongomock lacks", async () => {
      const Thing = model(new Schema({ arr: [{ v: Number }], n: Number }));
      const { _id } = await Thing.create({ arr: [{ v: 1 }], n: 2 });
      await expect(
        Thing.collection.updateOne({ _id }, { $set: { "arr.$[e].v": 2 } }, { arrayFilters: [{ "e.v": 1 }] }),
      ).rejects.toThrow(/mongo-standin/);
      await expect(Thing.collection.updateOne({ _id }, { $mul: { n: 2 } })).rejects.toThrow(/mongo-standin.*\$mul/);
      await expect(Thing.collection.updateOne({ _id }, [{ $set: { n: 3 } }])).rejects.toThrow(/mongo-standin.*pipeline/);
      expect(await Thing.findById(_id).lean()).toMatchObject({ n: 2, arr: [{ v: 1 }] });
    });
  });

  describe("deletes and bulk writes", () => {
    it("deleteOne and deleteMany report counts", async () => {
      const Msg = model(new Schema({ chat: Number }));
      await Msg.create([{ chat: 1 }, { chat: 1 }, { chat: 1 }, { chat: 2 }]);
      expect(await Msg.deleteOne({ chat: 1 })).toMatchObject({ acknowledged: true, deletedCount: 1 });
      expect(await Msg.deleteMany({ chat: 1 })).toMatchObject({ deletedCount: 2 });
      expect(await Msg.deleteMany({ chat: 3 })).toMatchObject({ deletedCount: 0 });
      expect(await Msg.countDocuments()).toBe(1);
    });

    it("bulkWrite with mixed operations reports exact counts", async () => {
      const Row = model(new Schema({ k: String, v: Number }));
      await Row.create([
        { k: "a", v: 1 },
        { k: "b", v: 1 },
        { k: "c", v: 1 },
        { k: "d", v: 1 },
      ]);
      const res = await Row.bulkWrite([
        { insertOne: { document: { k: "e", v: 1 } } },
        { insertOne: { document: { k: "f", v: 1 } } },
        { updateOne: { filter: { k: "a" }, update: { $set: { v: 2 } } } },
        { updateMany: { filter: { v: 1 }, update: { $set: { v: 3 } } } },
        { updateOne: { filter: { k: "b" }, update: { $set: { v: 3 } } } },
        { deleteOne: { filter: { k: "c" } } },
        { replaceOne: { filter: { k: "d" }, replacement: { k: "d", v: 9 } } },
        { updateOne: { filter: { k: "g" }, update: { $set: { v: 7 } }, upsert: true } },
        { deleteMany: { filter: { k: { $in: ["e", "f"] } } } },
      ]);
      expect(res).toMatchObject({
        insertedCount: 2,
        matchedCount: 1 + 5 + 1 + 1,
        modifiedCount: 1 + 5 + 0 + 1,
        deletedCount: 1 + 2,
        upsertedCount: 1,
      });
      expect(Object.keys(res.upsertedIds)).toEqual(["7"]);
      const rows = await Row.find({}, { _id: 0, k: 1, v: 1 }).sort({ k: 1 }).lean();
      expect(rows).toEqual([
        { k: "a", v: 2 },
        { k: "b", v: 3 },
        { k: "d", v: 9 },
        { k: "g", v: 7 },
      ]);
    });

    it("bulkWrite reports a duplicate as a write error with its index", async () => {
      const Key = model(new Schema({ k: { type: String, unique: true } }));
      await Key.init();
      const err = await Key.bulkWrite(
        [
          { insertOne: { document: { k: "a" } } },
          { insertOne: { document: { k: "a" } } },
          { insertOne: { document: { k: "b" } } },
        ],
        { ordered: false },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 11000 });
      expect((err as { writeErrors: { index: number }[] }).writeErrors.map((w) => w.index)).toEqual([1]);
      expect(await Key.countDocuments()).toBe(2);
    });
  });

  describe("indexes", () => {
    it("creates, lists, syncs and drops indexes", async () => {
      const schema = new Schema({ a: String, b: Number, c: Date }, { autoIndex: false });
      schema.index({ a: 1, b: -1 }, { unique: true });
      schema.index({ c: 1 }, { expireAfterSeconds: 3600 });
      const Indexed = model(schema);
      await Indexed.createCollection();
      await Indexed.collection.createIndex({ stray: 1 });
      await Indexed.syncIndexes();
      const indexes = await Indexed.listIndexes();
      expect(indexes.map((ix) => ({ key: ix.key, name: ix.name, unique: ix.unique, ttl: ix.expireAfterSeconds }))).toEqual([
        { key: { _id: 1 }, name: "_id_", unique: undefined, ttl: undefined },
        { key: { a: 1, b: -1 }, name: "a_1_b_-1", unique: true, ttl: undefined },
        { key: { c: 1 }, name: "c_1", unique: undefined, ttl: 3600 },
      ]);
      expect(await Indexed.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });

      // Creating the same index again is a no-op; a conflicting definition fails.
      await Indexed.collection.createIndex({ a: 1, b: -1 }, { unique: true });
      await expect(Indexed.collection.createIndex({ a: 1, b: -1 }, { name: "other" })).rejects.toMatchObject({ code: 85 });
      await expect(Indexed.collection.createIndex({ z: 1 }, { name: "c_1" })).rejects.toMatchObject({ code: 86 });

      await Indexed.collection.dropIndex("c_1");
      expect((await Indexed.listIndexes()).map((ix) => ix.name)).toEqual(["_id_", "a_1_b_-1"]);
      await expect(Indexed.collection.dropIndex("nope")).rejects.toMatchObject({ code: 27 });
      await expect(Indexed.collection.createIndex({ body: "text" })).rejects.toThrow(/mongo-standin/);
    });

    it("reports listIndexes on a missing collection as NamespaceNotFound", async () => {
      await expect(db().collection("never_created").listIndexes().toArray()).rejects.toMatchObject({ code: 26 });
    });

    it("accepts a hint naming an existing index and rejects others", async () => {
      const Hinted = model(new Schema({ h: { type: Number, index: true } }));
      await Hinted.init();
      await Hinted.create({ h: 1 });
      expect(await Hinted.find({ h: 1 }).hint({ h: 1 }).lean()).toHaveLength(1);
      await expect(Hinted.find({ h: 1 }).hint("nope_1").lean()).rejects.toMatchObject({ code: 2 });
    });
  });

  describe("BSON types", () => {
    it("round-trips dates to the millisecond in UTC", async () => {
      const Event = model(new Schema({ at: Date, list: [Date], nested: { when: Date } }));
      const at = new Date("2024-02-29T23:59:59.987Z");
      const early = new Date(-86_400_000 + 1); // before the epoch
      const { _id } = await Event.create({ at, list: [early, at], nested: { when: new Date(1) } });
      const doc = await Event.findById(_id).lean();
      expect(doc!.at!.toISOString()).toBe("2024-02-29T23:59:59.987Z");
      expect(doc!.list.map((d: Date) => d.getTime())).toEqual([early.getTime(), at.getTime()]);
      expect(doc!.nested!.when!.getTime()).toBe(1);

      expect(await Event.countDocuments({ at: { $gte: new Date("2024-02-29T23:59:59.987Z") } })).toBe(1);
      expect(await Event.countDocuments({ at: { $gt: new Date("2024-02-29T23:59:59.987Z") } })).toBe(0);
      const [agg] = await Event.aggregate([{ $match: { _id } }, { $project: { at: 1, year: { $year: "$at" } } }]);
      expect(agg.at).toEqual(at);
      expect(agg.year).toBe(2024);
    });

    it("round-trips ObjectIds, Decimal128, nested documents, arrays, null and booleans", async () => {
      const coll = db().collection("bson_types");
      const ref = new Types.ObjectId();
      const original = {
        ref,
        price: Types.Decimal128.fromString("12.345"),
        nested: { deep: { list: [1, "two", { three: 3 }, [4, 5]], flag: false } },
        none: null,
        yes: true,
        float: 1.5,
        big: BSON.Long.fromString("9007199254740993"),
        bin: new BSON.Binary(Buffer.from("hello"), 0),
        uuid: new BSON.UUID("0f4c1c52-6d4b-4f4e-9a4c-2b9e0f7a1c3d"),
      };
      const { insertedId } = await coll.insertOne({ ...original });
      const doc = await coll.findOne({ _id: insertedId }, { promoteLongs: false });
      expect(doc!.ref).toEqual(ref);
      expect(doc!.price.toString()).toBe("12.345");
      expect(doc!.nested).toEqual(original.nested);
      expect(doc!.none).toBeNull();
      expect(doc!.yes).toBe(true);
      expect(doc!.float).toBe(1.5);
      expect(doc!.big.toString()).toBe("9007199254740993");
      expect(Buffer.from(doc!.bin.buffer).toString()).toBe("hello");
      expect(doc!.uuid.sub_type).toBe(4);
      expect(doc!.uuid.toUUID().toString()).toBe("0f4c1c52-6d4b-4f4e-9a4c-2b9e0f7a1c3d");
      expect(await coll.countDocuments({ ref })).toBe(1);
      expect(await coll.countDocuments({ price: Types.Decimal128.fromString("12.345") })).toBe(1);
      expect(await coll.countDocuments({ none: null, yes: true })).toBe(1);
    });
  });

  describe("databases and collections", () => {
    it("keeps two databases isolated", async () => {
      const other = mongoose.connection.useDb(`${dbName}_other`);
      const schema = new Schema({ v: Number });
      const Here = mongoose.model("IsolatedHere", schema, "isolated");
      const There = other.model("IsolatedThere", schema, "isolated");
      await Here.create({ v: 1 });
      await There.create([{ v: 2 }, { v: 3 }]);
      expect(await Here.countDocuments()).toBe(1);
      expect(await There.countDocuments()).toBe(2);
      await other.dropDatabase();
      expect(await There.countDocuments()).toBe(0);
      expect(await Here.countDocuments()).toBe(1);
    });

    it("creates, lists and drops collections; drops a database", async () => {
      const scratch = mongoose.connection.useDb(`${dbName}_scratch`).db!;
      await scratch.createCollection("one");
      await scratch.createCollection("one"); // idempotent since MongoDB 7.0
      await scratch.collection("two").insertOne({ x: 1 });
      expect((await scratch.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort()).toEqual(["one", "two"]);
      expect((await scratch.listCollections({ name: "two" }).toArray()).map((c) => c.name)).toEqual(["two"]);
      const { databases } = await scratch.admin().listDatabases();
      expect(databases.map((d) => d.name)).toContain(`${dbName}_scratch`);
      expect(await scratch.collection("one").drop()).toBe(true);
      expect((await scratch.listCollections().toArray()).map((c) => c.name)).toEqual(["two"]);
      await scratch.dropDatabase();
      expect(await scratch.listCollections().toArray()).toEqual([]);
      expect(await scratch.collection("two").countDocuments()).toBe(0);
    });

    it("renames a collection", async () => {
      const scratch = mongoose.connection.useDb(`${dbName}_rename`).db!;
      await scratch.collection("from").insertOne({ x: 1 });
      await scratch.renameCollection("from", "to");
      expect(await scratch.collection("to").countDocuments()).toBe(1);
      expect(await scratch.collection("from").countDocuments()).toBe(0);
      await scratch.dropDatabase();
    });
  });

  describe("unsupported things fail loudly", () => {
    it("rejects unknown commands naming the stand-in", async () => {
      await expect(db().admin().command({ replSetGetStatus: 1 })).rejects.toMatchObject({
        code: 59,
        message: "mongo-standin: unsupported command 'replSetGetStatus'",
      });
    });

    it("rejects transactions", async () => {
      await expect(db().admin().command({ commitTransaction: 1 })).rejects.toThrow(/mongo-standin: transactions/);
      const session = await mongoose.startSession();
      try {
        const Tx = model(new Schema({ v: Number }));
        await expect(session.withTransaction(() => Tx.create([{ v: 1 }], { session }))).rejects.toThrow();
      } finally {
        await session.endSession();
      }
    });

    it("rejects unsupported options and stages", async () => {
      const coll = db().collection("unsupported_options");
      await coll.insertOne({ s: "a" });
      await expect(coll.find({}, { collation: { locale: "en", strength: 2 } }).toArray()).rejects.toThrow(
        /mongo-standin: option 'collation'/,
      );
      await expect(coll.aggregate([{ $merge: { into: "elsewhere" } }]).toArray()).rejects.toThrow(/mongo-standin/);
      await expect(db().createCollection("capped_one", { capped: true, size: 4096 })).rejects.toThrow(/mongo-standin/);
    });
  });

  describe("indexes kept up to date (no scans per write)", () => {
    it("moves, frees and keeps unique keys through updates, deletes, rejected updates and index rebuilds", async () => {
      const coll = db().collection<{ _id: number; k?: unknown }>("unique_upkeep");
      await coll.createIndex({ k: 1 }, { unique: true });
      await coll.insertMany([
        { _id: 1, k: "a" },
        { _id: 2, k: "b" },
        { _id: 3, k: 1 },
      ]);
      // An update frees its old key and takes the new one.
      await coll.updateOne({ _id: 1 }, { $set: { k: "c" } });
      await coll.insertOne({ _id: 4, k: "a" });
      await expect(coll.insertOne({ _id: 5, k: "c" })).rejects.toMatchObject({ code: 11000, keyValue: { k: "c" } });
      // A rejected update leaves the document, and the key it holds, as they were.
      await expect(coll.updateOne({ _id: 2 }, { $set: { k: "c" } })).rejects.toMatchObject({ code: 11000, keyValue: { k: "c" } });
      await expect(coll.insertOne({ _id: 5, k: "b" })).rejects.toMatchObject({ code: 11000, keyValue: { k: "b" } });
      // A delete frees the key.
      await coll.deleteOne({ _id: 2 });
      await coll.insertOne({ _id: 5, k: "b" });
      // mongomock finds {k: 1} equal to {k: true} and skips its check; the index still follows the value.
      await coll.updateOne({ _id: 3 }, { $set: { k: true } });
      await coll.insertOne({ _id: 6, k: 1 });
      await expect(coll.insertOne({ _id: 7, k: true })).rejects.toMatchObject({ code: 11000, keyValue: { k: true } });
      // ... also for the next document of the same updateMany, which now clashes with it.
      await coll.insertMany([
        { _id: 11, k: 0 },
        { _id: 12, k: "zero" },
      ]);
      await expect(coll.updateMany({ _id: { $in: [11, 12] } }, { $set: { k: false } })).rejects.toMatchObject({
        code: 11000,
        keyValue: { k: false },
      });
      expect(await coll.find({ _id: { $in: [11, 12] } }).toArray()).toEqual([
        { _id: 11, k: false },
        { _id: 12, k: "zero" },
      ]);
      // Dropping and re-creating the index rebuilds it from the documents.
      await coll.dropIndex("k_1");
      await coll.insertOne({ _id: 8, k: "a" });
      await expect(coll.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
      await coll.deleteOne({ _id: 8 });
      await coll.createIndex({ k: 1 }, { unique: true });
      await expect(coll.insertOne({ _id: 8, k: "a" })).rejects.toMatchObject({ code: 11000, keyValue: { k: "a" } });
      // A dropped collection starts afresh.
      await coll.drop();
      await coll.createIndex({ k: 1 }, { unique: true });
      await coll.insertOne({ _id: 1, k: "a" });
      expect(await coll.find().toArray()).toEqual([{ _id: 1, k: "a" }]);
    });

    it("finds by _id and by unique keys, also with $in, in natural order", async () => {
      const coll = db().collection<{ _id: number; s: Types.ObjectId; e: string | null; tags: string[] }>("lookups");
      await coll.createIndex({ s: 1, e: 1 }, { unique: true });
      const s = new Types.ObjectId();
      await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, s, e: `e${(i * 7) % 30}`, tags: [`t${i}`] })));
      const ids = (docs: { _id: number }[]) => docs.map((d) => d._id);
      expect(ids(await coll.find({ _id: { $in: [20, 3, 11, 99] } }).toArray())).toEqual([3, 11, 20]);
      expect(ids(await coll.find({ _id: 7, tags: "t7" }).toArray())).toEqual([7]);
      expect(ids(await coll.find({ _id: 7, tags: "t8" }).toArray())).toEqual([]);
      // e21, e0, e7, e14 belong to documents 3, 0, 1, 2.
      expect(ids(await coll.find({ s, e: { $in: ["e21", "e0", "e7", "e14", "nope"] } }).toArray())).toEqual([0, 1, 2, 3]);
      expect(ids(await coll.find({ s, e: "e7", tags: "t1" }).toArray())).toEqual([1]);
      expect(ids(await coll.find({ s, e: "e7", tags: "t2" }).toArray())).toEqual([]);
      expect(ids(await coll.find({ s: new Types.ObjectId(), e: "e7" }).toArray())).toEqual([]);
      // Long $in / $nin lists of strings (checked with a set), against array fields too.
      const even = Array.from({ length: 20 }, (_, i) => `t${i * 2}`);
      expect(await coll.countDocuments({ tags: { $in: even } })).toBe(15);
      expect(await coll.countDocuments({ tags: { $nin: even } })).toBe(15);
      expect(await coll.countDocuments({ e: { $in: [...even, "e0", null] } })).toBe(1);
      expect(await coll.updateMany({ _id: { $in: [1, 2, 40] }, tags: { $in: ["t1", "t2"] } }, { $set: { e: "moved" } }).catch((e: unknown) => e)).toMatchObject({
        code: 11000,
        keyValue: { s, e: "moved" },
      });
      expect(ids(await coll.find({ s, e: "moved" }).toArray())).toEqual([1]);
    });

    it("runs 5,000-operation bulkWrites of upserts, updates and deletes on a unique index with exact counts", async () => {
      const coll = db().collection<Record<string, unknown>>("bulk_upserts");
      await coll.createIndex({ schoolId: 1, externalId: 1 }, { unique: true });
      const schoolId = new Types.ObjectId();
      const then = new Date("2024-09-01T00:00:00Z");
      const now = new Date("2024-09-02T00:00:00Z");
      await coll.insertMany(Array.from({ length: 10_000 }, (_, i) => ({ schoolId, externalId: `old${i}`, v: 0, updatedAt: then })));

      // Creations as src/services/exchange/write.ts writes them: 2,500 of the keys exist, 2,500 are new.
      const newIds = Array.from({ length: 5000 }, () => new Types.ObjectId());
      const created = await coll.bulkWrite(
        newIds.map((_id, i) => ({
          updateOne: {
            filter: { schoolId, externalId: i < 2500 ? `old${i * 4}` : `new${i}` },
            update: { $setOnInsert: { _id, v: 1, createdAt: now, updatedAt: now } },
            upsert: true,
          },
        })),
        { ordered: false },
      );
      expect(created).toMatchObject({ matchedCount: 2500, modifiedCount: 0, upsertedCount: 2500, insertedCount: 0 });
      expect(Object.entries(created.upsertedIds)).toEqual(newIds.slice(2500).map((_id, i) => [String(2500 + i), _id]));

      // Updates by {_id, updatedAt}: every tenth one is stale and matches nothing.
      const updated = await coll.bulkWrite(
        newIds.map((_id, i) => ({
          updateOne: { filter: { _id, updatedAt: i % 10 ? now : then }, update: { $set: { v: 2, updatedAt: now } } },
        })),
      );
      // The first 2,500 _ids were never stored (their keys existed); of the rest, 250 are stale.
      expect(updated).toMatchObject({ matchedCount: 2250, modifiedCount: 2250, upsertedCount: 0 });

      // Upserts whose keys clash: unordered goes on after each E11000, ordered stops at the first.
      const clashing = (i: number) => ({
        updateOne: {
          filter: { schoolId, externalId: i % 1000 ? `more${i}` : `old${i}`, v: -1 },
          update: { $setOnInsert: { updatedAt: now } },
          upsert: true,
        },
      });
      const ops = Array.from({ length: 5000 }, (_, i) => clashing(i));
      const unordered = await bulkError(coll.bulkWrite(ops, { ordered: false }));
      // (The driver passes on only index, code and errmsg of each write error.)
      expect(unordered.writeErrors.map((w) => [w.index, w.code, w.errmsg])).toEqual(
        [0, 1000, 2000, 3000, 4000].map((i) => [
          i,
          11000,
          `E11000 duplicate key error collection: ${dbName}.bulk_upserts index: schoolId_1_externalId_1 ` +
            `dup key: { schoolId: ObjectId('${schoolId.toHexString()}'), externalId: "old${i}" }`,
        ]),
      );
      expect(unordered.result).toMatchObject({ upsertedCount: 4995, matchedCount: 0 });
      await coll.deleteMany({ externalId: /^more/ });
      const ordered = await bulkError(coll.bulkWrite(ops.slice(1)));
      expect(ordered.writeErrors.map((w) => w.index)).toEqual([999]);
      expect(ordered.result).toMatchObject({ upsertedCount: 999 });

      const deleted = await coll.bulkWrite(newIds.map((_id) => ({ deleteOne: { filter: { _id } } })), { ordered: false });
      expect(deleted.deletedCount).toBe(2500);
      expect(await coll.countDocuments()).toBe(10_000 + 999);
      expect(await coll.countDocuments({ v: 2 })).toBe(0);
    }, 120_000);

    it("answers hello on another connection while a large write runs", async () => {
      const coll = db().collection("busy_write");
      await coll.createIndex({ k: 1 }, { unique: true });
      // The driver's monitor sends hello on a connection of its own and, after connectTimeoutMS (30 s)
      // without a reply, fails the write in flight ("interrupted due to server monitor timeout"). A
      // second client's hellos check the same thing without waiting that long.
      const writer = await new mongoose.mongo.MongoClient(standin.uri, { heartbeatFrequencyMS: 500 }).connect();
      const prober = await new mongoose.mongo.MongoClient(standin.uri).connect();
      try {
        const admin = prober.db("admin");
        await admin.command({ hello: 1 });
        const docs = Array.from({ length: BUSY_WRITE_DOCS }, (_, k) => ({ k, pad: "x".repeat(40) }));
        let writing = true;
        const write = writer
          .db(dbName)
          .collection("busy_write")
          .insertMany(docs, { ordered: false })
          .finally(() => (writing = false));
        // Give the stand-in time to receive the write and start on it, then keep asking.
        await new Promise((resolve) => setTimeout(resolve, 300));
        let answeredDuringWrite = 0;
        while (writing) {
          const reply = await admin.command({ hello: 1 });
          expect(reply.isWritablePrimary).toBe(true);
          if (writing) answeredDuringWrite += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect((await write).insertedCount).toBe(BUSY_WRITE_DOCS);
        expect(answeredDuringWrite).toBeGreaterThanOrEqual(3);
        expect(await coll.countDocuments()).toBe(BUSY_WRITE_DOCS);
      } finally {
        await Promise.all([writer.close(), prober.close()]);
      }
    }, 120_000);
  });

  describe("wire protocol", () => {
    /** Sends raw OP_MSG frames and collects the replies' responseTo ids and bodies. */
    async function rawExchange(frames: Buffer[], expectedReplies: number): Promise<{ responseTo: number; body: Record<string, unknown> }[]> {
      const { port } = new URL(standin.uri);
      const socket = net.connect(Number(port), "127.0.0.1");
      const replies: { responseTo: number; body: Record<string, unknown> }[] = [];
      let buffered = Buffer.alloc(0);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`got ${replies.length} of ${expectedReplies} replies`)), 3000);
          socket.on("error", reject);
          socket.on("data", (chunk) => {
            buffered = Buffer.concat([buffered, chunk]);
            while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
              const length = buffered.readInt32LE(0);
              const frame = buffered.subarray(0, length);
              buffered = buffered.subarray(length);
              // header(16) + flagBits(4) + section kind(1) + body
              replies.push({ responseTo: frame.readInt32LE(8), body: BSON.deserialize(frame.subarray(21)) });
              if (replies.length === expectedReplies) {
                clearTimeout(timer);
                // Wait a little longer to catch replies that should not exist.
                setTimeout(resolve, 200);
              }
            }
          });
          socket.on("connect", () => frames.forEach((f) => socket.write(f)));
        });
      } finally {
        socket.destroy();
      }
      return replies;
    }

    function opMsg(requestId: number, flags: number, body: object, sequences: Record<string, object[]> = {}): Buffer {
      const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
      for (const [identifier, docs] of Object.entries(sequences)) {
        const payload = Buffer.concat([Buffer.from(`${identifier}\0`), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
        const size = Buffer.alloc(4);
        size.writeInt32LE(payload.length + 4);
        parts.push(Buffer.from([1]), size, payload);
      }
      const flagBits = Buffer.alloc(4);
      flagBits.writeUInt32LE(flags);
      const rest = Buffer.concat([flagBits, ...parts]);
      const header = Buffer.alloc(16);
      header.writeInt32LE(16 + rest.length, 0);
      header.writeInt32LE(requestId, 4);
      header.writeInt32LE(0, 8);
      header.writeInt32LE(2013, 12); // OP_MSG
      return Buffer.concat([header, rest]);
    }

    it("merges OP_MSG document sequences (kind 1 sections) into the command", async () => {
      const replies = await rawExchange(
        [
          opMsg(1, 0, { insert: "sequences", $db: dbName }, { documents: [{ _id: 1, v: "a" }, { _id: 2, v: "b" }] }),
          opMsg(2, 0, { delete: "sequences", $db: dbName }, { deletes: [{ q: { _id: 1 }, limit: 1 }] }),
        ],
        2,
      );
      expect(replies.map((r) => [r.responseTo, r.body.ok, r.body.n])).toEqual([
        [1, 1, 2],
        [2, 1, 1],
      ]);
      expect(await db().collection("sequences").find().toArray()).toEqual([{ _id: 2, v: "b" }]);
    });

    it("sends no reply to requests flagged moreToCome, but still runs them", async () => {
      const moreToCome = 2;
      const replies = await rawExchange(
        [
          opMsg(10, moreToCome, { insert: "fire_and_forget", documents: [{ _id: 1 }], $db: dbName }),
          opMsg(11, moreToCome, { endSessions: [], $db: "admin" }),
          opMsg(12, 0, { ping: 1, $db: "admin" }),
        ],
        1,
      );
      expect(replies.map((r) => r.responseTo)).toEqual([12]);
      expect(await db().collection("fire_and_forget").countDocuments()).toBe(1);
    });

    it("serves several connections at once", async () => {
      const connections = await Promise.all(
        Array.from({ length: 4 }, () => mongoose.createConnection(standin.uri, { dbName, maxPoolSize: 5 }).asPromise()),
      );
      try {
        const coll = (i: number) => connections[i % 4].db!.collection("concurrent");
        await Promise.all(Array.from({ length: 40 }, (_, i) => coll(i).insertOne({ i })));
        const counts = await Promise.all(Array.from({ length: 8 }, (_, i) => coll(i).countDocuments()));
        expect(counts).toEqual(Array(8).fill(40));
      } finally {
        await Promise.all(connections.map((c) => c.close()));
      }
    });
  });

  describe("process lifecycle", () => {
    it("disconnects without hanging and exits with code 0 on SIGTERM", async () => {
      const own = await startStandin();
      const conn = await mongoose.createConnection(own.uri, { dbName: "lifecycle", serverSelectionTimeoutMS: 5000 }).asPromise();
      await conn.db!.collection("c").insertOne({ x: 1 });
      const session = conn.getClient().startSession(); // makes close() send endSessions (moreToCome)
      await conn.db!.collection("c").findOne({}, { session });
      await session.endSession();
      const started = Date.now();
      await conn.close();
      expect(Date.now() - started).toBeLessThan(2000);

      await own.stop(); // rejects unless the exit code is 0
      expect(() => process.kill(own.pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    });
  });
});
