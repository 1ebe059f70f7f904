/**
 * The accepted parts of multi-part SMS between attempts (src/channels/sms.ts), in Redis so that any
 * worker resumes a message another one began: the progress under the delivery's key, each accepted
 * part's id pointing at that key, and the receipts of those parts that came before the message was
 * finished. Keys live a few days: deliveries are retried within hours, and a progress nobody comes
 * back for must not stay.
 */
import type { Redis } from "ioredis";
import type { Receipt } from "../domain/sms";
import type { SmsProgress, SmsProgressStore } from "./sms";

export const SMS_PROGRESS_TTL_SECONDS = 3 * 24 * 3600;

export function redisSmsProgress(redis: Redis, prefix: string, ttlSeconds = SMS_PROGRESS_TTL_SECONDS): SmsProgressStore {
  const progressKey = (key: string) => `${prefix}:sms-progress:${key}`;
  const partKey = (messageId: string) => `${prefix}:sms-part:${messageId}`;
  const heldKey = (key: string) => `${prefix}:sms-held:${key}`;
  const parse = <T>(raw: string): T | null => {
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  };
  return {
    async load(key) {
      const raw = await redis.get(progressKey(key));
      return raw ? parse<SmsProgress>(raw) : null;
    },
    async save(key, progress) {
      const write = redis.multi().set(progressKey(key), JSON.stringify(progress), "EX", ttlSeconds);
      for (const id of progress.ids) write.set(partKey(id), key, "EX", ttlSeconds);
      await write.exec();
    },
    async owner(messageId) {
      return redis.get(partKey(messageId));
    },
    async hold(key, receipt) {
      await redis.multi().rpush(heldKey(key), JSON.stringify(receipt)).expire(heldKey(key), ttlSeconds).exec();
    },
    async clear(key, ids) {
      const result = await redis.multi().lrange(heldKey(key), 0, -1).del(heldKey(key), progressKey(key), ...ids.map(partKey)).exec();
      const held = (result?.[0]?.[1] as string[] | undefined) ?? [];
      return held.map((raw) => parse<Receipt>(raw)).filter((r): r is Receipt => r !== null);
    },
  };
}
