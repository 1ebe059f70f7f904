/**
 * /web in MAX: a one-time sign-in link to the web cabinet, as the Telegram bot's /web (10 minutes,
 * once, at most a few at a time). An account known only through MAX has no other way in (the Mini
 * App and the bot's link are Telegram's; signing in by e-mail needs a guardian's consent in force),
 * so this is how its staff reach the console with its PDFs (printouts, paper forms, reports).
 */
import { escapeHtml } from "../domain/html";
import { issueSignInLink, recentSignInLinks } from "../services/web-sign-in";
import { WEB_LINKS_AT_ONCE } from "../bot/features/web";
import type { MaxContext } from "./context";

export async function sendMaxWebLink(ctx: MaxContext): Promise<void> {
  const base = ctx.deps.config.WEB_URL;
  if (!base) return ctx.reply(escapeHtml(ctx.t("web:bot.notConfigured")));
  if (!ctx.account) return ctx.reply(escapeHtml(ctx.t("max:notStarted")));
  const now = ctx.deps.now();
  if ((await recentSignInLinks({ accountId: ctx.account._id }, "bot-link", now)) >= WEB_LINKS_AT_ONCE) return ctx.reply(escapeHtml(ctx.t("web:bot.tooMany")));
  const { token } = await issueSignInLink({ accountId: ctx.account._id }, "bot-link", now);
  await ctx.reply(ctx.t("web:bot.link", { url: escapeHtml(`${base}/app/auth/link/${token}`) }));
}
