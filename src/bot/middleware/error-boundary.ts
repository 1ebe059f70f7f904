import type { MiddlewareFn } from "grammy";
import { translator } from "../../i18n";
import type { BotContext, BotDeps } from "../context";

/**
 * Whatever goes wrong below, the user gets a polite message in their language and the log gets
 * the error with ids only (no names, no message texts).
 */
export function errorBoundary(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.deps = deps;
    deps.metrics?.botUpdates.inc({ type: updateType(ctx) });
    try {
      await next();
    } catch (error) {
      deps.metrics?.botErrors.inc();
      deps.logger.error(
        { err: describeError(error), updateId: ctx.update.update_id, updateType: updateType(ctx), userId: ctx.from?.id },
        "bot update failed",
      );
      const t = ctx.t ?? translator(deps.i18n, deps.config.DEFAULT_LOCALE);
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery();
        if (ctx.chat) await ctx.reply(t("errors.internal"));
      } catch (replyError) {
        deps.logger.warn({ err: describeError(replyError), updateId: ctx.update.update_id }, "could not tell the user about the error");
      }
    }
  };
}

function updateType(ctx: BotContext): string {
  return Object.keys(ctx.update).find((key) => key !== "update_id") ?? "unknown";
}

/** The error's class, message and stack: these come from our code, not from the user. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack };
  return { type: typeof error, message: String(error) };
}
