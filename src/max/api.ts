/**
 * The MAX Bot API client (issue 14): `@maxhub/max-bot-api`'s `Api` pointed at MAX_API_ROOT, and the
 * classification of MAX's answers into what callers do next — the same kinds as Telegram's
 * (src/channels/telegram-retry.ts), so that handlers retry in place with the same bounded policy and
 * the delivery engine waits on its queue.
 *
 * MAX answers errors as `{"code": "...", "message": "..."}` with an HTTP status (dev.max.ru:
 * 400 invalid request, 401 token, 404 not found, 405, 429 too many requests, 503 unavailable). It
 * names no wait for a 429, so one second is waited, doubling on repeats (the platform's limit is
 * 30 requests a second per bot). A 403 or a 404 on a send means the dialog cannot be reached (the user
 * stopped the bot or deleted the dialog): the next channel of the person's order.
 */
import { Bot, MaxError, type Api } from "@maxhub/max-bot-api";
import { retryDelayMs, sleep, type RetryPolicy, type TelegramFailure } from "../channels/telegram-retry";
import { short, type SendOutcome } from "../channels/outcome";

export type MaxApi = Api;

/** Longer than any sane answer, shorter than the engine's "sending" lease (delivery-engine.ts). */
const REQUEST_TIMEOUT_MS = 20_000;

/** A client of its own (no polling): the front end and the worker's channel each make one. */
export function createMaxApi(token: string, apiRoot: string, fetchImpl: typeof fetch = fetch): MaxApi {
  const timed: typeof fetch = (input, init) => {
    // Long polling asks for its own, longer wait (its request carries a signal and a timeout parameter).
    const signal = init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return fetchImpl(input, { ...init, signal });
  };
  return new Bot(token, { clientOptions: { baseUrl: apiRoot, fetch: timed } }).api;
}

/** A 429 without a wait named: one second, doubled per repeat by the callers' backoff. */
export const MAX_429_WAIT_MS = 1_000;

export function classifyMaxError(error: unknown): TelegramFailure {
  if (error instanceof MaxError) {
    if (error.status === 429) return { kind: "rate-limited", retryAfterMs: MAX_429_WAIT_MS };
    if (error.status >= 500) return { kind: "transient" };
    if (error.status === 403 || error.status === 404) return { kind: "unreachable" };
    return { kind: "permanent" };
  }
  // fetch failed, a timeout, a body that was not JSON: the network or the platform, not our request.
  return { kind: "transient" };
}

/** Error text for Delivery.lastError and logs: status and MAX's code and message, never our text. */
export function maxErrorText(error: unknown): string {
  if (error instanceof MaxError) return `max ${error.status}: ${short(`${error.code ?? ""} ${error.description ?? ""}`.trim())}`;
  return `network: ${short(error instanceof Error ? error.message : String(error))}`;
}

/** The delivery engine's view of one attempt. */
export function maxSendOutcome(error: unknown): SendOutcome {
  const failure = classifyMaxError(error);
  const text = maxErrorText(error);
  if (failure.kind === "rate-limited") return { ok: false, kind: "rate-limited", retryAfterMs: failure.retryAfterMs, error: text };
  if (failure.kind === "unreachable") return { ok: false, kind: "unreachable", error: text };
  if (failure.kind === "permanent") return { ok: false, kind: "permanent", error: text };
  return { ok: false, kind: "retry", error: text };
}

/**
 * One call with the interactive policy: 429s and transient failures are waited out (429: 1 s, 2 s,
 * 4 s …), bounded; anything else, or the policy giving up, throws to the caller.
 */
export async function withMaxRetry<T>(call: () => Promise<T>, policy: RetryPolicy, onRetry?: (attempt: number, delayMs: number, kind: string) => void): Promise<T> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyMaxError(error);
      const scaled: TelegramFailure = failure.kind === "rate-limited" ? { kind: "rate-limited", retryAfterMs: failure.retryAfterMs * 2 ** (attempt - 1) } : failure;
      const delay = retryDelayMs(scaled, attempt, waited, policy);
      if (delay === null) throw error;
      onRetry?.(attempt, delay, failure.kind);
      await sleep(delay);
      waited += delay;
    }
  }
}
