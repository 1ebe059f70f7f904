import type { MiddlewareFn } from "grammy";
import { Account } from "../../db/models";
import { languageFromTelegram, translator } from "../../i18n";
import type { BotContext, BotDeps } from "../context";
import { reactivateAccount } from "../../services/accounts";
import { dropExpiredRoles } from "../../services/staff";

/** Loads the sender's account and sets the language: the stored choice first, then Telegram's. */
export function accountMiddleware(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.account = ctx.from ? await Account.findOne({ telegramId: ctx.from.id }) : null;
    if (ctx.account && !ctx.account.active) await reactivateAccount(ctx.account);
    // A staff role past the end of its school year counts for nothing from that instant on.
    if (ctx.account) dropExpiredRoles(ctx.account, deps.now());
    ctx.lang = ctx.account?.language ?? languageFromTelegram(ctx.from?.language_code, deps.config.DEFAULT_LOCALE);
    ctx.t = translator(deps.i18n, ctx.lang);
    await next();
  };
}
