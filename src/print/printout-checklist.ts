/**
 * The hand-over checklist sent with a class's printout in the bot: a message after the PDF with one
 * toggle button per slip. The button's data is the slip's id only; who may press it is checked on the server.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../i18n";
import { escapeHtml } from "../domain/html";
import { addDays } from "../domain/time";
import { shortNameOf } from "../domain/format";
import { dayRange, longDay } from "./layout-text";

/** Callback data prefix of the hand-over buttons: `ph:<printoutId>.<n>` (at most 31 bytes). */
export const HANDOVER_CALLBACK = "ph:";
/** Telegram allows 100 buttons per message; the rest of a huge class is handed over on paper. */
const MAX_BUTTONS = 100;

export interface ChecklistInput {
  className: string;
  weekStart: string;
  /** A daily results slip: its day (the checklist then names the day, not the week). */
  day?: string;
  slips: ReadonlyArray<{ id: string; studentName: string; guardianName: string; handed: boolean }>;
}

/** The checklist message (Telegram HTML), sent after the PDF and edited on every press. */
export function checklistText(t: Translate, lang: string, input: ChecklistInput): string {
  const handed = input.slips.filter((s) => s.handed).length;
  return [
    input.day ? t("printouts:checklist.dailyTitle", { className: escapeHtml(input.className) }) : t("printouts:checklist.title", { className: escapeHtml(input.className) }),
    input.day ? t("printouts:checklist.day", { day: longDay(input.day, lang) }) : t("printouts:checklist.week", { week: dayRange(input.weekStart, addDays(input.weekStart, 4), lang) }),
    t("printouts:checklist.count", { count: input.slips.length, handed }),
    "",
    t("printouts:checklist.howTo"),
  ].join("\n");
}

export function checklistKeyboard(input: ChecklistInput): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = input.slips.slice(0, MAX_BUTTONS).map((s) => [
    { text: `${s.handed ? "✅" : "⬜"} ${shortNameOf(s.studentName)} — ${shortNameOf(s.guardianName)}`, callback_data: `${HANDOVER_CALLBACK}${s.id}` },
  ]);
  return { inline_keyboard: rows };
}
