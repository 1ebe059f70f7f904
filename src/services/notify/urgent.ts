/**
 * Finals and exams in progress (issue 11: "finals overtake a running broadcast, and a broadcast never
 * delays a final by more than a second or two"). Telegram's send slot already goes to them first
 * (rate-limits.ts); this is the same for the database the worker shares: while a final or an exam
 * is being planned or sent, a broadcast's planning and its batch lane's next claim wait for it — at
 * most YIELD_MAX_MS at a time, so a stream of finals slows a broadcast but never stops it — and the
 * final's dozen commands do not queue behind theirs.
 *
 * `<prefix>:urgent:work` is a sorted set of the urgent jobs running now (member → expiry, so a
 * worker that died leaves nothing behind for longer than URGENT_TTL_MS).
 */
import type { Redis } from "ioredis";

/** A running urgent job counts for at most this long (its worker may die). */
export const URGENT_TTL_MS = 15_000;
/** The longest a broadcast step waits for urgent work before it goes on anyway. */
export const YIELD_MAX_MS = 1000;
const POLL_MS = 25;

const keyOf = (prefix: string) => `${prefix}:urgent:work`;
let counter = 0;

/** Runs `work` as urgent: broadcasts' steps yield to it while it runs. */
export async function asUrgent<T>(redis: Redis, prefix: string, work: () => Promise<T>): Promise<T> {
  const member = `${process.pid}-${++counter}`;
  await redis.zadd(keyOf(prefix), Date.now() + URGENT_TTL_MS, member);
  try {
    return await work();
  } finally {
    await redis.zrem(keyOf(prefix), member).catch(() => undefined);
  }
}

/** How many urgent jobs are running now (expired entries dropped). */
export async function urgentRunning(redis: Redis, prefix: string): Promise<number> {
  const replies = await redis.multi().zremrangebyscore(keyOf(prefix), "-inf", Date.now()).zcard(keyOf(prefix)).exec();
  return Number(replies?.[1]?.[1] ?? 0);
}

/** Waits while urgent work runs, for at most `maxMs`; returns how long it waited (ms). */
export async function yieldToUrgent(redis: Redis, prefix: string, maxMs: number = YIELD_MAX_MS): Promise<number> {
  const started = Date.now();
  while ((await urgentRunning(redis, prefix)) > 0 && Date.now() - started < maxMs) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  return Date.now() - started;
}
