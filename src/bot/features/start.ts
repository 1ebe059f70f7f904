import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { rememberAccount } from "../../services/accounts";
import { ONBOARDING_DIALOG } from "./onboarding";

/** /start greets and runs onboarding (consent, code, child); it also starts a stuck dialog afresh. */
const composer = new Composer<BotContext>();

composer.command("start", async (ctx) => {
  if (ctx.chat.type !== "private" || !ctx.from) return;
  ctx.account = await rememberAccount(ctx.from.id, ctx.chat.id, ctx.lang);
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(ONBOARDING_DIALOG, "start");
});

export const startFeature: BotFeature = { name: "start", composer, commands: ["start"] };
