/**
 * Who is signed in to the web cabinet and which children they may see. A session's principal is a
 * person (docs/decisions.md, "People: one account is one person"): an account (the Mini App, the
 * bot's one-time link), or, for an e-mail sign-in of a guardian the school knows only on paper, the
 * journal's guardian record. This is the one place that turns a principal into a person and the
 * person into children, so that the per-person services can replace it in one step.
 */
import type { Types } from "mongoose";
import { Account, Guardian, latestConsent, type AccountDocument } from "../../db/models";
import { accessibleChildren, type AccessibleChild } from "../../services/access";
import { dropExpiredRoles } from "../../services/staff";
import { surnameInitialOf } from "../../domain/format";
import type { Language } from "../../i18n";

export type WebPrincipal = { accountId: Types.ObjectId; guardianId?: undefined } | { guardianId: Types.ObjectId; accountId?: undefined };

export interface GuardianPerson {
  _id: Types.ObjectId;
  schoolId: Types.ObjectId;
  studentIds: Types.ObjectId[];
}

export type WebPerson = { kind: "account"; account: AccountDocument } | { kind: "guardian"; guardian: GuardianPerson };

/** The person behind a session, or null when they are gone (the account or record was removed). */
export async function loadPerson(principal: WebPrincipal, now: Date): Promise<WebPerson | null> {
  if (principal.accountId) {
    const account = await Account.findById(principal.accountId);
    if (!account) return null;
    // A staff role past the end of its school year counts for nothing, as in the bot.
    dropExpiredRoles(account, now);
    return { kind: "account", account };
  }
  const guardian = await Guardian.findById(principal.guardianId, { schoolId: 1, studentIds: 1 }).lean();
  return guardian ? { kind: "guardian", guardian: { _id: guardian._id, schoolId: guardian.schoolId, studentIds: guardian.studentIds ?? [] } } : null;
}

export function principalOf(person: WebPerson): WebPrincipal {
  return person.kind === "account" ? { accountId: person.account._id } : { guardianId: person.guardian._id };
}

/** The account's stored language; a record person has none (the browser's is used). */
export function languageOf(person: WebPerson): Language | undefined {
  return person.kind === "account" ? (person.account.language as Language) : undefined;
}

/**
 * The children the person may see now: an account's through the bot's rules (links made with a
 * code, consent to the school's current text in force); a record person's from the journal's record
 * while the school's newest written decision for it is a consent (paper consents outlive new text
 * versions: they can only be renewed on paper).
 */
export async function childrenOf(person: WebPerson): Promise<AccessibleChild[]> {
  if (person.kind === "account") return accessibleChildren(person.account);
  const { guardian } = person;
  const written = await latestConsent({ guardianId: guardian._id, schoolId: guardian.schoolId, form: { $in: ["paper", "edoc"] } });
  if (written?.decision !== "granted") return [];
  return guardian.studentIds.map((studentId) => ({ studentId, schoolId: guardian.schoolId, via: "guardian" as const, guardianId: guardian._id }));
}

/** The child with this id if the person may see them, else null: a foreign id and a missing one look the same. */
export async function childOf(person: WebPerson, studentId: string, known?: AccessibleChild[]): Promise<AccessibleChild | null> {
  if (!/^[0-9a-f]{24}$/.test(studentId)) return null;
  return (known ?? (await childrenOf(person))).find((c) => String(c.studentId) === studentId) ?? null;
}

/**
 * The child's name as the person sees it: in full for an account that linked the child with the
 * school's code (or the student themselves); masked ("Иванова М.") for a record person, whose
 * sign-in proves only an address.
 */
export function childDisplayName(person: WebPerson, fullName: string): string {
  return person.kind === "account" ? fullName : surnameInitialOf(fullName);
}
