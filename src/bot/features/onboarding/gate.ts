import { Composer } from "grammy";
import type { BotContext } from "../../context";
import type { BotFeature } from "../../feature";
import { schoolsWithOutdatedConsent } from "../../../services/access";
import { ONBOARDING_DIALOG } from "./flow";

/**
 * Placed right before the data views: a guardian whose school changed its consent text is asked
 * again before the next data view (their children stay hidden until they agree; see access.ts).
 * Help and language stay available.
 */
const composer = new Composer<BotContext>();

composer.use(async (ctx, next) => {
  const text = ctx.message?.text ?? "";
  if (ctx.chat?.type !== "private" || !ctx.account || /^\/(help|language)\b/.test(text)) return next();
  if (!(await schoolsWithOutdatedConsent(ctx.account, ctx.access)).length) return next();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(ONBOARDING_DIALOG, "reconsent");
});

export const consentGateFeature: BotFeature = { name: "consent-gate", composer };
