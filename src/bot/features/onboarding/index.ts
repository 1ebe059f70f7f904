/**
 * Onboarding: the dialog behind /start and /link (consent, code, confirmation) and the consent
 * gate that asks again when a school's consent text changed. The commands live in start.ts and
 * link.ts; the dialog is registered in bot.ts (`botDialogs`).
 */
import { createConversation } from "@grammyjs/conversations";
import type { Context, MiddlewareFn } from "grammy";
import type { BotContext, BotDeps } from "../../context";
import { ONBOARDING_DIALOG, onboardingDialog } from "./flow";

export { consentGateFeature } from "./gate";
export type { OnboardingMode } from "./flow";

export { ONBOARDING_DIALOG };

export function onboardingDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [createConversation<BotContext, Context>(onboardingDialog(deps), ONBOARDING_DIALOG) as MiddlewareFn<BotContext>];
}
