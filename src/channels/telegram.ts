/**
 * The Telegram channel of the worker: a grammY `Api` of its own and the classification of
 * Telegram's answers into what the delivery engine does next. It does not wait in place: the
 * engine obeys a 429 once for the whole bot (a hold in Redis) and retries 5xx and network errors
 * with the queue's backoff — the same policy as everywhere (src/channels/telegram-retry.ts), with
 * the queue doing the waiting so that a worker's slots are not held by sleeping jobs.
 */
import { Api } from "grammy";
import type { SendOutcome } from "./outcome";
import { sendOutcomeOf } from "./telegram-retry";

export interface TelegramChannel {
  sendMessage(chatId: number, html: string): Promise<SendOutcome>;
}

/** Longer than any sane answer, shorter than the engine's "sending" lease (see delivery-engine.ts). */
const REQUEST_TIMEOUT_SECONDS = 20;

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

/** What the engine does after a failed send (see telegram-retry.ts for the classification). */
export function classifyTelegramError(error: unknown): SendOutcome {
  return sendOutcomeOf(error);
}
