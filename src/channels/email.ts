/**
 * E-mail through SMTP (nodemailer). Only addresses the guardian entered and confirmed or the school
 * received in writing/by edoc are used (regulation 7): see `deliverableEmail`.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { GuardianContact } from "../db/models";
import { short, type SendOutcome } from "./outcome";

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EmailChannel {
  send(message: EmailMessage): Promise<SendOutcome>;
  close(): void;
}

export function createEmailChannel(smtpUrl: string | undefined, from: string | undefined): EmailChannel | null {
  if (!smtpUrl || !from) return null;
  const transport: Transporter = nodemailer.createTransport(smtpUrl, { from });
  return {
    async send(message) {
      try {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
        return { ok: true };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // The server's words often quote the address: they go to logs and /deliveries masked.
        const text = `smtp ${code ?? (error as { code?: string }).code ?? "error"}: ${short(maskEmails((error as Error).message ?? ""))}`;
        // 5xx: the server refuses this mailbox for good; anything else (4xx, network) may pass later.
        return code !== undefined && code >= 500 ? { ok: false, kind: "unreachable", error: text } : { ok: false, kind: "retry", error: text };
      }
    },
    close() {
      transport.close();
    },
  };
}

/** "550 <ivanova@mail.ru>: rejected" → "550 <***@***>: rejected". */
export function maskEmails(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, "***@***");
}

/** Sources that count (regulation 7): the guardian's own (confirmed) or the school's written/edoc ones. */
export function deliverableEmail(contacts: readonly GuardianContact[]): string | null {
  const ok = contacts.find(
    (c) => c.kind === "email" && (c.source === "school-paper" || c.source === "school-edoc" || (c.source === "guardian" && c.verifiedAt)),
  );
  return ok?.value ?? null;
}

/** A plain-text part from the Telegram HTML of a message. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** A minimal HTML document around the Telegram HTML (which is a subset of HTML). */
export function emailHtml(html: string, lang: string): string {
  return `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">${html.replace(/\n/g, "<br>\n")}</body></html>`;
}
