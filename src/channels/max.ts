/**
 * The MAX messenger channel of the worker (issue 14): one message to one MAX user, in MAX's HTML
 * format (the same markup the Telegram channel sends: <b>, <i>, <a>, <code>), cut under MAX's
 * 4,000-character limit. It does not wait in place: the outcome tells the delivery engine what
 * follows (src/max/api.ts classifies MAX's answers). A file (a staff member's PDF) goes in MAX's
 * three steps: an upload URL, the multipart upload (our own, so that the file keeps its name: the
 * package's `uploadFile` names a buffer with a random UUID), then a message with a `file`
 * attachment, which MAX answers `attachment.not.ready` until it has processed the upload.
 */
import { MaxError } from "@maxhub/max-bot-api";
import { splitMessage } from "../domain/format";
import { createMaxApi, maxSendOutcome, type MaxApi } from "../max/api";
import type { MaxButton } from "../max/context";
import { sleep } from "./telegram-retry";
import type { SendOutcome } from "./outcome";

/** MAX's limit for one message's text. */
export const MAX_TEXT_LIMIT = 4000;

export interface MaxFileToSend {
  bytes: Buffer;
  fileName: string;
  /** HTML caption sent with the file. */
  caption?: string;
}

export interface MaxChannel {
  /** `buttons`: an inline keyboard under the last part (staff messages; notices have none). */
  sendMessage(maxUserId: number, html: string, buttons?: MaxButton[][]): Promise<SendOutcome>;
  sendFile(maxUserId: number, file: MaxFileToSend): Promise<SendOutcome>;
}

/** How long a message with a fresh upload waits for MAX to process it: 0.5 s, doubling, five times (about 15 s). */
const NOT_READY_WAITS_MS = [500, 1000, 2000, 4000, 8000];
const UPLOAD_TIMEOUT_MS = 60_000;

export function createMaxChannel(token: string, apiRoot: string, fetchImpl?: typeof fetch): MaxChannel {
  return maxChannelOf(createMaxApi(token, apiRoot, fetchImpl), fetchImpl);
}

export function maxChannelOf(api: MaxApi, fetchImpl: typeof fetch = fetch): MaxChannel {
  /** The upload's token: MAX's URL for it, then the file as the multipart part `data`. */
  async function upload(file: MaxFileToSend): Promise<string> {
    const { url } = await api.raw.uploads.getUploadUrl({ type: "file" });
    const form = new FormData();
    form.append("data", new Blob([new Uint8Array(file.bytes)]), file.fileName);
    const response = await fetchImpl(url, { method: "POST", body: form, signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`upload answered ${response.status}`);
    const { token } = (await response.json()) as { token?: string };
    if (!token) throw new Error("upload answered no token");
    return token;
  }

  return {
    async sendMessage(maxUserId, html, buttons) {
      try {
        // A long notice (a weekly digest) goes as several messages; a failure part-way is retried
        // whole by the engine (at-least-once, as for Telegram).
        const parts = splitMessage([html], MAX_TEXT_LIMIT);
        for (const [i, part] of parts.entries()) {
          const keyboard = buttons?.length && i === parts.length - 1 ? [{ type: "inline_keyboard" as const, payload: { buttons } }] : [];
          await api.raw.messages.send({ user_id: maxUserId, text: part, format: "html", disable_link_preview: true, attachments: keyboard });
        }
        return { ok: true };
      } catch (error) {
        return maxSendOutcome(error);
      }
    },
    async sendFile(maxUserId, file) {
      try {
        const token = await upload(file);
        const message = { user_id: maxUserId, text: file.caption ?? "", format: "html" as const, attachments: [{ type: "file" as const, payload: { token } }] };
        for (let attempt = 0; ; attempt++) {
          try {
            await api.raw.messages.send(message);
            return { ok: true };
          } catch (error) {
            const notReady = error instanceof MaxError && error.code === "attachment.not.ready";
            if (!notReady || attempt >= NOT_READY_WAITS_MS.length) throw error;
            await sleep(NOT_READY_WAITS_MS[attempt]);
          }
        }
      } catch (error) {
        return maxSendOutcome(error);
      }
    },
  };
}
