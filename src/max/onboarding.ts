/**
 * Onboarding in MAX (issue 14): the same steps, rules and texts as the Telegram dialog
 * (src/bot/features/onboarding): the consent of a school (summary, full text, agree / decline),
 * the invite code (checked and counted toward the lockout by the same service), the confirmation of
 * whom the code is for, and the menu. MAX has no conversations plugin: the step waited for is kept
 * in MongoDB (`sessions`, key `max:dialog:<user>`, two hours like Telegram's dialog state), so any
 * bot process continues it. A button of another step is "out of date"; the fifth unusable answer
 * ends the dialog as in Telegram.
 */
import { Types } from "mongoose";
import { Account, Session, maxDialogKey, type AccountDocument } from "../db/models";
import { splitLongText } from "../domain/consent";
import { escapeHtml } from "../domain/html";
import { accessibleChildren, consentState } from "../services/access";
import { consentFullText, consentSchool, consentSummary, recordTelegramDecision } from "../services/consent";
import { checkCode, lockedUntil } from "../services/codes";
import { needsConsent, previewCode, redeemCode } from "../services/linking";
import { planFor, reasonFor } from "../bot/features/onboarding/flow";
import { confirmText, lockoutTime } from "../bot/features/onboarding/code-step";
import type { ConsentReason } from "../bot/features/onboarding/consent-step";
import { menuButtons } from "./menu";
import type { MaxContext } from "./context";

/** Kept as long as Telegram's dialog state (it may hold what the user was asked about). */
const DIALOG_TTL_MS = 2 * 60 * 60 * 1000;
const MAX_UNUSABLE_ANSWERS = 5;

export type MaxDialog =
  /** Waiting for the consent buttons of one school; then the code, the confirmation of a checked code, or the next school. */
  | { step: "consent"; schoolId: string; then: "code" | "menu" | "confirm"; codeId?: string; queue?: string[]; unusable: number }
  | { step: "code"; unusable: number }
  | { step: "confirm"; codeId: string; unusable: number };

export async function loadDialog(userId: number): Promise<MaxDialog | null> {
  const doc = await Session.findOne({ key: maxDialogKey(userId), expiresAt: { $gt: new Date() } }, { value: 1 }).lean();
  return (doc?.value as MaxDialog | undefined) ?? null;
}

async function saveDialog(userId: number, dialog: MaxDialog | null): Promise<void> {
  if (!dialog) {
    await Session.deleteOne({ key: maxDialogKey(userId) });
    return;
  }
  await Session.updateOne({ key: maxDialogKey(userId) }, { $set: { value: dialog, expiresAt: new Date(Date.now() + DIALOG_TTL_MS) } }, { upsert: true });
}

const consentButtons = (ctx: MaxContext, schoolId: string) => [
  [{ type: "callback" as const, text: ctx.t("privacy:consent.buttons.agree"), payload: `cs:yes:${schoolId}` }, { type: "callback" as const, text: ctx.t("privacy:consent.buttons.decline"), payload: `cs:no:${schoolId}` }],
  [{ type: "callback" as const, text: ctx.t("privacy:consent.buttons.full"), payload: `cs:full:${schoolId}` }],
];

async function askConsent(ctx: MaxContext, schoolId: string, reason: ConsentReason, next: Omit<Extract<MaxDialog, { step: "consent" }>, "step" | "schoolId" | "unusable">): Promise<void> {
  const school = await consentSchool(schoolId);
  if (!school) return;
  if (reason === "changed") await ctx.reply(escapeHtml(ctx.t("privacy:consent.changed")));
  await ctx.reply(consentSummary(ctx.t, school), consentButtons(ctx, school.id));
  await saveDialog(ctx.userId, { step: "consent", schoolId: school.id, ...next, unusable: 0 });
}

/** /start and "Start" in the bot's profile: greeting, then what this account still needs. */
export async function startOnboarding(ctx: MaxContext, mode: "start" | "link" = "start"): Promise<void> {
  const account = ctx.account!;
  await saveDialog(ctx.userId, null);
  if (mode === "start") await ctx.reply(ctx.t("onboarding:greeting"));
  const plan = await planFor(account);
  if (!plan.schools) {
    await ctx.reply(escapeHtml(ctx.t("onboarding:noSchools")));
    return;
  }
  if (mode === "start" && (plan.linked.length || plan.hasRoles)) {
    const pending = plan.linked.filter((s) => s.state !== "granted");
    if (pending.length) {
      await askConsent(ctx, pending[0].schoolId, reasonFor(pending[0].state), { then: "menu", queue: pending.slice(1).map((s) => s.schoolId) });
      return;
    }
    await showMenu(ctx, "max:welcomeBack");
    return;
  }
  if (mode === "start" && plan.onlySchool && plan.onlySchool.state !== "granted") {
    await askConsent(ctx, plan.onlySchool.id, reasonFor(plan.onlySchool.state), { then: "code" });
    return;
  }
  await askCode(ctx, account);
}

