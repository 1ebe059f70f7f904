/**
 * The school-morning message about non-responders (issue 10.3), run by the daily job
 * (src/queue/daily-slips.ts): to each class's homeroom teacher (the admins when the class has none in
 * the bot) the class's list with the "print consent forms" button, and to the school's admins one
 * summary with a button per class — in Telegram, or in MAX for an admin known only there (the MAX
 * bot answers the button with the PDF: src/max/consent-forms.ts). Each message is a Delivery
 * (`kind: admin-alert`) keyed by the list it shows: an unchanged list is not sent again, a changed one is.
 */
import { markMaxBlocked, withTelegramChat } from "../services/accounts";
import { createHash } from "node:crypto";
import { GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Types } from "mongoose";
import { Account, Delivery } from "../db/models";
import { escapeHtml } from "../domain/html";
import { splitMessage } from "../domain/format";
import { CONSENT_FORMS_CALLBACK, nonRespondersKeyboard, nonRespondersText } from "../print/non-responders";
import { nonRespondersOfSchool } from "../services/non-responders";
import { printoutRecipients } from "../services/printouts";
import type { PrintoutJobDeps } from "./printouts";
import type { MaxButton } from "../max/context";
import type { TFunction } from "i18next";

type Recipient = { _id: Types.ObjectId; chatId: number; language: string };

const hashOf = (ids: readonly unknown[]) => createHash("sha256").update(ids.map(String).sort().join("|")).digest("hex").slice(0, 24);

export async function sendNonResponders(deps: PrintoutJobDeps, schoolId: Types.ObjectId, days: number, now: Date): Promise<{ classes: number; sent: number }> {
  const classes = await nonRespondersOfSchool(schoolId, now);
  let sent = 0;
  for (const { schoolClass, list } of classes) {
    const input = { classId: String(schoolClass._id), className: schoolClass.name, days, list };
    const { accounts } = await printoutRecipients(schoolClass);
    const key = `non-responders/${String(schoolClass._id)}/${hashOf(list.map((n) => `${String(n.studentId)}/${String(n.guardianId)}`))}`;
    for (const account of accounts) {
      const t = deps.i18n.getFixedT(account.language);
      if (await sendOnce(deps, schoolId, `${key}/${String(account._id)}`, account, nonRespondersText(t, input), nonRespondersKeyboard(t, input), now)) sent++;
    }
  }
  if (classes.length) {
    const accounts = await Account.find({ active: true, roles: { $elemMatch: { role: "admin", schoolId } } }, { chatId: 1, language: 1, max: 1 }).lean();
    const inMaxOnly = deps.max ? accounts.filter((a) => typeof a.chatId !== "number" && typeof a.max?.userId === "number" && !a.max.blockedAt) : [];
    const key = `non-responders/${String(schoolId)}/${hashOf(classes.flatMap((c) => c.list.map((n) => `${String(n.studentId)}/${String(n.guardianId)}`)))}`;
    const summary = (t: TFunction) => [
      t("consents:nonResponders.summaryTitle"),
      t("consents:nonResponders.summaryIntro", { days }),
      "",
      ...classes.map((c) => t("consents:nonResponders.summaryLine", { className: escapeHtml(c.schoolClass.name), count: c.list.length })),
      "",
      t("consents:nonResponders.howTo"),
    ].join("\n");
    const buttons = (t: TFunction, most: number) => classes.slice(0, most).map((c) => ({ text: t("consents:nonResponders.print", { className: c.schoolClass.name }), payload: `${CONSENT_FORMS_CALLBACK}${String(c.schoolClass._id)}` }));
    for (const admin of withTelegramChat(accounts)) {
      const t = deps.i18n.getFixedT(admin.language);
      const keyboard = { inline_keyboard: buttons(t, 100).map((b) => [{ text: b.text, callback_data: b.payload }]) };
      if (await sendOnce(deps, schoolId, `${key}/${String(admin._id)}`, admin, summary(t), keyboard, now)) sent++;
    }
    for (const admin of inMaxOnly) {
      const t = deps.i18n.getFixedT(admin.language);
      // MAX takes at most 30 rows of buttons.
      const keyboard = buttons(t, 30).map((b) => [{ type: "callback" as const, text: b.text, payload: b.payload }]);
      if (await sendOnceInMax(deps.max!, schoolId, `${key}/${String(admin._id)}/max`, { _id: admin._id, userId: admin.max!.userId! }, summary(t), keyboard, now)) sent++;
    }
  }
  return { classes: classes.length, sent };
}

/** One message to one staff account, once per key (a retried job skips it once sent); a blocked bot is recorded. */
async function sendOnce(deps: PrintoutJobDeps, schoolId: Types.ObjectId, key: string, account: Recipient, text: string, keyboard: InlineKeyboardMarkup, now: Date): Promise<boolean> {
  const record = await Delivery.findOneAndUpdate(
    { idempotencyKey: key },
    { $setOnInsert: { schoolId, kind: "admin-alert", channel: "telegram", status: "queued", recipient: { accountId: account._id }, queuedAt: now } },
    { upsert: true, returnDocument: "after" },
  ).lean();
  if (record?.status === "sent" || record?.status === "failed") return false;
  try {
    const parts = splitMessage([text]);
    for (const [i, part] of parts.entries()) await deps.api.sendMessage(account.chatId, part, { parse_mode: "HTML", ...(i === parts.length - 1 ? { reply_markup: keyboard } : {}) });
  } catch (error) {
    if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
    await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "failed", failedAt: new Date(), lastError: `${error.error_code} ${error.description}`.slice(0, 300) }, $inc: { attempts: 1 } });
    return false;
  }
  await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "sent", sentAt: new Date() }, $inc: { attempts: 1 } });
  return true;
}

/** The same in MAX: once per key; a stopped MAX bot marks the dialog blocked and the message failed. */
async function sendOnceInMax(max: NonNullable<PrintoutJobDeps["max"]>, schoolId: Types.ObjectId, key: string, account: { _id: Types.ObjectId; userId: number }, text: string, buttons: MaxButton[][], now: Date): Promise<boolean> {
  const record = await Delivery.findOneAndUpdate(
    { idempotencyKey: key },
    { $setOnInsert: { schoolId, kind: "admin-alert", channel: "max", status: "queued", recipient: { accountId: account._id }, queuedAt: now } },
    { upsert: true, returnDocument: "after" },
  ).lean();
  if (record?.status === "sent" || record?.status === "failed") return false;
  const outcome = await max.sendMessage(account.userId, text, buttons);
  if (!outcome.ok) {
    if (outcome.kind !== "unreachable" && outcome.kind !== "permanent") throw new Error(`max: ${outcome.error}`);
    if (outcome.kind === "unreachable") await markMaxBlocked({ maxUserId: account.userId }, new Date());
    await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "failed", failedAt: new Date(), lastError: outcome.error.slice(0, 300) }, $inc: { attempts: 1 } });
    return false;
  }
  await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "sent", sentAt: new Date() }, $inc: { attempts: 1 } });
  return true;
}
