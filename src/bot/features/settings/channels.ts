/**
 * The preferred order of delivery channels (Telegram, e-mail, SMS, paper): a message goes through
 * the first that works and carries it, and falls back to the next. The person's own (their
 * account's): another parent's order is theirs. Paper first means paper only, by choice. SMS (when
 * the deployment has it) may be switched off; it carries finals and exam results (and what the
 * school adds), see src/services/notify/channels.ts.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { Channel } from "../../../db/models";
import { choosePaper, contactsOf, moveChannelUp, shownChannels, switchableChannels, switchChannel, type ContactView } from "../../../services/contacts";
import type { BotContext } from "../../context";
import type { SettingsSection } from "./section";

export const channelsSection: SettingsSection = { key: "channels", labelKey: "settings:menu.channels", callback: "st:channels" };

function render(ctx: BotContext, stored: Channel[], contacts: ContactView[]) {
  const order = shownChannels(stored);
  const name = (channel: Channel) => ctx.t(`settings:channels.names.${channel}`);
  const has = (kind: "email" | "phone") => contacts.some((c) => c.kind === kind && c.verified);
  const lines = [ctx.t("settings:channels.title"), ""];
  order.forEach((channel, i) => lines.push(`${i + 1}. ${name(channel)}`));
  const switchable = switchableChannels(stored);
  const off = switchable.filter((s) => !s.on).map((s) => name(s.channel));
  if (off.length) lines.push("", ctx.t("settings:channels.offList", { channels: off.join(", ") }));
  if (!has("email") && order.indexOf("email") < order.indexOf("paper")) lines.push("", ctx.t("settings:channels.noEmail"));
  if (order.includes("sms")) lines.push("", ctx.t("settings:channels.smsHint"), ...(has("phone") ? [] : [ctx.t("settings:channels.noPhone")]));
  const onPaper = order[0] === "paper";
  lines.push("", ctx.t(onPaper ? "settings:channels.paperNow" : "settings:channels.hint"));
  const keyboard = new InlineKeyboard();
  keyboard.text(ctx.t(onPaper ? "settings:channels.toElectronic" : "settings:channels.toPaper"), onPaper ? "ch:electronic" : "ch:paper").row();
  if (!onPaper) for (const channel of order.slice(1)) keyboard.text(ctx.t("settings:channels.up", { channel: name(channel) }), `ch:up:${channel}`).row();
  for (const { channel, on } of switchable) keyboard.text(ctx.t(on ? "settings:channels.off" : "settings:channels.on", { channel: name(channel) }), `ch:${on ? "off" : "on"}:${channel}`).row();
  keyboard.text(ctx.t("settings:buttons.back"), "st:menu");
  return { text: lines.join("\n"), keyboard };
}

export const channelsComposer = new Composer<BotContext>();

async function show(ctx: BotContext, order?: Channel[]): Promise<void> {
  const current = await contactsOf(ctx.account!);
  const view = render(ctx, order ?? current.channelOrder, current.contacts);
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
}

channelsComposer.callbackQuery("st:channels", async (ctx) => {
  if (!ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await ctx.answerCallbackQuery();
  await show(ctx);
});

// "I want paper" and the way back (also offered by /start to a parent on paper by choice).
channelsComposer.callbackQuery(/^ch:(paper|electronic)$/, async (ctx) => {
  if (!ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  const order = await choosePaper(ctx.account, ctx.match[1] === "paper");
  await ctx.answerCallbackQuery({ text: ctx.t(ctx.match[1] === "paper" ? "settings:channels.paperSaved" : "settings:channels.electronicSaved") });
  await show(ctx, order);
});

channelsComposer.callbackQuery(/^ch:up:(\w+)$/, async (ctx) => {
  const order = ctx.account ? await moveChannelUp(ctx.account, ctx.match[1]) : null;
  if (!order || !ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await ctx.answerCallbackQuery({ text: ctx.t("settings:channels.saved") });
  await show(ctx, order);
});

// SMS off and on again (the registry says which channels a person may switch off).
channelsComposer.callbackQuery(/^ch:(on|off):(\w+)$/, async (ctx) => {
  const order = ctx.account ? await switchChannel(ctx.account, ctx.match[2], ctx.match[1] === "on") : null;
  if (!order || !ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await ctx.answerCallbackQuery({ text: ctx.t("settings:channels.saved") });
  await show(ctx, order);
});
