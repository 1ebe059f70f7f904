/**
 * Telegram's limits, shared by every worker through Redis:
 * - per chat, at most one message a second: a key per chat with a PX expiry; a job that comes too
 *   early is moved to "delayed" until the key expires (never a busy loop);
 * - for the whole bot, at most 30 sends in any window of a little over a second, at least 30 ms
 *   apart: checked in Redis right before each send against the sends actually made (BullMQ's
 *   limiter alone counts jobs started per fixed window and lets bursts straddle two windows).
 */
import type { Redis } from "ioredis";

export interface Pacing {
  /** Spacing of sends to one chat (Telegram: 1 a second; a margin absorbs network jitter). */
  perChatMs: number;
  /** The bot's sliding window: at most `maxPerWindow` sends within `windowMs` (a little over a second: jitter). */
  windowMs: number;
  maxPerWindow: number;
  /** Least time between two sends of the bot: spreads them over the window instead of bursts. */
  minGapMs: number;
}

export const DEFAULT_PACING: Pacing = { perChatMs: 1100, windowMs: 1020, maxPerWindow: 30, minGapMs: 30 };

/** Reserves the chat's next send; returns 0 when it is ours now, else how long to wait (ms). */
export async function reserveChat(redis: Redis, prefix: string, chatId: number, intervalMs: number): Promise<number> {
  const key = `${prefix}:tg:chat:${chatId}`;
  const ok = await redis.set(key, "1", "PX", intervalMs, "NX");
  if (ok === "OK") return 0;
  const ttl = await redis.pttl(key);
  return ttl > 0 ? ttl : 1;
}

// KEYS[1]: the bot's recent sends (a sorted set of Redis-clock instants); KEYS[2]: urgent senders
// waiting (member -> expiry). ARGV: window, max, min gap, member, urgent ("1" or "0").
// Decided at the moment of sending (not reserved in advance): senders that wake up together after a
// pause of the event loop do not go out in a burst, each one is checked against the real history.
const TRY_SEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[2], now + 3000, ARGV[4])
  redis.call('PEXPIRE', KEYS[2], 3000)
elseif redis.call('ZCARD', KEYS[2]) > 0 then
  return tonumber(ARGV[3])
end
local wait = 0
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if newest[2] then wait = math.max(wait, tonumber(newest[2]) + tonumber(ARGV[3]) - now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window * 2)
redis.call('ZREM', KEYS[2], ARGV[4])
return 0
`;

let sendCounter = 0;

/**
 * Waits until this process may send one message for the bot (the sliding window of all workers
 * allows it), or until a hold after a 429 is over. Polls at the computed moments, never in a loop.
 * `urgent` senders (finals and exams) go first: while one waits, the others (broadcasts, forecasts)
 * leave the slots to it, so a running broadcast delays a final by a slot or two, not by its queue.
 */
export async function waitForSendSlot(redis: Redis, prefix: string, pacing: Pacing, urgent = false, lane: Lane = "tg"): Promise<void> {
  const member = `${process.pid}-${++sendCounter}-${Math.random()}`;
  for (;;) {
    const hold = await redis.pttl(`${prefix}:${lane}:hold`);
    if (hold > 0) {
      await sleep(hold);
      continue;
    }
    const wait = Number(await redis.eval(TRY_SEND, 2, `${prefix}:${lane}:sent`, `${prefix}:${lane}:urgent`, pacing.windowMs, pacing.maxPerWindow, pacing.minGapMs, member, urgent ? "1" : "0"));
    if (wait <= 0) return;
    await sleep(wait);
  }
}

/** After a 429 (an SMSC's throttling for `sms`): nobody sends on the lane before `holdMs` from now. */
export async function holdGlobal(redis: Redis, prefix: string, holdMs: number, lane: Lane = "tg"): Promise<void> {
  await redis.set(`${prefix}:${lane}:hold`, "1", "PX", holdMs);
}

/** The send limits of a channel shared by every worker: Telegram's (`tg:`), MAX's (`max:`) and the SMSC's (`sms:`, SMS_RATE_PER_SECOND). */
export type Lane = "tg" | "max" | "sms";

/** MAX's limit is 30 requests a second per bot (the platform's documentation); a little under it, evenly spaced. */
export const MAX_PER_SECOND = 25;

/** SMS_RATE_PER_SECOND as a sliding window of one second, evenly spaced (one submit per message; parts are paced by the session). */
export function smsPacing(perSecond: number): Pacing {
  return { perChatMs: 0, windowMs: 1000, maxPerWindow: perSecond, minGapMs: Math.floor(1000 / perSecond) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
