/**
 * `/codes 7Б` (admins): new guardian codes for every student of the class, as a printable PDF of
 * slips and the same as CSV. The codes exist in clear only in these two files. The new codes revoke
 * the students' earlier unused ones of the same binding; the caption says how many.
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { Types } from "mongoose";
import { escapeHtml } from "../../domain/html";
import { inZone } from "../../domain/time";
import { codeSlipsCsv, codeSlipTexts, renderCodeSlips, type Slip } from "../../print/code-slips";
import { CodeRequestError, issueClassCodes } from "../../services/codes";
import { classesOf } from "../../services/paper-consent";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { chooseAdminSchool, currentAdminSchool, ensureAdminAccount, replyNotAdmin, type AdminSchool } from "./admin";

const composer = new Composer<BotContext>();

async function classList(school: AdminSchool): Promise<string> {
  return (await classesOf(new Types.ObjectId(school.id))).map((c) => c.name).join(", ") || "—";
}

async function sendClassCodes(ctx: BotContext, school: AdminSchool, className: string): Promise<void> {
  await ensureAdminAccount(ctx);
  let issued;
  try {
    issued = await issueClassCodes({ schoolId: new Types.ObjectId(school.id), className, pepper: ctx.deps.config.codePepper, now: ctx.deps.now(), issuedBy: ctx.account?._id });
  } catch (error) {
    if (!(error instanceof CodeRequestError)) throw error;
    await ctx.reply(ctx.t("codes:classNotFound", { class: escapeHtml(className), classes: escapeHtml(await classList(school)) }), { parse_mode: "HTML" });
    return;
  }
  if (!issued.length) {
    await ctx.reply(ctx.t("codes:noStudents", { class: escapeHtml(className) }), { parse_mode: "HTML" });
    return;
  }
  const bot = ctx.me.username;
  const slips: Slip[] = issued.map((c) => ({ studentName: c.studentName ?? "", className: c.className ?? className, code: c.code, expires: inZone(c.expiresAt, school.timezone).format("DD.MM.YYYY") }));
  const realClass = slips[0].className;
  const pdf = await renderCodeSlips({
    schoolName: school.name,
    slips,
    title: ctx.t("codes:pdfTitle", { class: realClass }),
    texts: codeSlipTexts(ctx.t, bot),
  });
  const csv = codeSlipsCsv(slips, [ctx.t("codes:csv.class"), ctx.t("codes:csv.student"), ctx.t("codes:csv.code"), ctx.t("codes:csv.expires")]);
  // Issuing revoked the students' earlier unused codes of the same binding: the admin is told how many.
  const revokedEarlier = issued.reduce((sum, c) => sum + (c.revokedEarlier ?? 0), 0);
  ctx.deps.logger.info({ schoolId: school.id, batch: realClass, count: issued.length, revokedEarlier, accountId: ctx.account ? String(ctx.account._id) : undefined }, "invite codes issued");
  const caption = ctx.t("codes:pdfCaption", { class: realClass, count: issued.length, expires: slips[0].expires });
  await ctx.replyWithDocument(new InputFile(pdf, `codes-${realClass}.pdf`), {
    caption: revokedEarlier ? `${caption}\n${ctx.t("codes:revokedEarlier", { count: revokedEarlier })}` : caption,
  });
  await ctx.replyWithDocument(new InputFile(csv, `codes-${realClass}.csv`), { caption: ctx.t("codes:csvCaption") });
}

composer.command("codes", async (ctx) => {
  const choice = await currentAdminSchool(ctx);
  if (choice.kind === "none") return replyNotAdmin(ctx);
  const className = ctx.match.trim();
  if (choice.kind === "choose") {
    const keyboard = new InlineKeyboard();
    // The class name rides along in the button (ids and a name: no permission) if it fits Telegram's 64 bytes.
    const suffix = Buffer.byteLength(className) <= 30 ? className : "";
    for (const s of choice.schools) keyboard.text(s.name, `cd:s:${s.id}:${suffix}`).row();
    await ctx.reply(ctx.t("codes:chooseSchool"), { reply_markup: keyboard });
    return;
  }
  if (!className) {
    await ctx.reply(ctx.t("codes:usage", { school: escapeHtml(choice.school.name), classes: escapeHtml(await classList(choice.school)) }), { parse_mode: "HTML" });
    return;
  }
  await sendClassCodes(ctx, choice.school, className);
});

composer.callbackQuery(/^cd:s:([0-9a-f]{24}):(.*)$/, async (ctx) => {
  const school = await chooseAdminSchool(ctx, ctx.match[1]);
  if (!school) return replyNotAdmin(ctx);
  await ctx.answerCallbackQuery();
  const className = ctx.match[2].trim();
  if (!className) {
    await ctx.reply(ctx.t("codes:usage", { school: escapeHtml(school.name), classes: escapeHtml(await classList(school)) }), { parse_mode: "HTML" });
    return;
  }
  await sendClassCodes(ctx, school, className);
});

export const codesFeature: BotFeature = { name: "codes", composer };
