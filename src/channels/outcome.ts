/** What a channel says about one attempt; the delivery engine decides what follows. */
export type SendOutcome =
  | { ok: true }
  /** Telegram's 429: wait `retryAfterMs` (the whole bot, not only this chat), then try again. */
  | { ok: false; kind: "rate-limited"; retryAfterMs: number; error: string }
  /** The person cannot be reached on this channel (bot blocked, chat gone, mailbox refused): fall back. */
  | { ok: false; kind: "unreachable"; error: string }
  /** Network trouble or a server error: retry with backoff. */
  | { ok: false; kind: "retry"; error: string }
  /** A request the channel will never accept as it is (a bug on our side): fail without retrying. */
  | { ok: false; kind: "permanent"; error: string };

/** Error texts go to Delivery.lastError and logs: codes and API descriptions only, never message text. */
export function short(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 300);
}
