/**
 * School administration in the bot: who is an admin of which school (an admin code, or every school
 * for the bootstrap admins of ADMIN_TELEGRAM_IDS), the school an admin of several schools works on
 * (remembered in the session), and /admin, the overview of the admin tools.
 */
import { Composer, InlineKeyboard } from "grammy";
import { Types } from "mongoose";
import { School } from "../../db/models";
import { escapeHtml } from "../../domain/html";
import { adminSchoolIds, isSchoolAdmin } from "../../services/access";
import { rememberAccount } from "../../services/accounts";
import { classesOf } from "../../services/paper-consent";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";

export interface AdminSchool {
  id: string;
  name: string;
  timezone: string;
}

export type AdminSchoolChoice = { kind: "school"; school: AdminSchool } | { kind: "choose"; schools: AdminSchool[] } | { kind: "none" };

export async function adminSchools(ctx: BotContext): Promise<AdminSchool[]> {
  const ids = await adminSchoolIds(ctx.account, ctx.from?.id, ctx.deps.config.ADMIN_TELEGRAM_IDS);
  const schools = await School.find({ _id: { $in: ids } }, { name: 1, timezone: 1 }).sort({ name: 1 }).lean();
  return schools.map((s) => ({ id: String(s._id), name: s.name, timezone: s.timezone }));
}

/** The school the admin works on now: the only one, or the one chosen last (session). */
export async function currentAdminSchool(ctx: BotContext): Promise<AdminSchoolChoice> {
  if (ctx.chat?.type !== "private") return { kind: "none" };
  const schools = await adminSchools(ctx);
  if (!schools.length) return { kind: "none" };
  if (schools.length === 1) return { kind: "school", school: schools[0] };
  const remembered = (await ctx.session).adminSchoolId;
  const chosen = schools.find((s) => s.id === remembered);
  return chosen ? { kind: "school", school: chosen } : { kind: "choose", schools };
}

/** Remembers the admin's choice after checking, on the server, that they administer that school. */
export async function chooseAdminSchool(ctx: BotContext, schoolId: string): Promise<AdminSchool | null> {
  if (!(await isSchoolAdmin(ctx.account, ctx.from?.id, ctx.deps.config.ADMIN_TELEGRAM_IDS, schoolId))) return null;
  const school = (await adminSchools(ctx)).find((s) => s.id === schoolId) ?? null;
  if (school) (await ctx.session).adminSchoolId = school.id;
  return school;
}

/** An admin's account, created on first use, so that codes and paper records name who issued them. */
export async function ensureAdminAccount(ctx: BotContext): Promise<void> {
  if (!ctx.account && ctx.from && ctx.chat?.type === "private") ctx.account = await rememberAccount(ctx.from.id, ctx.chat.id, ctx.lang);
}

export async function replyNotAdmin(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("admin:notAvailable"), show_alert: true });
  else await ctx.reply(ctx.t("admin:notAvailable"));
}

async function showAdmin(ctx: BotContext, edit: boolean): Promise<void> {
  const choice = await currentAdminSchool(ctx);
  if (choice.kind === "none") return replyNotAdmin(ctx);
  const schools = choice.kind === "choose" ? choice.schools : await adminSchools(ctx);
  const lines = [ctx.t("admin:title"), ""];
  if (choice.kind === "school") {
    const classes = await classesOf(new Types.ObjectId(choice.school.id));
    lines.push(ctx.t("admin:school", { school: escapeHtml(choice.school.name) }));
    lines.push(ctx.t("admin:classes", { classes: escapeHtml(classes.map((c) => c.name).join(", ") || "—") }));
  } else lines.push(ctx.t("admin:chooseSchool"));
  lines.push("", ctx.t("admin:tools"));
  const keyboard = new InlineKeyboard();
  if (schools.length > 1) for (const s of schools) keyboard.text((choice.kind === "school" && choice.school.id === s.id ? "✓ " : "") + s.name, `ad:s:${s.id}`).row();
  const text = lines.join("\n");
  if (edit) await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard });
  else await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboard });
}

const composer = new Composer<BotContext>();

composer.command("admin", (ctx) => showAdmin(ctx, false));

composer.callbackQuery(/^ad:s:([0-9a-f]{24})$/, async (ctx) => {
  if (!(await chooseAdminSchool(ctx, ctx.match[1]))) return replyNotAdmin(ctx);
  await ctx.answerCallbackQuery();
  await showAdmin(ctx, true);
});

/** Admin commands stay out of everyone's command menu; admins find them with /admin. */
export const adminFeature: BotFeature = { name: "admin", composer };
