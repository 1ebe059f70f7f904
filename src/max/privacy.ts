/**
 * /privacy and /mydata in MAX (issue 14): the same services and texts as Telegram's
 * (src/bot/features/privacy*.ts). The consent in force per school, withdrawing it (asked once more;
 * recorded with the form "max"), the full text, and everything stored about the account — as text:
 * the JSON copy Telegram attaches as a file is not sent here (MAX needs an upload round trip per
 * file); the text carries the same content. Buttons carry a school id only, checked here.
 */
import { Types } from "mongoose";
import { escapeHtml } from "../domain/html";
import { inZone } from "../domain/time";
import { splitLongText } from "../domain/consent";
import { accessibleChildren } from "../services/access";
import { consentFullText, consentSchool } from "../services/consent";
import { collectMyData, consentOverview, withdrawConsent } from "../services/privacy";
import { formatMyData } from "../bot/features/privacy-mydata";
import { MAX_TEXT_LIMIT } from "../channels/max";
import { menuButtons } from "./menu";
import type { MaxButton, MaxContext } from "./context";

const ID = /^[0-9a-f]{24}$/;
const button = (text: string, payload: string): MaxButton[] => [{ type: "callback", text, payload }];

export async function showPrivacy(ctx: MaxContext): Promise<void> {
  if (!ctx.account) return ctx.reply(escapeHtml(ctx.t("privacy:notStarted")));
  const consents = await consentOverview(ctx.account._id);
  const lines = [ctx.t("privacy:overview.title"), ""];
  const rows: MaxButton[][] = [];
  if (!consents.length) lines.push(ctx.t("privacy:overview.none"));
  for (const c of consents) {
    const date = inZone(c.recordedAt, c.timezone).format("DD.MM.YYYY");
    const status = c.decision === "granted" && !c.current ? "outdated" : c.decision;
    lines.push(ctx.t(`privacy:overview.${status}`, { school: escapeHtml(c.schoolName), date, version: escapeHtml(c.textVersion) }));
    if (c.decision === "granted") rows.push(button(ctx.t("privacy:buttons.withdraw", { school: c.schoolName }), `pv:wd:${c.schoolId}`));
    rows.push(button(ctx.t("privacy:buttons.text", { school: c.schoolName }), `pv:text:${c.schoolId}`));
  }
  lines.push("", ctx.t("privacy:overview.footer"));
  rows.push(button(ctx.t("privacy:buttons.mydata"), "pv:data"));
  await ctx.reply(lines.join("\n"), rows);
}

export async function sendMaxMyData(ctx: MaxContext): Promise<void> {
  if (!ctx.account) return ctx.reply(escapeHtml(ctx.t("privacy:notStarted")));
  const data = await collectMyData(ctx.account);
  for (const part of splitLongText(formatMyData(ctx.t, data), MAX_TEXT_LIMIT)) await ctx.reply(part);
}

/** The school named by a button, if this account has a consent decision there. */
async function ownSchool(ctx: MaxContext, schoolId: string, decision?: "granted") {
  const consents = ctx.account && ID.test(schoolId) ? await consentOverview(ctx.account._id) : [];
  const consent = consents.find((c) => c.schoolId === schoolId && (!decision || c.decision === decision));
  if (!consent) await ctx.answer({ notification: ctx.t("privacy:notAvailable") });
  return consent ?? null;
}

/** A `pv:` button. */
export async function privacyPressed(ctx: MaxContext, payload: string): Promise<void> {
  const [, action, schoolId = ""] = payload.split(":");
  if (action === "data") {
    await ctx.answer();
    return sendMaxMyData(ctx);
  }
  if (action === "text") {
    if (!(await ownSchool(ctx, schoolId))) return;
    const school = await consentSchool(schoolId);
    await ctx.answer();
    if (school) for (const part of splitLongText(escapeHtml(consentFullText(ctx.t, school)), MAX_TEXT_LIMIT)) await ctx.reply(part);
    return;
  }
  if (action === "wd") {
    const consent = await ownSchool(ctx, schoolId, "granted");
    if (!consent) return;
    await ctx.answer();
    await ctx.reply(ctx.t("privacy:withdraw.confirm", { school: escapeHtml(consent.schoolName) }), [
      button(ctx.t("privacy:buttons.withdrawYes"), `pv:wdy:${consent.schoolId}`),
      button(ctx.t("privacy:buttons.withdrawNo"), "pv:wdn"),
    ]);
    return;
  }
  if (action === "wdn") return ctx.answer({ html: escapeHtml(ctx.t("privacy:withdraw.kept")) });
  if (action === "wdy") {
    const consent = await ownSchool(ctx, schoolId, "granted");
    if (!consent || !ctx.account) return;
    const result = await withdrawConsent({ accountId: ctx.account._id, schoolId: new Types.ObjectId(consent.schoolId), now: ctx.deps.now(), form: "max" });
    ctx.deps.logger.info({ accountId: String(ctx.account._id), schoolId: consent.schoolId, unlinked: result.unlinkedChildren, cancelled: result.cancelledDeliveries, via: "max" }, "consent withdrawn");
    await ctx.answer({ html: ctx.t("privacy:withdraw.confirmed", { school: escapeHtml(consent.schoolName) }) });
    const remaining = await accessibleChildren(ctx.account);
    await ctx.reply(escapeHtml(ctx.t(remaining.length ? "privacy:withdraw.stillLinked" : "privacy:withdraw.howToReturn")), remaining.length ? menuButtons(ctx.t) : undefined);
    return;
  }
  await ctx.answer({ notification: ctx.t("errors.staleButton") });
}
