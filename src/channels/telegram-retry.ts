/**
 * The one policy for Telegram's transient answers, wherever the Bot API is called: the bot's
 * handlers (`bot.api` and every `ctx.api` made from it), the dialogs (grammY conversations build
 * an `Api` of their own per replayed context: src/bot/dialog-api.ts installs this transformer there),
 * the worker's printouts, and the delivery engine (which waits on the queue instead of in place,
 * with the same classification: `classifyTelegramFailure`).
 *
 * - `429`: wait the `retry_after` Telegram asked for (never less), then try again; a wait longer
 *   than the policy allows is not taken here (the caller's fallback decides).
 * - `5xx` and network errors: exponential backoff.
 * - Both bounded in attempts and in total waiting; then the failure goes to the caller, whose
 *   fallback keeps what matters (a dialog parks at its step, a handler answers politely, a queued
 *   delivery waits on the queue).
 * - Anything else (400, 403, 401...) is not retried: trying again would not change the answer.
 */
import { HttpError, type Transformer } from "grammy";
import { short, type SendOutcome } from "./outcome";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** A 429 asking to wait longer than this is not waited for in place. */
  maxRetryAfterSeconds: number;
  /** Backoff for 5xx and network errors: base · 2^(n−1), at most `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** All waits of one call together stay within this. */
  maxTotalWaitMs: number;
}

/** Someone is waiting for the answer (handlers, dialogs): a minute at most, then the fallback. */
export const INTERACTIVE_RETRY: RetryPolicy = { maxAttempts: 8, maxRetryAfterSeconds: 30, backoffBaseMs: 500, backoffMaxMs: 8_000, maxTotalWaitMs: 60_000 };

/** Scheduled work that sends in place (printouts): longer waits, then the job's own retry. */
export const BACKGROUND_RETRY: RetryPolicy = { maxAttempts: 10, maxRetryAfterSeconds: 120, backoffBaseMs: 2_000, backoffMaxMs: 60_000, maxTotalWaitMs: 5 * 60_000 };

/** What a failed call means, whoever made it. */
export type TelegramFailure =
  /** 429: wait `retryAfterMs` (Telegram's own figure), then try again. */
  | { kind: "rate-limited"; retryAfterMs: number }
  /** 5xx, a network error, a timeout: try again after a pause. */
  | { kind: "transient" }
  /** The chat cannot be reached (bot blocked, chat gone): do not try again. */
  | { kind: "unreachable" }
  /** Telegram will never accept this request as it is. */
  | { kind: "permanent" };

/** 400s that mean "this chat cannot be reached", not "our request is wrong". */
const UNREACHABLE_400 = /chat not found|user is deactivated|PEER_ID_INVALID|bot can't initiate conversation|have no rights to send|bot is not a member|bot was kicked/i;

