import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { rememberAccount } from "../../services/accounts";
import { ONBOARDING_DIALOG } from "./onboarding";

/** /link: enter another invite code (a second child, a child in another school, a staff role). */
const composer = new Composer<BotContext>();

composer.command("link", async (ctx) => {
  if (ctx.chat.type !== "private" || !ctx.from) return;
  ctx.account = await rememberAccount(ctx.from.id, ctx.chat.id, ctx.lang);
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(ONBOARDING_DIALOG, "link");
});

export const linkFeature: BotFeature = { name: "link", composer, commands: ["link"] };
