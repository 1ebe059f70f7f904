/**
 * The web cabinet from the bot: /web sends a one-time sign-in link for a computer (10 minutes,
 * once) and an "Открыть дневник" button that opens the cabinet as a Telegram Mini App; the menu
 * button beside the message field opens it too (set at start-up by registerWebAppButton).
 */
import { Composer, type Api, type RawApi } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { BotContext, BotDeps } from "../context";
import type { BotFeature } from "../feature";
import { escapeHtml } from "../../domain/html";
import { issueSignInLink, recentSignInLinks } from "../../services/web-sign-in";

/** Links not yet expired that one account may hold: enough for a typo, not for a flood. */
export const WEB_LINKS_AT_ONCE = 3;

/** The cabinet's address, or null when WEB_URL is not set. */
export function webAppUrl(deps: Pick<BotDeps, "config">): string | null {
  return deps.config.WEB_URL ? `${deps.config.WEB_URL}/app/` : null;
}

/** A Mini App button: Telegram opens only https Mini Apps, so none for a development http address. */
export function openDiaryButton(deps: Pick<BotDeps, "config">, text: string): InlineKeyboardButton | null {
  const url = webAppUrl(deps);
  return url?.startsWith("https:") ? { text, web_app: { url } } : null;
}

const composer = new Composer<BotContext>();
const privateChat = composer.chatType("private");

privateChat.command("web", async (ctx) => {
  const url = webAppUrl(ctx.deps);
  if (!url) {
    await ctx.reply(ctx.t("web:bot.notConfigured"));
    return;
  }
  if (!ctx.account) {
    await ctx.reply(ctx.t("web:bot.startFirst"));
    return;
  }
  const now = ctx.deps.now();
  if ((await recentSignInLinks({ accountId: ctx.account._id }, "bot-link", now)) >= WEB_LINKS_AT_ONCE) {
    await ctx.reply(ctx.t("web:bot.tooMany"));
    return;
  }
  const { token } = await issueSignInLink({ accountId: ctx.account._id }, "bot-link", now);
  const button = openDiaryButton(ctx.deps, ctx.t("web:bot.openButton"));
  await ctx.reply(ctx.t("web:bot.link", { url: escapeHtml(`${url}auth/link/${token}`) }), {
    parse_mode: "HTML",
    // A link preview would make Telegram's servers open the page (the link is used only by a POST, but still).
    link_preview_options: { is_disabled: true },
    ...(button ? { reply_markup: { inline_keyboard: [[button]] } } : {}),
  });
});

export const webFeature: BotFeature = { name: "web", composer, commands: ["web"] };

/** The menu button beside the message field opens the cabinet (or is Telegram's default without one). */
export async function registerWebAppButton(api: Api<RawApi>, deps: BotDeps): Promise<void> {
  const url = webAppUrl(deps);
  const text = deps.i18n.getFixedT(deps.config.DEFAULT_LOCALE)("web:bot.menuButton");
  await api.setChatMenuButton({ menu_button: url?.startsWith("https:") ? { type: "web_app", text, web_app: { url } } : { type: "default" } });
}