async function askCode(ctx: MaxContext, account: AccountDocument): Promise<void> {
  const until = lockedUntil(account, ctx.deps.now());
  if (until) {
    await ctx.reply(escapeHtml(ctx.t("onboarding:code.locked", { time: await lockoutTime(account, until, ctx.deps.config.DEFAULT_TIMEZONE) })));
    return;
  }
  await ctx.reply(ctx.t("onboarding:code.ask"));
  await saveDialog(ctx.userId, { step: "code", unusable: 0 });
}

/** The menu of views when the account sees a child now, else the hint `<key>NoChildren`. */
export async function showMenu(ctx: MaxContext, key: string, values: Record<string, string> = {}): Promise<void> {
  const account = await Account.findById(ctx.account?._id);
  const children = (await accessibleChildren(account)).length;
  if (children > 0) await ctx.reply(ctx.t(key, { ...values, count: children }), menuButtons(ctx.t));
  else await ctx.reply(ctx.t(`${key}NoChildren`, values));
}

/** An answer the step cannot use: counted; the fifth ends the dialog (as in Telegram's dialogs). */
async function unusable(ctx: MaxContext, dialog: MaxDialog, hintKey: string): Promise<void> {
  if (dialog.unusable + 1 >= MAX_UNUSABLE_ANSWERS) {
    await saveDialog(ctx.userId, null);
    await ctx.reply(escapeHtml(ctx.t("dialog.tooManyUnusable")));
    return;
  }
  await saveDialog(ctx.userId, { ...dialog, unusable: dialog.unusable + 1 });
  await ctx.reply(ctx.t(hintKey));
}

/** A text while a dialog waits: the code step takes it; a step waiting for buttons gives a hint. Returns false when no dialog waits. */
export async function dialogText(ctx: MaxContext, text: string): Promise<boolean> {
  const dialog = await loadDialog(ctx.userId);
  if (!dialog || !ctx.account) return false;
  if (dialog.step === "consent") await unusable(ctx, dialog, "privacy:consent.pressButton");
  else if (dialog.step === "confirm") await unusable(ctx, dialog, "onboarding:pressConfirm");
  else await codeEntered(ctx, ctx.account, dialog, text);
  return true;
}

async function codeEntered(ctx: MaxContext, account: AccountDocument, dialog: Extract<MaxDialog, { step: "code" }>, typed: string): Promise<void> {
  const { deps } = ctx;
  const check = await checkCode({ account, typed, pepper: deps.config.codePepper, now: deps.now(), logger: deps.logger, alarm: deps.codeAlarm });
  if (check.status === "locked") {
    await saveDialog(ctx.userId, null);
    await ctx.reply(escapeHtml(ctx.t("onboarding:code.locked", { time: await lockoutTime(account, new Date(check.until), deps.config.DEFAULT_TIMEZONE) })));
    return;
  }
  if (check.status === "wrong") {
    await ctx.reply(ctx.t("onboarding:code.wrong", { count: check.attemptsLeft }));
    return;
  }
  if (check.status === "malformed") return unusable(ctx, dialog, "onboarding:code.malformed");
  if (check.status !== "ok") {
    await ctx.reply(ctx.t(`onboarding:code.${check.status}`));
    return;
  }
  if (needsConsent(check.role)) {
    const state = await consentState(account._id, new Types.ObjectId(check.schoolId));
    if (state !== "granted") return askConsent(ctx, check.schoolId, reasonFor(state), { then: "confirm", codeId: check.codeId });
  }
  await askConfirm(ctx, check.codeId);
}

async function askConfirm(ctx: MaxContext, codeId: string): Promise<void> {
  const preview = await previewCode(codeId);
  if (!preview) {
    await ctx.reply(escapeHtml(ctx.t("onboarding:code.gone")));
    await saveDialog(ctx.userId, { step: "code", unusable: 0 });
    return;
  }
  await ctx.reply(confirmText(ctx.t, preview), [[
    { type: "callback", text: ctx.t("onboarding:buttons.confirm"), payload: `ob:yes:${codeId}` },
    { type: "callback", text: ctx.t("onboarding:buttons.cancel"), payload: `ob:no:${codeId}` },
  ]]);
  await saveDialog(ctx.userId, { step: "confirm", codeId, unusable: 0 });
}

