/**
 * The retry policy as a table: what each Telegram answer means and how long to wait after it.
 */
import { GrammyError, HttpError } from "grammy";
import {
  BACKGROUND_RETRY, INTERACTIVE_RETRY, classifyApiFailure, classifyTelegramError, isTelegramUnavailable, retryDelayMs, sendOutcomeOf, type TelegramFailure,
} from "../../src/channels/telegram-retry";

const answer = (error_code: number, description: string, retry_after?: number) => ({ ok: false as const, error_code, description, ...(retry_after ? { parameters: { retry_after } } : {}) });

test.each([
  [answer(429, "Too Many Requests: retry after 7", 7), { kind: "rate-limited", retryAfterMs: 7000 }],
  [answer(429, "Too Many Requests"), { kind: "rate-limited", retryAfterMs: 1000 }],
  [answer(500, "Internal Server Error"), { kind: "transient" }],
  [answer(502, "Bad Gateway"), { kind: "transient" }],
  [answer(403, "Forbidden: bot was blocked by the user"), { kind: "unreachable" }],
  [answer(400, "Bad Request: chat not found"), { kind: "unreachable" }],
  [answer(403, "Forbidden: bot is not a member of the group chat"), { kind: "unreachable" }],
  [answer(400, "Bad Request: can't parse entities"), { kind: "permanent" }],
  [answer(401, "Unauthorized"), { kind: "permanent" }],
  [answer(409, "Conflict"), { kind: "permanent" }],
])("%o means %o", (given, expected) => {
  expect(classifyApiFailure(given)).toEqual(expected);
  expect(classifyTelegramError(new GrammyError("call failed", given, "sendMessage", {}))).toEqual(expected);
});

test("network errors are transient; only 429, 5xx and network errors mean 'Telegram unavailable'", () => {
  const network = new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET"));
  expect(classifyTelegramError(network)).toEqual({ kind: "transient" });
  expect(isTelegramUnavailable(network)).toBe(true);
  expect(isTelegramUnavailable(new GrammyError("x", answer(429, "Too Many Requests", 3), "sendMessage", {}))).toBe(true);
  expect(isTelegramUnavailable(new GrammyError("x", answer(503, "Service Unavailable"), "sendMessage", {}))).toBe(true);
  expect(isTelegramUnavailable(new GrammyError("x", answer(403, "Forbidden"), "sendMessage", {}))).toBe(false);
  expect(isTelegramUnavailable(new Error("MongoNetworkError"))).toBe(false);
});

test("the delivery engine's outcomes carry codes and descriptions, never more", () => {
  expect(sendOutcomeOf(new GrammyError("x", answer(429, "Too Many Requests: retry after 4", 4), "sendMessage", {}))).toEqual({
    ok: false, kind: "rate-limited", retryAfterMs: 4000, error: "telegram 429: Too Many Requests: retry after 4",
  });
  expect(sendOutcomeOf(new GrammyError("x", answer(403, "Forbidden: bot was blocked by the user"), "sendMessage", {}))).toMatchObject({ kind: "unreachable" });
  expect(sendOutcomeOf(new HttpError("Network request failed", new Error("x")))).toMatchObject({ kind: "retry", error: "network: Network request failed" });
});

const limited = (s: number): TelegramFailure => ({ kind: "rate-limited", retryAfterMs: s * 1000 });
const transient: TelegramFailure = { kind: "transient" };

test.each([
  // failure, attempt that failed, waited so far, policy, wait before the next attempt (null: give up)
  [limited(2), 1, 0, INTERACTIVE_RETRY, 2000],
  [limited(30), 1, 0, INTERACTIVE_RETRY, 30_000],
  [limited(31), 1, 0, INTERACTIVE_RETRY, null],
  [limited(31), 1, 0, BACKGROUND_RETRY, 31_000],
  [limited(20), 3, 45_000, INTERACTIVE_RETRY, null], // would pass the minute in all
  [limited(1), 8, 0, INTERACTIVE_RETRY, null], // the last attempt
  [transient, 1, 0, INTERACTIVE_RETRY, 500],
  [transient, 2, 500, INTERACTIVE_RETRY, 1000],
  [transient, 5, 7_500, INTERACTIVE_RETRY, 8000],
  [transient, 7, 31_500, INTERACTIVE_RETRY, 8000], // capped
  [transient, 1, 0, BACKGROUND_RETRY, 2000],
  [{ kind: "unreachable" }, 1, 0, INTERACTIVE_RETRY, null],
  [{ kind: "permanent" }, 1, 0, INTERACTIVE_RETRY, null],
] as const)("%o after attempt %i (waited %i ms): wait %p", (failure, attempt, waited, policy, expected) => {
  expect(retryDelayMs(failure, attempt, waited, policy)).toBe(expected);
});

test("the interactive policy keeps a user waiting a minute at most, the background one five", () => {
  for (const [policy, budget] of [[INTERACTIVE_RETRY, 60_000], [BACKGROUND_RETRY, 300_000]] as const) {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const delay = retryDelayMs(transient, attempt, waited, policy);
      if (delay === null) break;
      waited += delay;
    }
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(budget);
  }
});
