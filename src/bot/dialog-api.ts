/**
 * Bot API calls made inside dialogs obey the retry policy (src/channels/telegram-retry.ts) too.
 *
 * The conversations plugin builds a new `Api` for every context a dialog replays and installs its
 * own transformer on it (it records each call's answer for replays), so `bot.api.config.use` never
 * sees these calls. The plugin's supported hook is its `plugins` option: middleware that runs on
 * every context a dialog creates, where `ctx.api.config.use(...)` installs a transformer. Installed
 * after the recorder, ours wraps it: every attempt is recorded, and a replay gets the recorded
 * answers back in the same order, so it takes the same decisions.
 *
 * - **Waits are replay-safe**: a wait counts from `dialog.now()` (recorded). The first run sleeps
 *   the `retry_after`; a replay of that moment, on a later update, finds it long past and sleeps
 *   nothing, so a dialog that once met a 429 is not slower ever after.
 * - **When the policy gives up** (Telegram away for a minute), the dialog parks at that call: it
 *   tries once to tell the user, then waits for their next message and makes the call again. The
 *   state is saved as it is, so the step the user was on and everything already done (a consent
 *   recorded, a code redeemed) stay; nothing is asked twice. Commands and main-menu buttons pass
 *   through while it is parked, as they do at any step.
 */
import type { Conversation } from "@grammyjs/conversations";
import type { Context, MiddlewareFn } from "grammy";
import { sleep, telegramRetry, type OneCall, type TelegramFailure } from "../channels/telegram-retry";
import { translator } from "../i18n";
import type { BotContext, BotDeps } from "./context";
import { passesThrough } from "./dialog";

type DialogConversation = Conversation<BotContext, Context>;

/** A wait that a replay does not repeat (logged only when it really waits). */
function replaySafeSleep(dialog: DialogConversation, deps: BotDeps) {
  return async (ms: number) => {
    const started = await dialog.now();
    const left = started + ms - Date.now();
    if (left <= 0) return;
    deps.logger.info({ waitMs: left }, "telegram asked to wait (dialog)");
    await sleep(left);
  };
}

function parkAtCall(dialog: DialogConversation, deps: BotDeps, ctx: Context) {
  return async (method: string, failure: TelegramFailure, callOnce: OneCall): Promise<"retry"> => {
    // External: runs once, not on every replay of this moment.
    const lang = await dialog.external((outer) => {
      deps.logger.warn({ method, kind: failure.kind, accountId: outer.account ? String(outer.account._id) : undefined }, "telegram unavailable: the dialog waits for the user's next message");
      return outer.lang;
    });
    if (ctx.chatId !== undefined) {
      try {
        await callOnce("sendMessage", { chat_id: ctx.chatId, text: translator(deps.i18n, lang)("errors.telegramBusyDialog") });
      } catch {
        // Telegram is away: the user will write again, and the dialog continues then.
      }
    }
    const next = await dialog.wait();
    if (!next.callbackQuery && passesThrough(deps, next)) await dialog.skip({ next: true });
    if (next.callbackQuery) await next.answerCallbackQuery();
    return "retry";
  };
}

/** The `plugins` option of the conversations plugin: the retry policy on every dialog's `Api`. */
export function dialogApiPlugins(deps: BotDeps) {
  return (dialog: DialogConversation): Array<MiddlewareFn<Context>> => [
    async (ctx, next) => {
      ctx.api.config.use(
        telegramRetry({
          sleep: replaySafeSleep(dialog, deps),
          onGiveUp: parkAtCall(dialog, deps, ctx),
        }),
      );
      await next();
    },
  ];
}