/** The fields of a failed Bot API answer (a raw `{ok: false}` response or a GrammyError). */
export interface ApiFailureFields {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

export function classifyApiFailure(answer: ApiFailureFields): TelegramFailure {
  const code = answer.error_code;
  if (code === 429) return { kind: "rate-limited", retryAfterMs: Math.max(1, answer.parameters?.retry_after ?? 1) * 1000 };
  if (code >= 500) return { kind: "transient" };
  if (code === 403 || (code === 400 && UNREACHABLE_400.test(answer.description))) return { kind: "unreachable" };
  return { kind: "permanent" };
}

/** A thrown error: a GrammyError's answer, an HttpError (network, timeout) or something of ours. */
export function classifyTelegramError(error: unknown): TelegramFailure {
  if (isApiFailure(error)) return classifyApiFailure(error);
  if (error instanceof HttpError) return { kind: "transient" };
  return { kind: "transient" };
}

function isApiFailure(value: unknown): value is ApiFailureFields {
  const v = value as Partial<ApiFailureFields> | null;
  return !!v && typeof v === "object" && typeof v.error_code === "number" && typeof v.description === "string";
}

/** Whether an error that reached a handler is Telegram being busy or away (not our bug, not a refusal). */
export function isTelegramUnavailable(error: unknown): boolean {
  if (error instanceof HttpError) return true;
  if (!isApiFailure(error)) return false;
  const kind = classifyApiFailure(error).kind;
  return kind === "rate-limited" || kind === "transient";
}

/** The delivery engine's view of one attempt (it waits on the queue, not in place). */
export function sendOutcomeOf(error: unknown): SendOutcome {
  const failure = classifyTelegramError(error);
  const text = isApiFailure(error)
    ? `telegram ${error.error_code}: ${short(error.description)}`
    : error instanceof HttpError ? `network: ${short(error.message)}` : `error: ${short(error instanceof Error ? error.message : String(error))}`;
  switch (failure.kind) {
    case "rate-limited":
      return { ok: false, kind: "rate-limited", retryAfterMs: failure.retryAfterMs, error: text };
    case "unreachable":
      return { ok: false, kind: "unreachable", error: text };
    case "permanent":
      return { ok: false, kind: "permanent", error: text };
    default:
      return { ok: false, kind: "retry", error: text };
  }
}

/**
 * How long to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed this way
 * and `waitedMs` were already spent waiting; null: give up.
 */
export function retryDelayMs(failure: TelegramFailure, attempt: number, waitedMs: number, policy: RetryPolicy): number | null {
  if (attempt >= policy.maxAttempts) return null;
  let delay: number;
  if (failure.kind === "rate-limited") {
    if (failure.retryAfterMs > policy.maxRetryAfterSeconds * 1000) return null;
    delay = failure.retryAfterMs;
  } else if (failure.kind === "transient") {
    delay = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  } else {
    return null;
  }
  return waitedMs + delay > policy.maxTotalWaitMs ? null : delay;
}

/** Calls whose failure costs the user nothing worth failing their step for: a spinner, a stale keyboard, "typing…". */
export const COSMETIC_METHODS = new Set(["answerCallbackQuery", "sendChatAction", "editMessageReplyMarkup"]);

/** Telegram refuses answers to button presses older than about 15 s; the spinner then stops by itself. */
const EXPIRED_QUERY = /query is too old|query ID is invalid/i;

export interface RetryEvent {
  method: string;
  attempt: number;
  delayMs: number;
  kind: TelegramFailure["kind"];
}

export interface RetryOptions {
  policy?: RetryPolicy;
  /** Waits `ms` (dialogs pass a replay-safe wait); aborts with the request's signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each wait (for logs and metrics: method and figures only). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Called when the policy gives up on a transient failure; "retry" starts the policy afresh
   * (a dialog parks until the user writes again), "fail" hands the failure to the caller.
   * `callOnce` makes one call below this transformer (no retries): for a notice about the failure.
   */
  onGiveUp?: (method: string, failure: TelegramFailure, callOnce: OneCall) => Promise<"retry" | "fail">;
}

/** One Bot API call without the policy; resolves with Telegram's answer, ok or not. */
export type OneCall = (method: string, payload: Record<string, unknown>) => Promise<{ ok: boolean }>;

/** Methods the transformer leaves alone: long polling has its own retry loop (@grammyjs/runner). */
const NOT_RETRIED = new Set(["getUpdates"]);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted while waiting to retry"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    function abort() {
      clearTimeout(timer);
      reject(new Error("aborted while waiting to retry"));
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** The grammY transformer that applies the policy to every call of the `Api` it is installed on. */
export function telegramRetry(options: RetryOptions = {}): Transformer {
  const policy = options.policy ?? INTERACTIVE_RETRY;
  const wait = options.sleep ?? sleep;
  return async (prev, method, payload, signal) => {
    if (NOT_RETRIED.has(method)) return prev(method, payload, signal);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let failure: TelegramFailure;
      let answer: Awaited<ReturnType<typeof prev>> | undefined;
      let thrown: unknown;
      try {
        answer = await prev(method, payload, signal);
        if (answer.ok) return answer;
        if (method === "answerCallbackQuery" && answer.error_code === 400 && EXPIRED_QUERY.test(answer.description)) {
          return { ok: true, result: true } as typeof answer;
        }
        failure = classifyApiFailure(answer);
      } catch (error) {
        if (!(error instanceof HttpError) || signal?.aborted) throw error;
        thrown = error;
        failure = { kind: "transient" };
      }
      const delay = retryDelayMs(failure, attempt, waited, policy);
      if (delay !== null) {
        options.onRetry?.({ method, attempt, delayMs: delay, kind: failure.kind });
        await wait(delay, signal as AbortSignal | undefined);
        waited += delay;
        continue;
      }
      if (failure.kind === "rate-limited" || failure.kind === "transient") {
        // A cosmetic call is not worth failing the user's step: it counts as done.
        if (COSMETIC_METHODS.has(method)) return { ok: true, result: true } as NonNullable<typeof answer>;
        const callOnce: OneCall = (m, p) => prev(m as never, p as never, signal);
        if (options.onGiveUp && (await options.onGiveUp(method, failure, callOnce)) === "retry") {
          attempt = 0;
          waited = 0;
          continue;
        }
      }
      if (thrown !== undefined) throw thrown;
      return answer!;
    }
  };
}
