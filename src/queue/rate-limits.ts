/**
 * Telegram's limits, shared by every worker through Redis:
 * - per chat, at most one message a second: a key per chat with a PX expiry; a job that comes too
 *   early is moved to "delayed" until the key expires (never a busy loop);
 * - for the whole bot, at most 30 sends in any window of a second, at least 30 ms apart (BullMQ's
 *   limiter alone counts jobs started per fixed window and lets bursts straddle two windows).
 *
 * The window counts what Telegram can have counted, whatever the delays between us and it: a send
 * is "in flight" from the moment its slot is granted until its answer is back (`releaseSendSlot`),
 * then it counts from the moment its answer came back. Telegram saw the request somewhere in
 * between, so a window of one second over these instants holds every send Telegram's own window
 * can hold, and no jitter (a busy event loop, a slow network, a stalled worker) can make 31 of them
 * arrive within a second. The price is the request's own time: a slot frees one second after the
 * answer, not after the grant (about 30/(1 s + the round trip) a second: 29.7 at 10 ms).
 */
import type { Redis } from "ioredis";

export interface Pacing {
  /** Spacing of sends to one chat (Telegram: 1 a second; a margin absorbs network jitter). */
  perChatMs: number;
  /** The bot's sliding window: at most `maxPerWindow` sends (in flight, or answered within `windowMs`). */
  windowMs: number;
  maxPerWindow: number;
  /** Least time between two sends of the bot: spreads them over the window instead of bursts. */
  minGapMs: number;
}

/** The window is Telegram's second and 5 ms (the clocks' millisecond rounding): the in-flight count absorbs the jitter. */
export const DEFAULT_PACING: Pacing = { perChatMs: 1100, windowMs: 1005, maxPerWindow: 30, minGapMs: 30 };

/** A granted send that never reports back (its worker died) holds its slot no longer than this (request timeout is 20 s). */
export const IN_FLIGHT_LIMIT_MS = 30_000;

/** Reserves the chat's next send; returns 0 when it is ours now, else how long to wait (ms). */
export async function reserveChat(redis: Redis, prefix: string, chatId: number, intervalMs: number): Promise<number> {
  const key = `${prefix}:tg:chat:${chatId}`;
  const ok = await redis.set(key, "1", "PX", intervalMs, "NX");
  if (ok === "OK") return 0;
  const ttl = await redis.pttl(key);
  return ttl > 0 ? ttl : 1;
}

// KEYS[1]: the lane's answered sends (member -> Redis-clock instant of the answer); KEYS[2]: urgent
// senders waiting (member -> expiry); KEYS[3]: sends in flight (member -> expiry); KEYS[4]: the
// instant of the last grant. ARGV: window, max, min gap, member, urgent ("1" or "0"), in-flight limit.
// Decided at the moment of sending (not reserved in advance): senders that wake up together after a
// pause of the event loop do not go out in a burst, each one is checked against the real history.
const TRY_SEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local gap = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[2], now + 3000, ARGV[4])
  redis.call('PEXPIRE', KEYS[2], 3000)
elseif redis.call('ZCARD', KEYS[2]) > 0 then
  return gap
end
local wait = 0
local last = redis.call('GET', KEYS[4])
if last then wait = math.max(wait, tonumber(last) + gap - now) end
local answered = redis.call('ZCARD', KEYS[1])
if answered + redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[2]) then
  if answered > 0 then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now, 1)
  else
    wait = math.max(wait, gap)
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[4])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]))
redis.call('SET', KEYS[4], now, 'PX', window * 2)
redis.call('ZREM', KEYS[2], ARGV[4])
return 0
`;

// KEYS[1]: answered sends, KEYS[2]: sends in flight (as above). ARGV: window, member.
const SENT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 0
`;

let sendCounter = 0;

/** A granted send slot: give it back with `releaseSendSlot` once the channel answered (or the send was given up). */
export interface SendSlot {
  lane: Lane;
  member: string;
  windowMs: number;
}

const laneKeys = (prefix: string, lane: Lane) => ({ sent: `${prefix}:${lane}:sent`, urgent: `${prefix}:${lane}:urgent`, flight: `${prefix}:${lane}:flight`, last: `${prefix}:${lane}:last` });

/**
 * Waits until this process may send one message for the bot (the sliding window of all workers
 * allows it), or until a hold after a 429 is over. Polls at the computed moments, never in a loop.
 * `urgent` senders (finals and exams) go first: while one waits, the others (broadcasts, forecasts)
 * leave the slots to it, so a running broadcast delays a final by a slot or two, not by its queue.
 * The slot is in flight until `releaseSendSlot` (call it when the answer is back, whatever it says).
 */
export async function waitForSendSlot(redis: Redis, prefix: string, pacing: Pacing, urgent = false, lane: Lane = "tg"): Promise<SendSlot> {
  const member = `${process.pid}-${++sendCounter}-${Math.random()}`;
  const keys = laneKeys(prefix, lane);
  for (;;) {
    const hold = await redis.pttl(`${prefix}:${lane}:hold`);
    if (hold > 0) {
      await sleep(hold);
      continue;
    }
    const wait = Number(await redis.eval(TRY_SEND, 4, keys.sent, keys.urgent, keys.flight, keys.last, pacing.windowMs, pacing.maxPerWindow, pacing.minGapMs, member, urgent ? "1" : "0", IN_FLIGHT_LIMIT_MS));
    if (wait <= 0) return { lane, member, windowMs: pacing.windowMs };
    await sleep(wait);
  }
}

/** The channel answered (or the send was given up): the slot counts from now for one window, no longer as in flight. */
export async function releaseSendSlot(redis: Redis, prefix: string, slot: SendSlot): Promise<void> {
  const keys = laneKeys(prefix, slot.lane);
  await redis.eval(SENT, 2, keys.sent, keys.flight, slot.windowMs, slot.member);
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
