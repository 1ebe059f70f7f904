/**
 * The non-responders message (issue 10.3), in /consents and in the school-morning job: who has not
 * answered the consent question, and a button that prints their paper consent forms. The button
 * carries the class id only; who may press it is checked on the server.
 */
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../i18n";
import { escapeHtml } from "../domain/html";
import { shortNameOf } from "../domain/format";

/** Callback data prefix of the "print consent forms" button: `cf:<classId>`. */
export const CONSENT_FORMS_CALLBACK = "cf:";

export interface NonRespondersInput {
  classId: string;
  className: string;
  days: number;
  list: ReadonlyArray<{ studentName: string; guardianName: string | null }>;
}

export function nonRespondersText(t: Translate, input: NonRespondersInput): string {
  return [
    t("consents:nonResponders.title", { className: escapeHtml(input.className) }),
    t("consents:nonResponders.intro", { count: input.list.length, days: input.days }),
    "",
    ...input.list.map((n) => t("consents:nonResponders.line", { student: escapeHtml(shortNameOf(n.studentName)), guardian: escapeHtml(n.guardianName ? shortNameOf(n.guardianName) : t("consents:unnamedGuardian")) })),
    "",
    t("consents:nonResponders.howTo"),
  ].join("\n");
}

export function nonRespondersKeyboard(t: Translate, input: Pick<NonRespondersInput, "classId" | "className">): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: t("consents:nonResponders.print", { className: input.className }), callback_data: `${CONSENT_FORMS_CALLBACK}${input.classId}` }]] };
}
