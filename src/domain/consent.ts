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
