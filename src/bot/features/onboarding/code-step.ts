/**
 * The code step: ask for the school's invite code, check it (wrong codes count toward the lockout),
 * ask the consent of the code's school when a guardian code needs it, show whom the code is for
 * (masked) with Confirm / Cancel, and on Confirm redeem it and show the main menu.
 */
import { InlineKeyboard } from "grammy";
import { Types } from "mongoose";
import { School, Account, type AccountDocument } from "../../../db/models";
import { escapeHtml } from "../../../domain/html";
import { inZone } from "../../../domain/time";
import { accessDiagnosis, accessibleChildren, consentState } from "../../../services/access";
import { checkCode, lockedUntil } from "../../../services/codes";
import { needsConsent, previewCode, redeemCode, type CodePreview } from "../../../services/linking";
import type { Translate } from "../../../i18n";
import type { BotDeps } from "../../context";
import { dialogNow, dialogT, dropButtons, unusableAnswer, waitStep, type Dialog, type DialogContext } from "../../dialog";
import { mainMenu } from "../../menu";
import { askConsent } from "./consent-step";

/** The zone to tell a lockout's end in: the account's school, the only school, or the default. */
export async function lockoutTime(account: AccountDocument, until: Date, fallbackZone: string): Promise<string> {
  const schoolId = account.roles[0]?.schoolId;
  const candidates = schoolId ? [await School.findById(schoolId, { timezone: 1 }).lean()] : await School.find({}, { timezone: 1 }).limit(2).lean();
  const zone = (candidates.length === 1 && candidates[0]?.timezone) || fallbackZone;
  return inZone(until, zone).format("DD.MM.YYYY HH:mm");
}

export function confirmText(t: Translate, preview: CodePreview): string {
  const values = {
    child: escapeHtml(preview.childName ?? "—"),
    class: escapeHtml(preview.className ?? "—"),
    teacher: escapeHtml(preview.teacherName ?? "—"),
    school: escapeHtml(preview.schoolName),
  };
  return t(`onboarding:confirm.${preview.role}`, values);
}

/** Ends the dialog with the linked children's menu (or a hint when the account sees no child yet). */
export async function showMainMenu(dialog: Dialog, deps: BotDeps, ctx: DialogContext, key: string, values: Record<string, string> = {}): Promise<void> {
  const t = await dialogT(dialog, deps);
  // Re-read the account: a code redeemed in this update may have just given it a role.
  const children = await dialog.external(async (outer) => {
    const account = await Account.findById(outer.account?._id);
    const found = (await accessibleChildren(account)).length;
    // Never expected right after a guardian's code was redeemed (its consent was just checked): say why.
    if (!found && account && key === "onboarding:linked.guardian") {
      outer.deps.logger.warn({ accountId: String(account._id), ...(await accessDiagnosis(account._id)) }, "a guardian sees no child right after linking");
    }
    return found;
  });
  if (children > 0) await ctx.reply(t(key, { ...values, count: children }), { parse_mode: "HTML", reply_markup: mainMenu(t) });
  else await ctx.reply(t(`${key}NoChildren`, values), { parse_mode: "HTML" });
}

export async function askCodeAndLink(dialog: Dialog, deps: BotDeps, ctx: DialogContext): Promise<void> {
  let t = await dialogT(dialog, deps);
  const locked = await dialog.external(async (outer) => {
    const until = lockedUntil(outer.account!, outer.deps.now());
    return until ? lockoutTime(outer.account!, until, outer.deps.config.DEFAULT_TIMEZONE) : null;
  });
  if (locked) {
    await ctx.reply(t("onboarding:code.locked", { time: locked }));
    return;
  }
  await ctx.reply(t("onboarding:code.ask"), { parse_mode: "HTML" });

  for (;;) {
    const answer = await waitStep(dialog, deps, { text: true, own: /^ob:/, hint: "onboarding:code.hint" });
    t = await dialogT(dialog, deps);
    const typed = answer.message!.text!;
    const check = await dialog.external(async (outer) => {
      const result = await checkCode({ account: outer.account!, typed, pepper: outer.deps.config.codePepper, now: outer.deps.now(), logger: outer.deps.logger, alarm: outer.deps.codeAlarm });
      return result.status === "locked" ? { ...result, until: await lockoutTime(outer.account!, new Date(result.until), outer.deps.config.DEFAULT_TIMEZONE) } : result;
    });
    if (check.status === "locked") {
      await answer.reply(t("onboarding:code.locked", { time: check.until }));
      return;
    }
    if (check.status === "wrong") {
      await answer.reply(t("onboarding:code.wrong", { count: check.attemptsLeft }), { parse_mode: "HTML" });
      continue;
    }
    if (check.status !== "ok") {
      // Text that is not shaped like a code is an unusable answer (real codes, even expired, are not).
      if (check.status === "malformed") await unusableAnswer(dialog, deps, answer);
      await answer.reply(t(`onboarding:code.${check.status}`), { parse_mode: "HTML" });
      continue;
    }

    if (needsConsent(check.role)) {
      const state = await dialog.external((outer) => consentState(outer.account!._id, new Types.ObjectId(check.schoolId)));
      if (state !== "granted") {
        const outcome = await askConsent(dialog, deps, answer, check.schoolId, state === "outdated" ? "changed" : state === "none" ? "first" : "again");
        if (outcome !== "granted") return;
      }
    }
    const preview = await dialog.external(() => previewCode(check.codeId));
    if (!preview) {
      await answer.reply(t("onboarding:code.gone"));
      continue;
    }
    const keyboard = new InlineKeyboard().text(t("onboarding:buttons.confirm"), `ob:yes:${check.codeId}`).text(t("onboarding:buttons.cancel"), `ob:no:${check.codeId}`);
    await answer.reply(confirmText(t, preview), { parse_mode: "HTML", reply_markup: keyboard });
    const press = await waitStep(dialog, deps, { buttons: new RegExp(`^ob:(yes|no):${check.codeId}$`), own: /^ob:/, hint: "onboarding:pressConfirm" });
    t = await dialogT(dialog, deps);
    await press.answerCallbackQuery();
    await dropButtons(press);
    if (press.callbackQuery!.data!.startsWith("ob:no:")) {
      await press.reply(t("onboarding:cancelled"));
      return;
    }
    const now = await dialogNow(dialog);
    const result = await dialog.external((outer) => redeemCode({ accountId: outer.account!._id, codeId: check.codeId, now }));
    if (result.status === "gone") {
      await press.reply(t("onboarding:code.gone"));
      continue;
    }
    if (result.status === "consent-required") {
      await press.reply(t("onboarding:code.consentRequired"));
      return;
    }
    if (result.status === "guardian-consent-required") {
      await press.reply(t("onboarding:code.guardianConsentRequired"));
      return;
    }
    if (result.role === "guardian" || result.role === "student") {
      const who = { child: escapeHtml(preview.childName ?? ""), class: escapeHtml(preview.className ?? "") };
      await showMainMenu(dialog, deps, press, result.alreadyLinked ? "onboarding:linked.already" : `onboarding:linked.${result.role}`, who);
    } else {
      await press.reply(t(`onboarding:linked.${result.role}`, { school: escapeHtml(preview.schoolName) }), { parse_mode: "HTML" });
    }
    return;
  }
}
