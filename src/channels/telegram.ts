/**
 * The Telegram channel of the worker: a grammY `Api` of its own (no auto-retry: the queue retries,
 * so a 429 is obeyed once for the whole bot instead of inside one request) and a classification of
 * Telegram's answers into what the delivery engine does next.
 */
import { Api, GrammyError, HttpError } from "grammy";
import { short, type SendOutcome } from "./outcome";

export interface TelegramChannel {
  sendMessage(chatId: number, html: string): Promise<SendOutcome>;
}

/** Longer than any sane answer, shorter than the engine's "sending" lease (see delivery-engine.ts). */
const REQUEST_TIMEOUT_SECONDS = 20;

/** 400s that mean "this chat cannot be reached", not "our request is wrong". */
const UNREACHABLE_400 = /chat not found|user is deactivated|PEER_ID_INVALID|bot can't initiate conversation|have no rights to send/i;

export function createTelegramChannel(token: string, apiRoot: string, fetchImpl?: typeof fetch): TelegramChannel {
  const api = new Api(token, { apiRoot, timeoutSeconds: REQUEST_TIMEOUT_SECONDS, ...(fetchImpl ? { fetch: fetchImpl as never } : {}) });
  return {
    async sendMessage(chatId, html) {
      try {
        await api.sendMessage(chatId, html, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
        return { ok: true };
      } catch (error) {
        return classifyTelegramError(error);
      }
    },
  };
}

export function classifyTelegramError(error: unknown): SendOutcome {
  if (error instanceof GrammyError) {
    const error_ = `telegram ${error.error_code}: ${short(error.description)}`;
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { ok: false, kind: "rate-limited", retryAfterMs: Math.max(1, seconds) * 1000, error: error_ };
    }
    if (error.error_code === 403) return { ok: false, kind: "unreachable", error: error_ };
    if (error.error_code === 400 && UNREACHABLE_400.test(error.description)) return { ok: false, kind: "unreachable", error: error_ };
    if (error.error_code >= 400 && error.error_code < 500) return { ok: false, kind: "permanent", error: error_ };
    return { ok: false, kind: "retry", error: error_ };
  }
  if (error instanceof HttpError) return { ok: false, kind: "retry", error: `network: ${short(error.message)}` };
  return { ok: false, kind: "retry", error: `error: ${short(error instanceof Error ? error.message : String(error))}` };
}
