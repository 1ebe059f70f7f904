import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";

/** Last in the chain: whatever no feature took gets a hint, never silence. */
const composer = new Composer<BotContext>();

composer.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton"), show_alert: false });
});

composer.on("message:text", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  await ctx.reply(ctx.t("unhandled.text"));
});

composer.on("message", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  await ctx.reply(ctx.t("unhandled.media"));
});

export const unhandledFeature: BotFeature = { name: "unhandled", composer };
