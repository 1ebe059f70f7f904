/**
 * The consent text's version (152-FZ art. 9). Changing the text means a new version here (or a
 * school's own `settings.consentTextVersion`): everyone is asked again before their next data view.
 */
import { createHash } from "node:crypto";

/** 2026-12: the text names the child's own account (docs/decisions.md, "Students' own accounts"). */
export const CONSENT_TEXT_VERSION = "2026-12";

/**
 * The version of a school's consent text: the service's (or the school's own override), and
 * `.<revision>` once the school changed what its text says (its terms, name, address, operator:
 * src/services/school-settings.ts) — "2026-12.2".
 */
export function consentVersionOf(school: { settings?: { consentTextVersion?: string | null; consentRevision?: number | null } | null }): string {
  const base = school.settings?.consentTextVersion || CONSENT_TEXT_VERSION;
  const revision = school.settings?.consentRevision ?? 0;
  return revision > 0 ? `${base}.${revision}` : base;
}

/** A person's consent to a school: only "granted" lets data through. */
export type ConsentState = "granted" | "declined" | "withdrawn" | "outdated" | "none";

/**
 * The state of the decision in force (the newest record of the person in the school), against the
 * school's current text version. A consent given in the bot to an older text is "outdated"; one
 * given on paper or by e-document stays valid until renewed in writing (docs/decisions.md).
 */
export function consentStateOf(record: { decision: string; textVersion: string; form?: string | null } | null | undefined, currentVersion: string): ConsentState {
  if (!record) return "none";
  if (record.decision !== "granted") return record.decision === "declined" ? "declined" : "withdrawn";
  return record.form === "paper" || record.form === "edoc" || record.textVersion === currentVersion ? "granted" : "outdated";
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
