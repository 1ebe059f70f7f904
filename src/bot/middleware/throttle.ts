/**
 * A per-user throttle shared by every bot process through Redis (issue #16.4). A person who sends
 * more than `limit` updates within `windowMs` (a script, a stuck key, a pasted flood) gets one
 * answer saying so, and everything else they send is ignored until they have been quiet for
 * `quietMs`. A parent tapping through a dialog or sending an album stays far below the limit.
 *
 * Why not @grammyjs/ratelimiter: its Redis store does INCR and PEXPIRE as two commands (a failure
 * between them leaves a counter without expiry, and that person throttled for ever), it answers
 * again in every window of a long flood, and a Redis failure fails the update. Here one Lua script
 * does the counting atomically, the flood mark is extended while the flood goes on, and a Redis
 * that does not answer within `timeoutMs` lets updates through (the bot matters more than the
 * throttle; each process's own limits — one update at a time per chat — still hold).
 */
import type { MiddlewareFn } from "grammy";
import type { Redis } from "ioredis";
import { languageFromTelegram, translator } from "../../i18n";
import type { Logger } from "../../logger";
import type { BotContext, BotDeps } from "../context";

export interface ThrottleSettings {
  limit: number;
  windowMs: number;
  quietMs: number;
  /** Waiting longer than this for Redis lets the update through. */
  timeoutMs: number;
}

export const THROTTLE_DEFAULTS: ThrottleSettings = { limit: 20, windowMs: 10_000, quietMs: 60_000, timeoutMs: 500 };

export type ThrottleVerdict = "pass" | "warn" | "ignore";

export interface UpdateThrottle {
  /** What to do with this person's update (counted). */
  check(userId: number): Promise<ThrottleVerdict>;
}

// KEYS: count, flood mark. ARGV: limit, windowMs, quietMs. 0 pass, 1 warn (the flood starts), 2 ignore.
const SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return 2
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

const VERDICTS: ThrottleVerdict[] = ["pass", "warn", "ignore"];

export function createUpdateThrottle(options: { redis: Redis; prefix: string; logger: Logger; settings?: Partial<ThrottleSettings> }): UpdateThrottle {
  const settings = { ...THROTTLE_DEFAULTS, ...options.settings };
  let warnedAt = 0;
  return {
    async check(userId) {
      const keys = [`${options.prefix}:throttle:count:${userId}`, `${options.prefix}:throttle:flood:${userId}`];
      let timer: NodeJS.Timeout | undefined;
      try {
        const verdict = await Promise.race([
          options.redis.eval(SCRIPT, 2, ...keys, settings.limit, settings.windowMs, settings.quietMs),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${settings.timeoutMs} ms`)), settings.timeoutMs))),
        ]);
        return VERDICTS[Number(verdict)] ?? "pass";
      } catch (error) {
        // Once a minute at most: an outage would otherwise log every update.
        if (Date.now() - warnedAt > 60_000) {
          warnedAt = Date.now();
          options.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "throttle unavailable: updates pass unthrottled");
        }
        return "pass";
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The middleware: before anything reads the database, so that a flood costs one Redis call per update. */
export function throttleMiddleware(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!deps.throttle || !ctx.from || ctx.from.is_bot) return next();
    const verdict = await deps.throttle.check(ctx.from.id);
    if (verdict === "pass") return next();
    deps.metrics?.botThrottled.inc();
    if (verdict === "ignore" || ctx.chat?.type !== "private") return;
    const t = translator(deps.i18n, languageFromTelegram(ctx.from.language_code, deps.config.DEFAULT_LOCALE));
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    await ctx.reply(t("flood.slowDown"));
  };
}
