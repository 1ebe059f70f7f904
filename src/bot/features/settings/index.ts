/**
 * /settings: a menu of sections, each a sub-composer in this folder. Contact details and the
 * preferred channel order are here; notification settings (notifications.ts) join SECTIONS below.
 * Settings are the person's own (their account's) and appear once a child is linked; contacts only
 * while their consent is in force.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type Context, type MiddlewareFn } from "grammy";
import type { BotContext, BotDeps } from "../../context";
import type { BotFeature } from "../../feature";
import { settingsAccess } from "../../../services/contacts";
import { channelsComposer, channelsSection } from "./channels";
import { contactsComposer, contactsSection, emailDialog, EMAIL_DIALOG } from "./contacts";
import { notificationsComposer, notificationsSection } from "./notifications";
import type { SettingsSection } from "./section";

export type { SettingsSection } from "./section";

/** The sections of /settings, in menu order. */
const SECTIONS: SettingsSection[] = [
  contactsSection,
  channelsSection,
  notificationsSection,
];

async function showSettings(ctx: BotContext, edit: boolean): Promise<void> {
  if (!ctx.account || !(await settingsAccess(ctx.account)).guardian) {
    await ctx.reply(ctx.t("settings:noGuardian"));
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const section of SECTIONS) keyboard.text(ctx.t(section.labelKey), section.callback).row();
  if (edit) await ctx.editMessageText(ctx.t("settings:title"), { parse_mode: "HTML", reply_markup: keyboard });
  else await ctx.reply(ctx.t("settings:title"), { parse_mode: "HTML", reply_markup: keyboard });
}

const root = new Composer<BotContext>();
// Personal data and contacts are shown in private chats only, never in a group the bot was added to.
const composer = root.chatType("private");
composer.command("settings", (ctx) => showSettings(ctx, false));
composer.callbackQuery("st:menu", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showSettings(ctx, true);
});
composer.use(contactsComposer, channelsComposer, notificationsComposer);

export const settingsFeature: BotFeature = { name: "settings", composer: root, commands: ["settings"] };

export function settingsDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [createConversation<BotContext, Context>(emailDialog(deps), EMAIL_DIALOG) as MiddlewareFn<BotContext>];
}
