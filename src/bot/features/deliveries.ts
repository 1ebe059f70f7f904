/**
 * /deliveries for admins: what did not get through — failed deliveries (after the last retry) with
 * their error codes, the last week's counts by status, and a button to put a failed one back on the
 * queue. No message texts or contacts are shown: ids, kinds, channels and error codes.
 */
import { Composer, InlineKeyboard } from "grammy";
import { Types } from "mongoose";
import { Student } from "../../db/models";
import { escapeHtml } from "../../domain/html";
import { inZone } from "../../domain/time";
import { QUEUES } from "../../queue/names";
import { failedDeliveries, retryDelivery } from "../../services/notify/deliveries";
import { recentDeliveryCounts } from "../../services/delivery-overview";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { currentAdminSchool, replyNotAdmin } from "./admin";

async function render(ctx: BotContext, schoolId: Types.ObjectId, timeZone: string) {
  const statuses = await recentDeliveryCounts(schoolId, ctx.deps.now());
  const failed = await failedDeliveries(schoolId, 15);
  const names = new Map((await Student.find({ _id: { $in: failed.map((f) => f.recipient?.studentId).filter(Boolean) } }, { fullName: 1 }).lean()).map((s) => [String(s._id), s.fullName]));
  const lines = [ctx.t("notify:deliveries.title"), "", ctx.t("notify:deliveries.week")];
  lines.push(statuses.length ? statuses.map(([s, n]) => `${ctx.t(`notify:deliveries.status.${s}`)}: ${n}`).join(" · ") : ctx.t("notify:deliveries.nothing"));
  lines.push("", failed.length ? ctx.t("notify:deliveries.failed", { count: failed.length }) : ctx.t("notify:deliveries.noFailed"));
  const keyboard = new InlineKeyboard();
  failed.forEach((f, i) => {
    const when = f.failedAt ? inZone(f.failedAt, timeZone).locale(ctx.lang).format("D MMM HH:mm") : "";
    const who = names.get(String(f.recipient?.studentId)) ?? "—";
    lines.push(`${i + 1}. ${escapeHtml(when)} · ${ctx.t(`notify:deliveries.kind.${f.kind}`)} · ${escapeHtml(who)} · ${ctx.t(`notify:deliveries.channel.${f.channel}`)} · ${f.attempts} · <code>${escapeHtml(f.lastError ?? "")}</code>`);
    keyboard.text(ctx.t("notify:deliveries.retry", { n: i + 1 }), `dl:r:${f._id}`);
    if (i % 3 === 2) keyboard.row();
  });
  return { text: lines.join("\n"), keyboard };
}

const composer = new Composer<BotContext>();

composer.command("deliveries", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const choice = await currentAdminSchool(ctx);
  if (choice.kind === "none") return replyNotAdmin(ctx);
  if (choice.kind === "choose") return ctx.reply(ctx.t("broadcast:chooseSchoolFirst"));
  const view = await render(ctx, new Types.ObjectId(choice.school.id), choice.school.timezone);
  await ctx.reply(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});

composer.callbackQuery(/^dl:r:([0-9a-f]{24})$/, async (ctx) => {
  const choice = await currentAdminSchool(ctx);
  if (choice.kind !== "school") return replyNotAdmin(ctx);
  const queue = ctx.deps.queues?.queue(QUEUES.deliveries);
  // The school comes from the server-side choice; the button only names which record.
  const ok = queue ? await retryDelivery(queue, new Types.ObjectId(choice.school.id), ctx.match[1]) : false;
  await ctx.answerCallbackQuery({ text: ctx.t(ok ? "notify:deliveries.retried" : "notify:deliveries.cannotRetry") });
});

export const deliveriesFeature: BotFeature = { name: "deliveries", composer, commands: ["deliveries"] };
