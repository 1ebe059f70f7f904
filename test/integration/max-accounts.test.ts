/**
 * MAX accounts (issue 14): the account model's MAX identity with its partial unique indexes, the
 * start-up step that replaces the plain unique index on telegramId, and the worker's MAX channel
 * classifying the fake MAX API's answers (ok, 429, 403, 5xx, 400).
 */
import mongoose from "mongoose";
import { useTestDb } from "../support/db";
import { FakeMax } from "../support/fake-max";
import { Account } from "../../src/db/models";
import { dropPlainTelegramIdIndex } from "../../src/db/migrations";
import { markMaxBlocked, rememberMaxAccount } from "../../src/services/accounts";
import { createMaxChannel } from "../../src/channels/max";

useTestDb();

describe("the account's MAX identity", () => {
  test("MAX-only accounts have no telegramId and may be many; a MAX user and a Telegram user are each unique", async () => {
    const a = await rememberMaxAccount(7001, 500_007_001, "ru");
    const b = await rememberMaxAccount(7002, undefined, "en");
    expect(a.telegramId).toBeUndefined();
    expect(b.max?.userId).toBe(7002);
    expect((await rememberMaxAccount(7001, 500_007_001, "en"))._id.equals(a._id)).toBe(true);
    expect((await Account.findById(a._id).lean())?.language).toBe("ru"); // a stored language stays
    await expect(Account.create({ max: { userId: 7002 } })).rejects.toMatchObject({ code: 11000 });
    await Account.create({ telegramId: 42, chatId: 42, max: { userId: 7003 } });
    await expect(Account.create({ telegramId: 42, chatId: 42 })).rejects.toMatchObject({ code: 11000 });
    await expect(Account.create({ language: "ru" })).rejects.toThrow(/Telegram or a MAX identity/);
  });

  test("a stop marks the MAX identity blocked; writing again clears it", async () => {
    await rememberMaxAccount(7010, undefined, "ru");
    await markMaxBlocked({ maxUserId: 7010 }, new Date("2026-12-01T10:00:00Z"));
    expect((await Account.findOne({ "max.userId": 7010 }).lean())?.max?.blockedAt).toEqual(new Date("2026-12-01T10:00:00Z"));
    await rememberMaxAccount(7010, 1, "ru");
    expect((await Account.findOne({ "max.userId": 7010 }).lean())?.max?.blockedAt).toBeUndefined();
  });

  test("start-up replaces an older release's plain unique index on telegramId, once", async () => {
    const db = mongoose.connection.db!;
    // An older release's database: Telegram accounts only, under the plain index.
    await Account.deleteMany({ telegramId: { $exists: false } });
    await db.collection("accounts").dropIndex("telegramId_1");
    await db.collection("accounts").createIndex({ telegramId: 1 }, { unique: true, name: "telegramId_1" });
    expect(await dropPlainTelegramIdIndex(db)).toBe(true);
    await Account.init();
    await Account.createIndexes();
    const index = (await db.collection("accounts").listIndexes().toArray()).find((i) => i.name === "telegramId_1");
    expect(index?.partialFilterExpression).toEqual({ telegramId: { $type: "number" } });
    expect(await dropPlainTelegramIdIndex(db)).toBe(false);
  });
});

describe("the worker's MAX channel", () => {
  let fake: FakeMax;
  beforeAll(async () => {
    fake = await FakeMax.start();
  });
  afterAll(async () => fake.stop());

  test("a notice goes as MAX HTML by user id; 429, 403, 503 and 400 become rate-limited, unreachable, retry and permanent", async () => {
    const channel = createMaxChannel(fake.token, fake.apiRoot);
    expect(await channel.sendMessage(3001, "<b>Итоговая оценка</b>: алгебра — 5 &amp; всё")).toEqual({ ok: true });
    expect(fake.sentTo(3001)[0]).toMatchObject({ format: "html", plain: "Итоговая оценка: алгебра — 5 & всё" });
    expect(fake.calls.at(-1)?.query).toMatchObject({ user_id: "3001", disable_link_preview: "true" });

    fake.failNext("POST", "/messages", { status: 429, code: "too.many.requests", message: "Too many requests" });
    expect(await channel.sendMessage(3001, "x")).toMatchObject({ ok: false, kind: "rate-limited", retryAfterMs: 1000, error: "max 429: too.many.requests Too many requests" });
    fake.block(3002);
    expect(await channel.sendMessage(3002, "x")).toMatchObject({ ok: false, kind: "unreachable" });
    fake.failNext("POST", "/messages", { status: 503, code: "service.unavailable", message: "later" });
    expect(await channel.sendMessage(3001, "x")).toMatchObject({ ok: false, kind: "retry" });
    expect(await channel.sendMessage(3001, "<b>unclosed")).toMatchObject({ ok: false, kind: "permanent" });
    expect(await createMaxChannel("wrong-token-0123456789", fake.apiRoot).sendMessage(3001, "x")).toMatchObject({ ok: false, kind: "permanent", error: expect.stringContaining("401") });
    // A long notice goes in parts under MAX's 4,000 characters.
    expect(await channel.sendMessage(3003, Array.from({ length: 120 }, (_, i) => `строка ${i} ${"я".repeat(60)}`).join("\n"))).toEqual({ ok: true });
    expect(fake.sentTo(3003).length).toBe(3);
    expect(fake.sentTo(3003).every((m) => m.text.length <= 4000)).toBe(true);
  });
});
