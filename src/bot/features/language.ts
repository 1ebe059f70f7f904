import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { LANGUAGES, isLanguage, translator } from "../../i18n";
import { rememberAccount } from "../../services/accounts";

const root = new Composer<BotContext>();
// A person's language (and with it their chat) is changed in their private chat only (issue #16.1).
const composer = root.chatType("private");

composer.command("language", async (ctx) => {
  const keyboard = new InlineKeyboard();
  for (const lang of LANGUAGES) keyboard.text(ctx.t(`language.names.${lang}`), `lang:${lang}`);
  await ctx.reply(ctx.t("language.choose"), { reply_markup: keyboard });
});

composer.callbackQuery(/^lang:(.+)$/, async (ctx) => {
  const lang = ctx.match[1];
  if (!isLanguage(lang)) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    return;
  }
  await rememberAccount(ctx.from.id, ctx.chat.id, lang);
  ctx.lang = lang;
  ctx.t = translator(ctx.deps.i18n, lang);
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("language.changed"));
});

export const languageFeature: BotFeature = { name: "language", composer: root, commands: ["language"] };
