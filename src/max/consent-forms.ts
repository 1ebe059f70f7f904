/**
 * The "print consent forms" button of the non-responders message (issue 10.3) pressed in MAX: the
 * class's pre-filled paper forms as a PDF file, for the staff who may see the class (its homeroom
 * teacher, the school's admins) — checked on the server as in Telegram (src/bot/features/consents.ts);
 * a forged class id gets "not available".
 */
import { maxChannelOf } from "../channels/max";
import { adminSchoolIds } from "../services/access";
import { consentClassIfAllowed } from "../services/consent-status";
import { consentFormsOfClass } from "../services/non-responders";
import { staffFrom } from "../services/printouts";
import type { MaxContext } from "./context";
import { escapeHtml } from "../domain/html";

export async function sendMaxConsentForms(ctx: MaxContext, classId: string): Promise<void> {
  // Bootstrap admins are Telegram ids (ADMIN_TELEGRAM_IDS): a MAX user is never one.
  const staff = staffFrom(ctx.account, await adminSchoolIds(ctx.account, undefined, []));
  const schoolClass = await consentClassIfAllowed(staff, classId, ctx.deps.now());
  if (!schoolClass) return ctx.answer({ notification: ctx.t("consents:bot.buttonNotAvailable") });
  await ctx.answer();
  // The forms are in the school's language, as the printouts.
  const lang = ctx.deps.config.DEFAULT_LOCALE;
  const forms = await consentFormsOfClass(schoolClass.schoolId, schoolClass._id, ctx.deps.now(), ctx.deps.i18n.getFixedT(lang), lang);
  if (!forms) return ctx.reply(escapeHtml(ctx.t("consents:bot.noNonResponders", { className: schoolClass.name })));
  const sent = await maxChannelOf(ctx.deps.api).sendFile(ctx.userId, { bytes: forms.pdf, fileName: forms.fileName });
  if (!sent.ok) throw new Error(`max: the forms were not sent (${sent.kind})`);
}
