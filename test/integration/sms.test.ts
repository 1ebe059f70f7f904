/** The SMS channel against a real SMPP server on loopback (test/support/smsc.ts). */
import smpp from "smpp";
import pino from "pino";
import { Redis } from "ioredis";
import { createSmsChannel, type SmsChannel } from "../../src/channels/sms";
import { redisSmsProgress } from "../../src/channels/sms-progress";
import { fromUcs2 } from "../../src/domain/sms";
import type { Receipt } from "../../src/domain/sms";
import { startSmsc, type TestSmsc } from "../support/smsc";
import { testRedisUrl, useTestRedis } from "../support/redis";

const logger = pino({ level: "silent" });
const redisState = useTestRedis();

describe("SMS over SMPP", () => {
  let smsc: TestSmsc;
  let channel: SmsChannel;
  const receipts: Receipt[] = [];

  beforeAll(async () => {
    smsc = await startSmsc();
    channel = createSmsChannel({ url: smsc.url, source: "School42", ratePerSecond: 100, logger, throttleBackoffMs: 20, reconnectBackoffMs: { min: 50, max: 200 }, timeoutMs: 5000 });
    channel.onReceipt((r) => void receipts.push(r));
  });
  afterAll(async () => {
    await channel.close();
    await smsc.close();
  });

  test("binds once and submits Cyrillic as one UCS-2 part with a receipt requested", async () => {
    const outcome = await channel.send({ to: "8 (912) 345-67-89", text: "Иванова М.: итог по алгебре за 2 четверть — 5." });
    expect(outcome).toEqual({ ok: true, messageIds: ["m1"], parts: 1 });
    expect(smsc.binds).toBe(1);
    expect(smsc.submits[0]).toMatchObject({ to: "79123456789", source: "School42", dataCoding: 8, text: "Иванова М.: итог по алгебре за 2 четверть — 5.", registeredDelivery: 1 });
    expect(smsc.submits[0].udh).toBeUndefined();
  });

  test("a long text goes as concatenated parts (UDH) up to the limit", async () => {
    const before = smsc.submits.length;
    const outcome = await channel.send({ to: "+79123456789", text: "Рекомендация: ".repeat(30), maxParts: 2 });
    expect(outcome).toMatchObject({ ok: true, parts: 2 });
    const parts = smsc.submits.slice(before);
    expect(parts).toHaveLength(2);
    // The concatenation element: IEI 00, length 03, reference, 2 parts, part number.
    const ref = parts[0].udh!.slice(4, 6);
    expect(parts.map((p) => p.udh)).toEqual([`0003${ref}0201`, `0003${ref}0202`]);
    expect(parts.every((p) => p.dataCoding === 8)).toBe(true);
    expect((parts[0].text + parts[1].text).length).toBe(134);
    expect(parts[1].text.endsWith("…")).toBe(true);
    expect(fromUcs2(Buffer.from("0418", "hex"))).toBe("И");
  });

  test("a receipt reaches the handler as delivered or failed", async () => {
    await smsc.receipt("m1", "DELIVRD");
    await smsc.receipt("m2", "UNDELIV");
    await waitUntil(() => receipts.length >= 2);
    expect(receipts).toEqual([
      { messageId: "m1", state: "delivered", stat: "DELIVRD" },
      { messageId: "m2", state: "failed", stat: "UNDELIV" },
    ]);
  });

  test("throttling is retried in place; a lasting one gives the job back for later", async () => {
    smsc.refuseNext(2, smpp.ESME_RTHROTTLED);
    expect(await channel.send({ to: "+79123456789", text: "Итог — 5" })).toMatchObject({ ok: true });
    smsc.refuseNext(10, smpp.ESME_RMSGQFUL);
    expect(await channel.send({ to: "+79123456789", text: "Итог — 5" })).toEqual({ ok: false, kind: "rate-limited", retryAfterMs: 5000, error: "smpp ESME_RMSGQFUL" });
    smsc.refuseNext(0, 0);
    expect(await channel.send({ to: "+79123456789", text: "Итог — 5" })).toMatchObject({ ok: true });
  });

  test("a multi-part message throttled after its first part resumes after it: no part twice, one reference, its receipts kept for it", async () => {
    const redis = new Redis(testRedisUrl());
    const progress = redisSmsProgress(redis, redisState.prefix);
    const resuming = createSmsChannel({ url: smsc.url, source: "School42", ratePerSecond: 100, logger, throttleBackoffMs: 10, throttleRetries: 1, progress, timeoutMs: 5000 });
    // The handler as the worker's: a receipt whose id no record has yet is "not found" (false), and held.
    const handed: Receipt[] = [];
    const recordedIds = new Set<string>();
    resuming.onReceipt((r) => recordedIds.has(r.messageId) && void handed.push(r));
    try {
      const text = "Рекомендация по алгебре: повторить формулы сокращённого умножения. ".repeat(3);
      const before = smsc.submits.length;
      // Part 1 accepted, part 2 refused twice (in place, then given back).
      smsc.refuseNext(2, smpp.ESME_RTHROTTLED, 1);
      const first = await resuming.send({ to: "+79123450001", text, maxParts: 3, key: "rec-1/a1/sms" });
      expect(first).toMatchObject({ ok: false, kind: "rate-limited", error: "smpp ESME_RTHROTTLED after 1 part(s)" });
      const part1 = smsc.submits[before];
      expect(smsc.submits.slice(before).map((p) => p.udh!.slice(6))).toEqual(["0301"]);
      expect(await progress.load("rec-1/a1/sms")).toMatchObject({ to: "+79123450001", total: 3, ids: [part1.messageId] });
      // Part 1's receipt comes while the message waits: its record does not know the id yet, so it is
      // held (in Redis, before the SMSC's receipt is answered).
      await smsc.receipt(part1.messageId, "DELIVRD");
      expect(handed).toEqual([]);
      expect((await progress.held()).map((x) => x.messageId)).toEqual([part1.messageId]);
      // The retry (any worker: the progress is in Redis) sends parts 2 and 3 only, with the same reference.
      const again = await resuming.send({ to: "+79123450001", text, maxParts: 3, key: "rec-1/a1/sms" });
      const parts = smsc.submits.slice(before);
      expect(parts.map((p) => p.udh!.slice(6))).toEqual(["0301", "0302", "0303"]);
      expect(new Set(parts.map((p) => p.udh!.slice(0, 6))).size).toBe(1);
      expect(again).toEqual({ ok: true, messageIds: parts.map((p) => p.messageId), parts: 3 });
      // Once the worker has written the ids, the held receipt is handed on; the next ones go straight through; nothing is left in Redis.
      for (const id of again.messageIds ?? []) recordedIds.add(id);
      await resuming.recorded(again.messageIds ?? []);
      expect(handed).toEqual([expect.objectContaining({ messageId: part1.messageId, state: "delivered" })]);
      await smsc.receipt(parts[2].messageId, "DELIVRD");
      expect(handed).toHaveLength(2);
      expect(await progress.load("rec-1/a1/sms")).toBeNull();
      expect(await redis.keys(`${redisState.prefix}:sms-*`)).toEqual([]);

      // A message sent whole in one attempt leaves nothing behind either (its parts were kept as it went).
      const whole = await resuming.send({ to: "+79123450001", text, maxParts: 3, key: "rec-1b/a1/sms" });
      expect(whole).toMatchObject({ ok: true, parts: 3 });
      expect(smsc.submits.slice(before + 3).map((p) => p.udh!.slice(6))).toEqual(["0301", "0302", "0303"]);
      expect(await redis.keys(`${redisState.prefix}:sms-*`)).toEqual([]);

      // A changed text under the same key starts over rather than finishing the old one.
      const from = smsc.submits.length;
      smsc.refuseNext(2, smpp.ESME_RTHROTTLED, 1);
      await resuming.send({ to: "+79123450001", text, maxParts: 3, key: "rec-2/a1/sms" });
      const changed = await resuming.send({ to: "+79123450001", text: `${text}!`, maxParts: 3, key: "rec-2/a1/sms" });
      expect(changed).toMatchObject({ ok: true, parts: 3 });
      expect(smsc.submits.slice(from).map((p) => p.udh!.slice(6))).toEqual(["0301", "0301", "0302", "0303"]);
      expect(await redis.keys(`${redisState.prefix}:sms-*`)).toEqual([]);
    } finally {
      await resuming.close();
      redis.disconnect();
    }
  });

  test("an invalid or barred number is unreachable (the next channel takes over)", async () => {
    smsc.invalid.add("79990000000");
    expect(await channel.send({ to: "+79990000000", text: "Итог — 5" })).toEqual({ ok: false, kind: "unreachable", error: "smpp ESME_RINVDSTADR" });
    expect(await channel.send({ to: "не номер", text: "Итог — 5" })).toMatchObject({ ok: false, kind: "unreachable" });
  });

  test("a dropped connection is bound again and the next message goes through", async () => {
    const binds = smsc.binds;
    smsc.dropAll();
    await waitUntil(() => smsc.binds > binds);
    expect(await channel.send({ to: "+79123456789", text: "После обрыва" })).toMatchObject({ ok: true });
    expect(smsc.submits.at(-1)!.text).toBe("После обрыва");
  });

  test("a wrong password never binds: sends are given back for later", async () => {
    const wrong = createSmsChannel({ url: smsc.url.replace("secret", "wrong"), source: "School42", logger, timeoutMs: 500, reconnectBackoffMs: { min: 50, max: 100 } });
    expect(await wrong.send({ to: "+79123456789", text: "Итог" })).toMatchObject({ ok: false, kind: "retry" });
    await wrong.close();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
