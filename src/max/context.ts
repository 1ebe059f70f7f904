/**
 * What a MAX handler gets for one update (issue 14): the sender's account, language and translator —
 * the same fields the Telegram handlers read, so that the shared services and renderers serve both
 * front ends — and replies in MAX's HTML format with inline buttons, each call under the same
 * bounded retry policy as Telegram's (src/channels/telegram-retry.ts).
 */
import type { i18n } from "i18next";
import type { InlineKeyboardButton } from "grammy/types";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Language, Translate } from "../i18n";
import type { AccountDocument } from "../db/models";
import type { CodeAlarm } from "../services/code-alarm";
import { INTERACTIVE_RETRY, type RetryPolicy } from "../channels/telegram-retry";
import { MAX_TEXT_LIMIT } from "../channels/max";
import { splitMessage } from "../domain/format";
import { withMaxRetry, type MaxApi } from "./api";

export interface MaxDeps {
  config: Config;
  logger: Logger;
  i18n: i18n;
  now: () => Date;
  api: MaxApi;
  codeAlarm?: CodeAlarm;
  /** The retry policy of replies (tests shorten it). */
  retry?: RetryPolicy;
}

export type MaxButton = { type: "callback"; text: string; payload: string } | { type: "link"; text: string; url: string };

export interface MaxContext {
  deps: MaxDeps;
  /** The MAX user who wrote or pressed. */
  userId: number;
  /** Their dialog with the bot, when the update names it. */
  chatId?: number;
  account: AccountDocument | null;
  lang: Language;
  t: Translate;
  /** A button press: its payload, and the bot's message it was on. */
  press?: { callbackId: string; payload: string; mid?: string };
  /** Sends a message (HTML; split under MAX's limit, the buttons under the last part). */
  reply(html: string, buttons?: MaxButton[][]): Promise<void>;
  /**
   * Answers the press: with `html`, the message the button was on is replaced (navigation); a
   * `notification` is shown as a short popup. Without either nothing is sent. Once per press.
   */
  answer(options?: { notification?: string; html?: string; buttons?: MaxButton[][] }): Promise<void>;
}

/** Telegram-style button rows (the shared renderers make them) as MAX buttons: callbacks and links. */
export function maxButtons(rows: readonly InlineKeyboardButton[][]): MaxButton[][] {
  return rows
    .map((row) =>
      row.flatMap((b): MaxButton[] => {
        if ("callback_data" in b && b.callback_data) return [{ type: "callback", text: b.text, payload: b.callback_data }];
        if ("url" in b && b.url) return [{ type: "link", text: b.text, url: b.url }];
        return [];
      }),
    )
    .filter((row) => row.length > 0);
}

const keyboard = (buttons?: MaxButton[][]) => (buttons?.length ? [{ type: "inline_keyboard" as const, payload: { buttons } }] : []);

export function makeMaxContext(
  deps: MaxDeps,
  who: { userId: number; chatId?: number; account: AccountDocument | null; lang: Language; t: Translate; press?: MaxContext["press"] },
): MaxContext {
  const policy = deps.retry ?? INTERACTIVE_RETRY;
  const log = deps.logger.child({ component: "max" });
  const call = <T>(fn: () => Promise<T>) => withMaxRetry(fn, policy, (attempt, delayMs, kind) => log.info({ attempt, delayMs, kind }, "max asked to wait"));
  let answered = false;
  const ctx: MaxContext = {
    deps,
    ...who,
    async reply(html, buttons) {
      const parts = splitMessage([html], MAX_TEXT_LIMIT);
      for (const [i, part] of parts.entries()) {
        const last = i === parts.length - 1;
        await call(() => deps.api.raw.messages.send({ user_id: ctx.userId, text: part, format: "html", disable_link_preview: true, attachments: last ? keyboard(buttons) : [] }));
      }
    },
    async answer(options = {}) {
      if (!ctx.press || answered) return;
      answered = true;
      const message = options.html !== undefined ? { text: options.html, format: "html" as const, attachments: keyboard(options.buttons) } : undefined;
      // POST /answers needs a new message body or a notification; with neither there is nothing to say.
      if (!message && !options.notification) return;
      const body = { ...(message ? { message } : {}), ...(options.notification ? { notification: options.notification } : {}) };
      try {
        await call(() => deps.api.raw.messages.answerOnCallback({ callback_id: ctx.press!.callbackId, ...(body as object) }));
      } catch (error) {
        // A spinner that keeps turning is not worth failing the user's step; a replaced message is.
        if (message) throw error;
        log.warn({ err: { type: error instanceof Error ? error.name : "unknown" } }, "max: answering a button press failed");
      }
    },
  };
  return ctx;
}
