import { Api, type MiddlewareFn } from "grammy";
import { isTelegramUnavailable } from "../../channels/telegram-retry";
import { translator } from "../../i18n";
import { errorFields } from "../../logger";
import type { BotContext, BotDeps } from "../context";
import { isDatabaseUnavailable } from "./database-guard";

/**
 * Whatever goes wrong below, the user gets a polite message in their language and the log gets
 * the error with ids only: the account's id (never the Telegram user id), no names, no message
 * texts, and the stack only when the log runs at debug level.
 *
 * When Telegram itself was away (the retry policy gave up on a 429 or a 5xx), the message says so
 * and is tried once, without the policy's waits: the user has waited long enough.
 */
export function errorBoundary(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.deps = deps;
    deps.metrics?.botUpdates.inc({ type: updateType(ctx) });
    try {
      await next();
    } catch (error) {
      deps.metrics?.botErrors.inc();
      const telegramAway = isTelegramUnavailable(error);
      const databaseAway = isDatabaseUnavailable(error);
      const fields = { err: describeError(deps, error), updateId: ctx.update.update_id, updateType: updateType(ctx), accountId: ctx.account?._id ? String(ctx.account._id) : undefined };
      // Telegram refusing for longer than the policy waits is not a bug of ours: a warning.
      if (telegramAway) deps.logger.warn(fields, "bot update not answered: telegram unavailable");
      else if (databaseAway) deps.logger.warn(fields, "bot update not answered: MongoDB unavailable");
      else deps.logger.error(fields, "bot update failed");
      const t = ctx.t ?? translator(deps.i18n, deps.config.DEFAULT_LOCALE);
      // A bare Api (no transformers): one attempt.
      const api = telegramAway ? new Api(ctx.api.token, ctx.api.options) : ctx.api;
      try {
        if (ctx.callbackQuery) await api.answerCallbackQuery(ctx.callbackQuery.id);
        if (ctx.chat) await api.sendMessage(ctx.chat.id, t(telegramAway ? "errors.telegramBusy" : databaseAway ? "errors.unavailable" : "errors.internal"));
      } catch (replyError) {
        deps.logger.warn({ err: describeError(deps, replyError), updateId: ctx.update.update_id }, "could not tell the user about the error");
      }
    }
  };
}

function updateType(ctx: BotContext): string {
  return Object.keys(ctx.update).find((key) => key !== "update_id") ?? "unknown";
}

/** The error's class and message (they come from our code, not from the user); the stack at debug level. */
function describeError(deps: BotDeps, error: unknown): Record<string, unknown> {
  return errorFields(error, deps.logger.isLevelEnabled("debug"));
}
