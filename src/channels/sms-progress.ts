/**
 * The SMS channel's state in Redis (src/channels/sms.ts), shared by every worker and kept across
 * their restarts:
 * - the accepted parts of a multi-part message between attempts, under the delivery's key, so that
 *   any worker resumes a message another one began;
 * - receipts held until a delivery record knows their message id (`<prefix>:sms-early:<id>`, and
 *   when each came in the index `<prefix>:sms-early`): the receipt of a single message that
 *   overtook the write of its id, of a part of a message not finished yet, or one that came while
 *   the database was away. Whoever writes the ids takes them (`take`); the watchdog's sweep
 *   (src/services/notify/sms-receipt-sweep.ts) applies those whose writer died, and counts those
 *   that never found their message after RECEIPT_HOLD_MS.
 * Keys live a few days: deliveries are retried within hours, and what nobody comes back for must not stay.
 */
import type { Redis } from "ioredis";
import type { Receipt } from "../domain/sms";
import type { SmsProgress, SmsProgressStore } from "./sms";

export const SMS_PROGRESS_TTL_SECONDS = 3 * 24 * 3600;
/** How long a receipt waits for its message before the sweep counts it as never found (3 days). */
export const RECEIPT_HOLD_MS = SMS_PROGRESS_TTL_SECONDS * 1000;

/** A receipt held, and when it first came (ms). */
export type HeldReceipt = Receipt & { heldAt: number };

export function redisSmsProgress(redis: Redis, prefix: string, ttlSeconds = SMS_PROGRESS_TTL_SECONDS): SmsProgressStore {
  const progressKey = (key: string) => `${prefix}:sms-progress:${key}`;
  const indexKey = `${prefix}:sms-early`;
  const earlyKey = (messageId: string) => `${indexKey}:${messageId}`;
  const parse = <T>(raw: string): T | null => {
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  };
  const receipts = (raws: unknown) => ((raws as string[] | undefined) ?? []).map((raw) => parse<HeldReceipt>(raw)).filter((r): r is HeldReceipt => r !== null);
  return {
    async load(key) {
      const raw = await redis.get(progressKey(key));
      return raw ? parse<SmsProgress>(raw) : null;
    },
    async save(key, progress) {
      await redis.set(progressKey(key), JSON.stringify(progress), "EX", ttlSeconds);
    },
    async clear(key) {
      await redis.del(progressKey(key));
    },
    async hold(receipt) {
      const held: HeldReceipt = { messageId: receipt.messageId, state: receipt.state, stat: receipt.stat, heldAt: receipt.heldAt ?? Date.now() };
      // A day beyond the sweep's limit: the sweep sees (and counts) it before Redis forgets it.
      await redis
        .multi()
        .rpush(earlyKey(held.messageId), JSON.stringify(held))
        .expire(earlyKey(held.messageId), ttlSeconds + 24 * 3600)
        .zadd(indexKey, "NX", String(held.heldAt), held.messageId)
        .exec();
    },
    async take(ids) {
      if (!ids.length) return [];
      const write = redis.multi();
      for (const id of ids) write.lrange(earlyKey(id), 0, -1).del(earlyKey(id));
      write.zrem(indexKey, ...ids);
      const result = (await write.exec()) ?? [];
      return ids.flatMap((_, i) => receipts(result[2 * i]?.[1]));
    },
    async held() {
      const ids = await redis.zrange(indexKey, "0", "-1");
      if (!ids.length) return [];
      const read = redis.pipeline();
      for (const id of ids) read.lrange(earlyKey(id), 0, -1);
      const result = (await read.exec()) ?? [];
      // An id whose list expired before the sweep came (no sweep for a day): dropped from the index, counted by the caller.
      return ids.map((messageId, i) => ({ messageId, receipts: receipts(result[i]?.[1]) }));
    },
  };
}
