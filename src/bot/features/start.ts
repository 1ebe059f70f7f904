import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { rememberAccount } from "../../services/accounts";

const composer = new Composer<BotContext>();

// A placeholder until onboarding (consent and invite codes) takes over /start.
composer.command("start", async (ctx) => {
  if (ctx.chat.type !== "private" || !ctx.from) return;
  await rememberAccount(ctx.from.id, ctx.chat.id, ctx.lang);
  await ctx.reply([ctx.t("start.greeting"), ctx.t("start.about"), ctx.t("start.next")].join("\n\n"));
});

export const startFeature: BotFeature = { name: "start", composer, commands: ["start"] };