/** A `cs:` or `ob:` button. Only the one the waiting step showed counts; any other is out of date. */
export async function dialogPress(ctx: MaxContext, payload: string): Promise<void> {
  const dialog = await loadDialog(ctx.userId);
  const [, choice, id] = payload.split(":");
  const own = dialog && ctx.account && ((dialog.step === "consent" && payload.startsWith("cs:") && id === dialog.schoolId) || (dialog.step === "confirm" && payload.startsWith("ob:") && id === dialog.codeId));
  if (!own || !dialog || !ctx.account) {
    await ctx.answer({ notification: ctx.t("errors.staleButton") });
    return;
  }
  if (dialog.step === "consent") return consentPressed(ctx, ctx.account, dialog, choice);
  if (dialog.step === "confirm") return confirmPressed(ctx, ctx.account, dialog, choice === "yes");
}

async function consentPressed(ctx: MaxContext, account: AccountDocument, dialog: Extract<MaxDialog, { step: "consent" }>, choice: string): Promise<void> {
  const school = await consentSchool(dialog.schoolId);
  if (!school) return ctx.answer({ notification: ctx.t("errors.staleButton") });
  if (choice === "full") {
    await ctx.answer();
    for (const part of splitLongText(escapeHtml(consentFullText(ctx.t, school)), 3900)) await ctx.reply(part);
    await ctx.reply(escapeHtml(ctx.t("privacy:consent.afterFull")), consentButtons(ctx, school.id));
    return;
  }
  const decision = choice === "yes" ? "granted" : "declined";
  // The record's hash names the full text in the language it was shown in (ctx.t).
  await recordTelegramDecision({ accountId: account._id, school, decision, t: ctx.t, now: ctx.deps.now(), form: "max" });
  ctx.deps.logger.info({ accountId: String(account._id), schoolId: school.id, decision, version: school.version, via: "max" }, "consent decision recorded");
  // The summary stays readable, its buttons go (as dropButtons does in Telegram).
  await ctx.answer({ html: consentSummary(ctx.t, school) });
  await ctx.reply(ctx.t(decision === "granted" ? "privacy:consent.thanks" : "privacy:consent.declined"));
  await saveDialog(ctx.userId, null);
  if (decision !== "granted") return;
  if (dialog.then === "code") return askCode(ctx, (await Account.findById(account._id)) ?? account);
  if (dialog.then === "confirm" && dialog.codeId) return askConfirm(ctx, dialog.codeId);
  const [next, ...rest] = dialog.queue ?? [];
  if (next) return askConsent(ctx, next, reasonFor(await consentState(account._id, new Types.ObjectId(next))), { then: "menu", queue: rest });
  await showMenu(ctx, "max:welcomeBack");
}

async function confirmPressed(ctx: MaxContext, account: AccountDocument, dialog: Extract<MaxDialog, { step: "confirm" }>, yes: boolean): Promise<void> {
  const preview = await previewCode(dialog.codeId);
  await ctx.answer(preview ? { html: confirmText(ctx.t, preview) } : {});
  if (!yes) {
    await saveDialog(ctx.userId, null);
    await ctx.reply(escapeHtml(ctx.t("onboarding:cancelled")));
    return;
  }
  const result = await redeemCode({ accountId: account._id, codeId: dialog.codeId, now: ctx.deps.now() });
  if (result.status === "gone") {
    await ctx.reply(escapeHtml(ctx.t("onboarding:code.gone")));
    await saveDialog(ctx.userId, { step: "code", unusable: 0 });
    return;
  }
  await saveDialog(ctx.userId, null);
  if (result.status === "consent-required" || result.status === "guardian-consent-required") {
    await ctx.reply(escapeHtml(ctx.t(result.status === "consent-required" ? "onboarding:code.consentRequired" : "onboarding:code.guardianConsentRequired")));
    return;
  }
  ctx.deps.logger.info({ accountId: String(account._id), role: result.role, via: "max" }, "invite code redeemed");
  if (result.role === "guardian" || result.role === "student") {
    const who = { child: escapeHtml(preview?.childName ?? ""), class: escapeHtml(preview?.className ?? "") };
    await showMenu(ctx, result.alreadyLinked ? "max:linked.already" : `max:linked.${result.role}`, who);
  } else {
    // Staff tools (codes, printouts, reports) live in the Telegram bot; the role itself is granted.
    await ctx.reply(ctx.t("max:linked.staff", { school: escapeHtml(preview?.schoolName ?? "") }));
  }
}
