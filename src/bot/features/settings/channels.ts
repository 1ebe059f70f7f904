/**
 * The preferred order of delivery channels (Telegram, e-mail, paper): a message goes through the
 * first that works and falls back to the next. The person's own (their account's): another parent's
 * order is theirs. Paper first means paper only, by choice.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { Channel } from "../../../db/models";
import { choosePaper, contactsOf, moveChannelUp } from "../../../services/contacts";
import type { BotContext } from "../../context";
import type { SettingsSection } from "./section";

export const channelsSection: SettingsSection = { key: "channels", labelKey: "settings:menu.channels", callback: "st:channels" };

function render(ctx: BotContext, order: Channel[], hasEmail: boolean) {
  const lines = [ctx.t("settings:channels.title"), ""];
  order.forEach((channel, i) => lines.push(`${i + 1}. ${ctx.t(`settings:channels.names.${channel}`)}`));
  if (!hasEmail && order.indexOf("email") < order.indexOf("paper")) lines.push("", ctx.t("settings:channels.noEmail"));
  const onPaper = order[0] === "paper";
  lines.push("", ctx.t(onPaper ? "settings:channels.paperNow" : "settings:channels.hint"));
  const keyboard = new InlineKeyboard();
  keyboard.text(ctx.t(onPaper ? "settings:channels.toElectronic" : "settings:channels.toPaper"), onPaper ? "ch:electronic" : "ch:paper").row();
  if (!onPaper) for (const channel of order.slice(1)) keyboard.text(ctx.t("settings:channels.up", { channel: ctx.t(`settings:channels.names.${channel}`) }), `ch:up:${channel}`).row();
  keyboard.text(ctx.t("settings:buttons.back"), "st:menu");
  return { text: lines.join("\n"), keyboard };
}

export const channelsComposer = new Composer<BotContext>();

channelsComposer.callbackQuery("st:channels", async (ctx) => {
  if (!ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  const { channelOrder, contacts } = await contactsOf(ctx.account);
  await ctx.answerCallbackQuery();
  const view = render(ctx, channelOrder, contacts.some((c) => c.kind === "email" && c.verified));
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});

// "I want paper" and the way back (also offered by /start to a parent on paper by choice).
channelsComposer.callbackQuery(/^ch:(paper|electronic)$/, async (ctx) => {
  if (!ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  const order = await choosePaper(ctx.account, ctx.match[1] === "paper");
  await ctx.answerCallbackQuery({ text: ctx.t(ctx.match[1] === "paper" ? "settings:channels.paperSaved" : "settings:channels.electronicSaved") });
  const { contacts } = await contactsOf(ctx.account);
  const view = render(ctx, order, contacts.some((c) => c.kind === "email" && c.verified));
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});

channelsComposer.callbackQuery(/^ch:up:(\w+)$/, async (ctx) => {
  const order = ctx.account ? await moveChannelUp(ctx.account, ctx.match[1]) : null;
  if (!order || !ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await ctx.answerCallbackQuery({ text: ctx.t("settings:channels.saved") });
  const { contacts } = await contactsOf(ctx.account);
  const view = render(ctx, order, contacts.some((c) => c.kind === "email" && c.verified));
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});
