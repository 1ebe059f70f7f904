/**
 * The consent step of a dialog: the summary with *I agree* / *I do not agree* / *Read the full
 * text*, for one school. The record keeps the hash of the full text in the language it was shown.
 */
import { InlineKeyboard } from "grammy";
import { splitLongText } from "../../../domain/consent";
import { translator } from "../../../i18n";
import { consentFullText, consentSchool, consentSummary, recordTelegramDecision } from "../../../services/consent";
import type { BotDeps } from "../../context";
import { dialogLanguage, dropButtons, waitStep, type Dialog, type DialogContext } from "../../dialog";

export type ConsentOutcome = "granted" | "declined" | "unavailable";

/** Why the consent is asked: first time, again after a refusal, or because the text changed. */
export type ConsentReason = "first" | "again" | "changed";

function consentKeyboard(t: (key: string) => string, schoolId: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("privacy:consent.buttons.agree"), `cs:yes:${schoolId}`)
    .text(t("privacy:consent.buttons.decline"), `cs:no:${schoolId}`)
    .row()
    .text(t("privacy:consent.buttons.full"), `cs:full:${schoolId}`);
}

export async function askConsent(dialog: Dialog, deps: BotDeps, ctx: DialogContext, schoolId: string, reason: ConsentReason): Promise<ConsentOutcome> {
  const school = await dialog.external(() => consentSchool(schoolId));
  if (!school) return "unavailable";
  // The language the text is shown in is the language whose text the record's hash names.
  const lang = await dialogLanguage(dialog);
  const t = translator(deps.i18n, lang);
  const keyboard = consentKeyboard(t, school.id);
  if (reason === "changed") await ctx.reply(t("privacy:consent.changed"));
  await ctx.reply(consentSummary(t, school), { parse_mode: "HTML", reply_markup: keyboard });

  for (;;) {
    const press = await waitStep(dialog, deps, { buttons: new RegExp(`^cs:(yes|no|full):${school.id}$`), own: /^cs:/, hint: "privacy:consent.pressButton" });
    const choice = press.callbackQuery!.data!.split(":")[1];
    await press.answerCallbackQuery();
    if (choice === "full") {
      for (const part of splitLongText(consentFullText(t, school))) await press.reply(part);
      await press.reply(t("privacy:consent.afterFull"), { reply_markup: keyboard });
      continue;
    }
    const decision = choice === "yes" ? "granted" : "declined";
    await dialog.external(async (outer) => {
      await recordTelegramDecision({ accountId: outer.account!._id, school, decision, t: translator(outer.deps.i18n, lang), now: outer.deps.now() });
      outer.deps.logger.info({ accountId: String(outer.account!._id), schoolId: school.id, decision, version: school.version }, "consent decision recorded");
    });
    await dropButtons(press);
    await press.reply(t(decision === "granted" ? "privacy:consent.thanks" : "privacy:consent.declined"), { parse_mode: "HTML" });
    return decision;
  }
}
