/**
 * Signing in to the web cabinet by e-mail (issue 12): a person with consent in force and an e-mail
 * address on record asks for a link on /app/login; the link (web-sign-in.ts, purpose "email") is
 * valid 15 minutes and once. Who an address belongs to:
 * - an account, by its own address (entered and confirmed in /settings, or received in writing from
 *   it as the named signer: the sources `deliverableEmail` accepts), while its consent is in force
 *   in some school;
 * - the record person of a journal guardian record, by the record's address (from the journal, or a
 *   written statement), while the school's newest written decision for the record is a consent
 *   (the same rule as the record person's children, src/web/auth/person.ts).
 * The journal's address of a record is never used for an account acting for it: it may describe the
 * other parent (docs/decisions.md, "Contacts").
 *
 * The caller answers the same whatever happens here (the page never says whether an address is
 * known), and runs this after answering, so that not even the time taken tells.
 */
import type { Types } from "mongoose";
import { Account, EMAIL_RE, Guardian, latestConsent } from "../db/models";
import type { Language } from "../i18n";
import type { EmailChannel, EmailMessage } from "../channels/email";
import { consentOverview } from "./privacy";
import { issueSignInLink, recentSignInLinks, SIGN_IN_LINK_TTL_MS, type SignInPrincipal } from "./web-sign-in";

/** E-mail links not yet expired that one person may hold: a typo and a retry, not a flood of their mailbox. */
export const EMAIL_LINKS_AT_ONCE = 3;
export const EMAIL_LINK_TTL_MS = SIGN_IN_LINK_TTL_MS.email;

/** An address as typed, normalised (trimmed, lower-cased), or null when it is not an address. */
export function normaliseEmail(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const email = input.trim().toLowerCase();
  return email.length <= 254 && EMAIL_RE.test(email) ? email : null;
}

export interface EmailPerson {
  principal: SignInPrincipal;
  /** The account's stored language; a record person has none. */
  language?: Language;
}

const OWN_SOURCES = ["school-paper", "school-edoc"];
const RECORD_SOURCES = ["journal", "school-paper", "school-edoc"];

/** The persons this address signs in (usually one; a parent may be both an account and a record person). */
export async function personsWithEmail(email: string): Promise<EmailPerson[]> {
  const [accounts, records] = await Promise.all([
    Account.find({ contacts: { $elemMatch: { kind: "email", value: email } } }, { contacts: 1, language: 1 }).lean(),
    Guardian.find({ contacts: { $elemMatch: { kind: "email", value: email, source: { $in: RECORD_SOURCES } } } }, { schoolId: 1 }).lean(),
  ]);
  const persons: EmailPerson[] = [];
  for (const account of accounts) {
    const own = account.contacts.some(
      (c) => c.kind === "email" && c.value === email && (OWN_SOURCES.includes(c.source) || (c.source === "guardian" && !!c.verifiedAt)),
    );
    if (!own) continue;
    if (!(await consentOverview(account._id)).some((c) => c.state === "granted")) continue;
    persons.push({ principal: { accountId: account._id }, language: account.language as Language });
  }
  for (const record of records) {
    const written = await latestConsent({ guardianId: record._id, schoolId: record.schoolId, form: { $in: ["paper", "edoc"] } });
    if (written?.decision === "granted") persons.push({ principal: { guardianId: record._id as Types.ObjectId } });
  }
  return persons;
}

export type EmailSignInOutcome = "sent" | "unknown" | "limited" | "send-failed";

/**
 * Sends one e-mail per person the address signs in, each with a new link, unless the person holds
 * EMAIL_LINKS_AT_ONCE unexpired ones already. `message` writes the e-mail in the person's language.
 */
export async function sendEmailSignIn(input: {
  email: string;
  now: Date;
  mailer: EmailChannel;
  message: (link: { token: string; language?: Language }) => Omit<EmailMessage, "to">;
}): Promise<EmailSignInOutcome[]> {
  const persons = await personsWithEmail(input.email);
  if (persons.length === 0) return ["unknown"];
  const outcomes: EmailSignInOutcome[] = [];
  for (const person of persons) {
    if ((await recentSignInLinks(person.principal, "email", input.now)) >= EMAIL_LINKS_AT_ONCE) {
      outcomes.push("limited");
      continue;
    }
    const { token } = await issueSignInLink(person.principal, "email", input.now);
    const sent = await input.mailer.send({ to: input.email, ...input.message({ token, language: person.language }) });
    outcomes.push(sent.ok ? "sent" : "send-failed");
  }
  return outcomes;
}
