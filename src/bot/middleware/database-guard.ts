import type { MiddlewareFn } from "grammy";
import { languageFromTelegram, translator } from "../../i18n";
import type { BotContext, BotDeps } from "../context";

/**
 * While MongoDB does not answer (deps.database, src/runtime/db-health.ts), an update is answered
 * "temporarily unavailable" in the sender's Telegram language (the stored choice cannot be read)
 * and goes no further: nothing would be read or stored. The user sends it again later; the
 * worker's messages wait and go out once the database is back.
 */
export function databaseGuard(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!deps.database || deps.database.up()) return next();
    deps.logger.warn({ updateId: ctx.update.update_id }, "update answered 'temporarily unavailable': MongoDB does not answer");
    await answerUnavailable(deps, ctx);
  };
}

export async function answerUnavailable(deps: BotDeps, ctx: BotContext): Promise<void> {
  const t = translator(deps.i18n, languageFromTelegram(ctx.from?.language_code, deps.config.DEFAULT_LOCALE));
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t("errors.unavailable"), show_alert: true });
  else if (ctx.chat?.type === "private") await ctx.reply(t("errors.unavailable"));
}

/** Errors of the driver that mean "the database is away", not "our bug". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : "";
  return /^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|PoolCleared|Topology)/.test(name) || name === "PoolClearedError" || /buffering timed out/.test(message);
}
