/**
 * The accepted parts of multi-part SMS between attempts (src/channels/sms.ts), in Redis so that any
 * worker resumes a message another one began. A key lives a few days: deliveries are retried
 * within hours, and a progress nobody comes back for must not stay.
 */
import type { Redis } from "ioredis";
import type { SmsProgress, SmsProgressStore } from "./sms";

export const SMS_PROGRESS_TTL_SECONDS = 3 * 24 * 3600;

export function redisSmsProgress(redis: Redis, prefix: string, ttlSeconds = SMS_PROGRESS_TTL_SECONDS): SmsProgressStore {
  const keyOf = (key: string) => `${prefix}:sms-progress:${key}`;
  return {
    async load(key) {
      const raw = await redis.get(keyOf(key));
      if (!raw) return null;
      try {
        return JSON.parse(raw) as SmsProgress;
      } catch {
        return null;
      }
    },
    async save(key, progress) {
      await redis.set(keyOf(key), JSON.stringify(progress), "EX", ttlSeconds);
    },
    async clear(key) {
      await redis.del(keyOf(key));
    },
  };
}
