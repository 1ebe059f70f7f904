import type { MiddlewareFn } from "grammy";
import { loadAccountWithAccess } from "../../services/access-snapshot";
import { prefetchDialog } from "../session";
import { languageFromTelegram, translator } from "../../i18n";
import type { BotContext, BotDeps } from "../context";
import { reactivateAccount } from "../../services/accounts";
import { dropExpiredRoles } from "../../services/staff";

/** Loads the sender's account and sets the language: the stored choice first, then Telegram's. */
export function accountMiddleware(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // One round trip for the account, its dialog state and what it may see (issue 11).
    const loaded = ctx.from ? await loadAccountWithAccess(ctx.from.id) : null;
    ctx.account = loaded?.account ?? null;
    ctx.access = loaded?.access ?? null;
    if (ctx.from && ctx.chat?.type === "private" && ctx.chat.id === ctx.from.id) prefetchDialog(ctx.chat.id, loaded ? loaded.access.dialog : undefined);
    if (ctx.account && !ctx.account.active) await reactivateAccount(ctx.account);
    // A staff role past the end of its school year counts for nothing from that instant on.
    if (ctx.account) dropExpiredRoles(ctx.account, deps.now());
    ctx.lang = ctx.account?.language ?? languageFromTelegram(ctx.from?.language_code, deps.config.DEFAULT_LOCALE);
    ctx.t = translator(deps.i18n, ctx.lang);
    await next();
  };
}
