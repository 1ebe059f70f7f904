/**
 * "📊 График" under /grades and /forecast: the chart of the period's averages by subject as a PNG
 * picture, the same SVG the web cabinet shows (src/charts/), rasterised. The button carries ids
 * only (`chart:<student>:<period>`); the child is checked again on every press.
 */
import { Composer, InputFile } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { childIfAccessible } from "../../services/access";
import { loadPeriods, loadScope, periodProgress, reportingPeriods } from "../../services/diary";
import { averagesPng, charted } from "../../charts/child";

const CHART_RE = /^chart:([0-9a-f]{24}):([0-9a-f]{24})$/;

export function chartButton(text: string, studentId: string, periodId: string): InlineKeyboardButton {
  return { text, callback_data: `chart:${studentId}:${periodId}` };
}

const composer = new Composer<BotContext>();

composer.callbackQuery(/^chart:/, async (ctx) => {
  const match = CHART_RE.exec(ctx.callbackQuery.data);
  if (!match || ctx.chat?.type !== "private") {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    return;
  }
  const child = await childIfAccessible(ctx.account, match[1]);
  const scope = child ? await loadScope(child, ctx.deps.now()) : null;
  if (!scope) {
    await ctx.answerCallbackQuery({ text: ctx.t("views:access.not-available"), show_alert: true });
    return;
  }
  const period = reportingPeriods(scope, await loadPeriods(scope)).find((p) => p.id === match[2] && p.start <= scope.today);
  if (!period) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    return;
  }
  await ctx.answerCallbackQuery();
  const progress = await periodProgress(scope, { from: period.start, to: period.end });
  const { shown } = charted(progress);
  if (shown.length === 0) {
    await ctx.reply(ctx.t("web:bot.chartEmpty", { period: period.name }));
    return;
  }
  await ctx.replyWithChatAction("upload_photo");
  const png = averagesPng(progress, scope, period, ctx.t, ctx.lang);
  await ctx.replyWithPhoto(new InputFile(png, "chart.png"), { caption: ctx.t("web:bot.chartCaption", { name: scope.firstName, className: scope.className, period: period.name }) });
});

export const chartFeature: BotFeature = { name: "chart", composer };
