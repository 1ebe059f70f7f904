/**
 * The MAX messenger channel of the worker (issue 14): one message to one MAX user, in MAX's HTML
 * format (the same markup the Telegram channel sends: <b>, <i>, <a>, <code>), cut under MAX's
 * 4,000-character limit. It does not wait in place: the outcome tells the delivery engine what
 * follows (src/max/api.ts classifies MAX's answers).
 */
import { splitMessage } from "../domain/format";
import { createMaxApi, maxSendOutcome, type MaxApi } from "../max/api";
import type { SendOutcome } from "./outcome";

/** MAX's limit for one message's text. */
export const MAX_TEXT_LIMIT = 4000;

export interface MaxChannel {
  sendMessage(maxUserId: number, html: string): Promise<SendOutcome>;
}

export function createMaxChannel(token: string, apiRoot: string, fetchImpl?: typeof fetch): MaxChannel {
  return maxChannelOf(createMaxApi(token, apiRoot, fetchImpl));
}

export function maxChannelOf(api: MaxApi): MaxChannel {
  return {
    async sendMessage(maxUserId, html) {
      try {
        // A long notice (a weekly digest) goes as several messages; a failure part-way is retried
        // whole by the engine (at-least-once, as for Telegram).
        for (const part of splitMessage([html], MAX_TEXT_LIMIT)) {
          await api.raw.messages.send({ user_id: maxUserId, text: part, format: "html", disable_link_preview: true });
        }
        return { ok: true };
      } catch (error) {
        return maxSendOutcome(error);
      }
    },
  };
}
