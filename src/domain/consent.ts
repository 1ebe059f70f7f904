/**
 * The consent text's version (152-FZ art. 9). Changing the text means a new version here (or a
 * school's own `settings.consentTextVersion`): everyone is asked again before their next data view.
 */
import { createHash } from "node:crypto";

export const CONSENT_TEXT_VERSION = "2026-11";

export function consentVersionOf(school: { settings?: { consentTextVersion?: string | null } | null }): string {
  return school.settings?.consentTextVersion || CONSENT_TEXT_VERSION;
}

/** sha256 (hex) of the exact text shown or signed: the record proves which words were agreed to. */
export function consentTextHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Telegram's limit for one message's text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Splits a long text (the full consent text) into messages under Telegram's limit, at paragraph
 * breaks where possible, then at line breaks, then at spaces; no part is empty.
 */
export function splitLongText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find((i) => i > limit / 2) ?? limit;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}
