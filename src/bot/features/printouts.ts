/**
 * /printouts 7Б for the school's admins and the class's homeroom teacher: this week's printout of
 * the class as a PDF, then the hand-over checklist (a button per slip; pressing marks it handed, a
 * second press undoes it). The button carries the slip's id only: every press is checked again.
 */
import { Composer, GrammyError, InputFile } from "grammy";
import { adminSchoolIds } from "../../services/access";
import { buildClassPrintout, managedClasses, printoutChecklist, staffFrom, toggleHandover, type Staff } from "../../services/printouts";
import { sameClassName } from "../../domain/class-name";
import { HANDOVER_CALLBACK, checklistKeyboard, checklistText } from "../../print/printout-checklist";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";

/** Who the sender is as staff, from the stored account and the bootstrap admin list. */
export async function staffOf(ctx: BotContext): Promise<Staff> {
  return staffFrom(ctx.account, await adminSchoolIds(ctx.account, ctx.from?.id, ctx.deps.config.ADMIN_TELEGRAM_IDS));
}

/** The class named in a command among those the sender manages: the only one when none is named. */
export async function pickClass(ctx: BotContext, staff: Staff, name: string, ns: "printouts" | "reports") {
  const classes = await managedClasses(staff);
  if (!classes.length) {
    await ctx.reply(ctx.t(`${ns}:bot.onlyStaff`));
    return null;
  }
  if (!name) {
    if (classes.length === 1) return classes[0];
    await ctx.reply(ns === "printouts" ? ctx.t("printouts:bot.chooseClass", { classes: classes.map((c) => c.name).join(", ") }) : ctx.t("reports:bot.usage"));
    return null;
  }
  const found = classes.find((c) => sameClassName(c.name, name));
  // Not found and not allowed get the same answer: a teacher learns nothing about other classes.
  if (!found) await ctx.reply(ctx.t(`${ns}:bot.notAvailable`, { name }));
  return found ?? null;
}

const composer = new Composer<BotContext>();

composer.command("printouts", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const staff = await staffOf(ctx);
  const schoolClass = await pickClass(ctx, staff, ctx.match.trim(), "printouts");
  if (!schoolClass) return;
  await ctx.replyWithChatAction("upload_document").catch(() => undefined);
  const lang = ctx.deps.config.DEFAULT_LOCALE;
  const built = await buildClassPrintout({ schoolId: schoolClass.schoolId, classId: schoolClass._id, now: ctx.deps.now(), t: ctx.deps.i18n.getFixedT(lang), lang });
  if (!built) return void (await ctx.reply(ctx.t("printouts:bot.nobody", { className: schoolClass.name })));
  const checklist = { className: schoolClass.name, weekStart: built.view.week.start, slips: built.slips };
  await ctx.replyWithDocument(new InputFile(built.pdf, built.fileName));
  await ctx.reply(checklistText(ctx.t, ctx.lang, checklist), { parse_mode: "HTML", reply_markup: checklistKeyboard(checklist) });
});

composer.callbackQuery(new RegExp(`^${HANDOVER_CALLBACK}([0-9a-f]{24}\\.\\d{1,3})$`), async (ctx) => {
  const result = await toggleHandover(ctx.match[1], await staffOf(ctx), ctx.deps.now());
  if (!result.ok) return void (await ctx.answerCallbackQuery({ text: ctx.t("printouts:checklist.notAvailable"), show_alert: true }));
  await ctx.answerCallbackQuery({ text: ctx.t(result.handed ? "printouts:checklist.handed" : "printouts:checklist.unhanded") });
  const checklist = await printoutChecklist(result.printoutId);
  if (!checklist) return;
  try {
    await ctx.editMessageText(checklistText(ctx.t, ctx.lang, checklist), { parse_mode: "HTML", reply_markup: checklistKeyboard(checklist) });
  } catch (error) {
    // Two quick presses may leave nothing to change; anything else is a real error.
    if (!(error instanceof GrammyError && error.description.includes("not modified"))) throw error;
  }
});

export const printoutsFeature: BotFeature = { name: "printouts", composer, commands: ["printouts"] };
