/**
 * /broadcast for admins: to the whole school, one class or one parallel; the text; a preview with
 * how many families it reaches (electronically and on paper); confirm. The worker fans it out
 * through the delivery engine, one message per guardian.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type Context, type MiddlewareFn } from "grammy";
import { Types } from "mongoose";
import { School, SchoolClass } from "../../db/models";
import type { BroadcastTarget } from "../../queue/jobs";
import { audienceSize, BROADCAST_MAX_LENGTH, requestBroadcast } from "../../services/broadcast";
import { renderNotice } from "../../services/notify/render";
import type { BotContext, BotDeps } from "../context";
import type { BotFeature } from "../feature";
import { dialogLanguage, dialogT, dropButtons, waitStep, type Dialog, type DialogContext } from "../dialog";
import { currentAdminSchool, replyNotAdmin } from "./admin";

export const BROADCAST_DIALOG = "broadcast";

const composer = new Composer<BotContext>();

composer.command("broadcast", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const choice = await currentAdminSchool(ctx);
  if (choice.kind === "none") return replyNotAdmin(ctx);
  if (choice.kind === "choose") return ctx.reply(ctx.t("broadcast:chooseSchoolFirst"));
  if (!ctx.deps.queues) return ctx.reply(ctx.t("broadcast:unavailable"));
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(BROADCAST_DIALOG);
});

export const broadcastFeature: BotFeature = { name: "broadcast", composer, commands: ["broadcast"] };

export function broadcastDialog(deps: BotDeps) {
  return async function broadcast(dialog: Dialog, ctx: DialogContext): Promise<void> {
    const t = await dialogT(dialog, deps);
    const school = await dialog.external(async (outer) => {
      const choice = await currentAdminSchool(outer);
      if (choice.kind !== "school") return null;
      const classes = await SchoolClass.find({ schoolId: choice.school.id }, { name: 1, grade: 1 }).lean();
      return { ...choice.school, classes: classes.map((c) => ({ id: String(c._id), name: c.name, grade: c.grade })).sort((a, b) => a.grade - b.grade || a.name.localeCompare(b.name, "ru")) };
    });
    if (!school) return;
    const own = /^bc:/;
    const ask = async (prompt: string, keyboard: InlineKeyboard, pattern: RegExp): Promise<string> => {
      await ctx.reply(prompt, { reply_markup: keyboard.row().text(t("broadcast:cancel"), "bc:cancel") });
      const answer = await waitStep(dialog, deps, { buttons: new RegExp(`${pattern.source}|^bc:cancel$`), own, hint: "broadcast:hintButtons" });
      await answer.answerCallbackQuery();
      await dropButtons(answer);
      return answer.callbackQuery!.data!;
    };
    const kind = await ask(t("broadcast:chooseTarget", { school: school.name }), new InlineKeyboard()
      .text(t("broadcast:targets.school"), "bc:t:school").row()
      .text(t("broadcast:targets.class"), "bc:t:class").text(t("broadcast:targets.parallel"), "bc:t:parallel"), /^bc:t:\w+$/);
    if (kind === "bc:cancel") return void (await ctx.reply(t("broadcast:cancelled")));
    let target: BroadcastTarget = { kind: "school" };
    let targetLabel = t("broadcast:labels.school");
    if (kind === "bc:t:class") {
      const keyboard = new InlineKeyboard();
      school.classes.forEach((c, i) => (i % 4 === 3 ? keyboard.text(c.name, `bc:c:${i}`).row() : keyboard.text(c.name, `bc:c:${i}`)));
      const picked = await ask(t("broadcast:chooseClass"), keyboard, /^bc:c:\d+$/);
      const cls = school.classes[Number(picked.slice(5))];
      if (picked === "bc:cancel" || !cls) return void (await ctx.reply(t("broadcast:cancelled")));
      target = { kind: "class", classId: cls.id };
      targetLabel = t("broadcast:labels.class", { name: cls.name });
    } else if (kind === "bc:t:parallel") {
      const grades = [...new Set(school.classes.map((c) => c.grade))];
      const keyboard = new InlineKeyboard();
      grades.forEach((g, i) => (i % 4 === 3 ? keyboard.text(String(g), `bc:g:${g}`).row() : keyboard.text(String(g), `bc:g:${g}`)));
      const picked = await ask(t("broadcast:chooseParallel"), keyboard, /^bc:g:\d+$/);
      const grade = Number(picked.slice(5));
      if (picked === "bc:cancel" || !grades.includes(grade)) return void (await ctx.reply(t("broadcast:cancelled")));
      target = { kind: "parallel", grade };
      targetLabel = t("broadcast:labels.parallel", { grade });
    }
    await ctx.reply(t("broadcast:askText", { max: BROADCAST_MAX_LENGTH }));
    let text = "";
    for (;;) {
      const answer = await waitStep(dialog, deps, { text: true, own, hint: "broadcast:hintText" });
      text = answer.message!.text!.trim();
      if (text && text.length <= BROADCAST_MAX_LENGTH) break;
      await answer.reply(t("broadcast:tooLong", { max: BROADCAST_MAX_LENGTH }));
    }
    const size = await dialog.external(() => audienceSize(new Types.ObjectId(school.id), target));
    const lang = await dialogLanguage(dialog);
    const preview = renderNotice(deps.i18n, lang, school.timezone, { template: "broadcast", school: school.name, text });
    await ctx.reply([t("broadcast:preview", { target: targetLabel, electronic: t("broadcast:previewElectronic", { count: size.electronic }), paper: t("broadcast:previewPaper", { count: size.paper }) }), "", preview.html].join("\n"), {
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text(t("broadcast:confirm"), "bc:send").text(t("broadcast:cancel"), "bc:cancel"),
    });
    const answer = await waitStep(dialog, deps, { buttons: /^bc:(send|cancel)$/, own, hint: "broadcast:hintButtons" });
    await answer.answerCallbackQuery();
    await dropButtons(answer);
    if (answer.callbackQuery!.data === "bc:cancel") return void (await answer.reply(t("broadcast:cancelled")));
    const id = await dialog.external(async (outer) => {
      // Checked again on the server at the moment of sending: still an admin of this school?
      const choice = await currentAdminSchool(outer);
      if (choice.kind !== "school" || choice.school.id !== school.id || !outer.account || !outer.deps.queues) return null;
      if (!(await School.exists({ _id: school.id }))) return null;
      return requestBroadcast(outer.deps.queues, new Types.ObjectId(school.id), outer.account._id, target, text);
    });
    await answer.reply(t(id ? "broadcast:queued" : "broadcast:unavailable", { count: size.electronic + size.paper }));
  };
}

export function broadcastDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [createConversation<BotContext, Context>(broadcastDialog(deps), BROADCAST_DIALOG) as MiddlewareFn<BotContext>];
}
