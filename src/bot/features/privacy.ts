/**
 * /privacy: the consent in force per school (version, date), withdrawing it (asked once more),
 * the full text, and "What do you store about me?" (/mydata, see privacy-mydata.ts). Buttons carry
 * a school id only; whether the account may act on that school is checked here, on the server.
 */
import { Composer, InlineKeyboard, type Keyboard } from "grammy";
import { Types } from "mongoose";
import { escapeHtml } from "../../domain/html";
import { inZone } from "../../domain/time";
import { splitLongText } from "../../domain/consent";
import { accessibleChildren } from "../../services/access";
import { consentFullText, consentSchool } from "../../services/consent";
import { consentOverview, withdrawConsent } from "../../services/privacy";
import { deleteAccount } from "../../services/data-lifecycle";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { mainMenu } from "../menu";
import { sendMyData } from "./privacy-mydata";

const root = new Composer<BotContext>();
// Personal data and contacts are shown in private chats only, never in a group the bot was added to.
const composer = root.chatType("private");
const ID = "([0-9a-f]{24})";

async function showPrivacy(ctx: BotContext): Promise<void> {
  if (!ctx.account) {
    await ctx.reply(ctx.t("privacy:notStarted"));
    return;
  }
  const consents = await consentOverview(ctx.account._id);
  const lines = [ctx.t("privacy:overview.title"), ""];
  const keyboard = new InlineKeyboard();
  if (!consents.length) lines.push(ctx.t("privacy:overview.none"));
  for (const c of consents) {
    const date = inZone(c.recordedAt, c.timezone).format("DD.MM.YYYY");
    const status = c.decision === "granted" && !c.current ? "outdated" : c.decision;
    lines.push(ctx.t(`privacy:overview.${status}`, { school: escapeHtml(c.schoolName), date, version: escapeHtml(c.textVersion) }));
    if (c.decision === "granted") keyboard.text(ctx.t("privacy:buttons.withdraw", { school: c.schoolName }), `pv:wd:${c.schoolId}`).row();
    keyboard.text(ctx.t("privacy:buttons.text", { school: c.schoolName }), `pv:text:${c.schoolId}`).row();
  }
  lines.push("", ctx.t("privacy:overview.footer"));
  keyboard.text(ctx.t("privacy:buttons.mydata"), "pv:data").row();
  keyboard.text(ctx.t("privacy:buttons.delete"), "pv:del");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: keyboard });
}

/** The school named by a button, if this account has a consent decision there; else "not available". */
async function ownSchool(ctx: BotContext, schoolId: string, decision?: "granted") {
  const consents = ctx.account && Types.ObjectId.isValid(schoolId) ? await consentOverview(ctx.account._id) : [];
  const consent = consents.find((c) => c.schoolId === schoolId && (!decision || c.decision === decision));
  if (consent) return consent;
  await ctx.answerCallbackQuery({ text: ctx.t("privacy:notAvailable"), show_alert: true });
  return null;
}

composer.command("privacy", showPrivacy);
composer.command("mydata", async (ctx) => sendMyData(ctx));

composer.callbackQuery("pv:data", async (ctx) => {
  await ctx.answerCallbackQuery();
  await sendMyData(ctx);
});

composer.callbackQuery(new RegExp(`^pv:text:${ID}$`), async (ctx) => {
  if (!(await ownSchool(ctx, ctx.match[1]))) return;
  const school = await consentSchool(ctx.match[1]);
  await ctx.answerCallbackQuery();
  if (school) for (const part of splitLongText(consentFullText(ctx.t, school))) await ctx.reply(part);
});

composer.callbackQuery(new RegExp(`^pv:wd:${ID}$`), async (ctx) => {
  const consent = await ownSchool(ctx, ctx.match[1], "granted");
  if (!consent) return;
  await ctx.answerCallbackQuery();
  const keyboard = new InlineKeyboard()
    .text(ctx.t("privacy:buttons.withdrawYes"), `pv:wdy:${consent.schoolId}`)
    .row()
    .text(ctx.t("privacy:buttons.withdrawNo"), "pv:wdn");
  await ctx.reply(ctx.t("privacy:withdraw.confirm", { school: escapeHtml(consent.schoolName) }), { parse_mode: "HTML", reply_markup: keyboard });
});

composer.callbackQuery("pv:wdn", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("privacy:withdraw.kept"));
});

composer.callbackQuery(new RegExp(`^pv:wdy:${ID}$`), async (ctx) => {
  const consent = await ownSchool(ctx, ctx.match[1], "granted");
  if (!consent || !ctx.account) return;
  const result = await withdrawConsent({ accountId: ctx.account._id, schoolId: new Types.ObjectId(consent.schoolId), now: ctx.deps.now() });
  ctx.deps.logger.info({ accountId: String(ctx.account._id), schoolId: consent.schoolId, unlinked: result.unlinkedChildren, cancelled: result.cancelledDeliveries }, "consent withdrawn");
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("privacy:withdraw.confirmed", { school: escapeHtml(consent.schoolName) }), { parse_mode: "HTML" });
  // The menu stays only while some child is still visible.
  const remaining = await accessibleChildren(ctx.account);
  const markup: Keyboard | { remove_keyboard: true } = remaining.length ? mainMenu(ctx.t) : { remove_keyboard: true };
  await ctx.reply(ctx.t(remaining.length ? "privacy:withdraw.stillLinked" : "privacy:withdraw.howToReturn"), { reply_markup: markup });
});

// "Delete my account": asked once more; then decisions recorded, everything of the account erased.
composer.callbackQuery("pv:del", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (!ctx.account) return;
  const keyboard = new InlineKeyboard().text(ctx.t("privacy:buttons.deleteYes"), "pv:dely").row().text(ctx.t("privacy:buttons.deleteNo"), "pv:deln");
  await ctx.reply(ctx.t("privacy:delete.confirm"), { parse_mode: "HTML", reply_markup: keyboard });
});

composer.callbackQuery("pv:deln", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("privacy:delete.kept"));
});

composer.callbackQuery("pv:dely", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (!ctx.account) return;
  const result = await deleteAccount({ accountId: ctx.account._id, now: ctx.deps.now(), pepper: ctx.deps.config.codePepper, via: "bot" });
  if (result) ctx.deps.logger.info({ accountId: String(ctx.account._id), withdrawn: result.withdrawnSchools, ...result.erased }, "account deleted");
  await ctx.editMessageText(ctx.t("privacy:delete.done"));
  await ctx.reply(ctx.t("privacy:delete.howToReturn"), { reply_markup: { remove_keyboard: true } });
});

export const privacyFeature: BotFeature = { name: "privacy", composer: root, commands: ["privacy", "mydata"] };
