/** The main menu's "More" button: the views that are not on the keyboard, as inline buttons. */
import { Composer } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { BotContext } from "../../context";
import type { BotFeature } from "../../feature";
import { menuLabels } from "../../menu";
import { encodeViewCallback } from "./callback-data";
import type { ViewName } from "./types";

/** The rest of the views, with their callback codes (the child is the one chosen last). */
const MORE: Array<[ViewName, string]> = [["tests", "t"], ["teachers", "tc"], ["holidays", "hd"], ["recommendations", "r"], ["finals", "fi"]];

export function moreKeyboard(ctx: BotContext): InlineKeyboardButton[][] {
  const buttons = MORE.map(([name, code]) => ({ text: ctx.t(`views:${name}.button`), callback_data: encodeViewCallback({ code }) }));
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}

export function moreFeature(): BotFeature {
  const composer = new Composer<BotContext>();
  composer.chatType("private").on("message:text").filter(
    (ctx) => menuLabels(ctx.deps.i18n, "more").includes(ctx.message.text),
    async (ctx) => {
      await ctx.reply(ctx.t("views:more.text"), { parse_mode: "HTML", reply_markup: { inline_keyboard: moreKeyboard(ctx) } });
    },
  );
  return { name: "view-more", composer };
}
