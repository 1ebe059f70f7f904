/** Small helpers for the views' bot tests: message texts, buttons, the school's wall clock. */
import type { SentMessage } from "../support/fake-telegram";

export interface Button {
  text: string;
  callback_data?: string;
}

/** The plain text (HTML parsed) of the bot's answers, joined. */
export function plain(messages: SentMessage[]): string {
  return messages.map((m) => m.plain ?? "").join("\n\n");
}

export function inlineButtons(message: SentMessage | undefined): Button[] {
  const markup = message?.reply_markup as { inline_keyboard?: Button[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

export function buttonData(message: SentMessage | undefined, label: string | RegExp): string {
  const button = inlineButtons(message).find((b) => (typeof label === "string" ? b.text === label : label.test(b.text)));
  if (!button?.callback_data) throw new Error(`no button ${String(label)} in ${JSON.stringify(inlineButtons(message).map((b) => b.text))}`);
  return button.callback_data;
}

/** An instant given as Moscow wall-clock time ("2026-12-03 23:30"). */
export function moscow(local: string): Date {
  return new Date(`${local.replace(" ", "T")}:00+03:00`);
}

/** What a user sees last: the bot's last message (sent or edited). */
export function last(messages: SentMessage[]): SentMessage {
  const message = messages[messages.length - 1];
  if (!message) throw new Error("the bot sent nothing");
  return message;
}

export const INTERNAL_ERROR = "Извините, что-то пошло не так";
