/**
 * /settings → Notifications: grade alerts at once / in the daily digest / off, the forecast,
 * timetable changes, tests, the homework digest, and quiet hours. The person's own (their account's),
 * for all their children. Finals and exam results are not switchable (regulation 6).
 */
import { Composer, InlineKeyboard } from "grammy";
import type { QuietHours } from "../../../services/notify/quiet-hours";
import { changeNotifications, nextGradeMode, notificationSettingsOf, NOTIFY_TOGGLES, QUIET_PRESETS, quietPresetOf, type NotifyToggle } from "../../../services/notification-settings";
import type { BotContext } from "../../context";
import type { SettingsSection } from "./section";

export const notificationsSection: SettingsSection = { key: "notifications", labelKey: "notify:settings.label", callback: "st:notify" };

async function render(ctx: BotContext) {
  const settings = ctx.account ? await notificationSettingsOf(ctx.account) : null;
  if (!settings) return null;
  const onOff = (v: boolean) => ctx.t(v ? "notify:settings.on" : "notify:settings.off");
  const schoolWindow = settings.schoolQuietHours;
  const windowText = (q: QuietHours | null) =>
    !q ? ctx.t("notify:settings.quietSchool", { window: `${schoolWindow.start}–${schoolWindow.end}` }) : q.start === q.end ? ctx.t("notify:settings.quietOff") : `${q.start}–${q.end}`;
  const lines = [
    ctx.t("notify:settings.title"),
    "",
    ctx.t("notify:settings.grades", { mode: ctx.t(`notify:settings.modes.${settings.grades}`) }),
    ...NOTIFY_TOGGLES.map((k) => ctx.t(`notify:settings.${k}`, { state: onOff(settings.toggles[k]) })),
    ctx.t("notify:settings.quiet", { window: windowText(settings.quietHours) }),
  ];
  const keyboard = new InlineKeyboard()
    .text(ctx.t("notify:settings.buttons.grades", { mode: ctx.t(`notify:settings.modes.${nextGradeMode(settings.grades)}`) }), "ns:g").row();
  NOTIFY_TOGGLES.forEach((k, i) => {
    keyboard.text(`${settings.toggles[k] ? "✅" : "⬜️"} ${ctx.t(`notify:settings.buttons.${k}`)}`, `ns:t:${k}`);
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.text(ctx.t("notify:settings.buttons.quiet"), "ns:q").row().text(ctx.t("notify:settings.buttons.back"), "st:menu");
  return { text: lines.join("\n"), keyboard, settings };
}

async function show(ctx: BotContext, toast?: string): Promise<void> {
  const view = await render(ctx);
  if (!view) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    return;
  }
  await ctx.answerCallbackQuery(toast ? { text: toast } : undefined);
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
}

export const notificationsComposer = new Composer<BotContext>();

notificationsComposer.callbackQuery("st:notify", (ctx) => show(ctx));

notificationsComposer.callbackQuery(/^ns:(g|q|t:(\w+))$/, async (ctx) => {
  const view = await render(ctx);
  if (!view) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  const { settings } = view;
  const key = ctx.match[2] as NotifyToggle;
  const change =
    ctx.match[1] === "g" ? { grades: nextGradeMode(settings.grades) }
    : ctx.match[1] === "q" ? { quietPreset: (quietPresetOf(settings.quietHours) + 1) % QUIET_PRESETS.length }
    : { toggles: { [key]: !settings.toggles[key] } };
  if (!(await changeNotifications(settings.accountId, change))) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await show(ctx, ctx.t("notify:settings.saved"));
});
