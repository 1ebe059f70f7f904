/**
 * How one person is informed about one child, from what is known about them (pure; the service
 * reads the facts in bulk: src/services/people.ts). A person is an account or a journal record
 * acting as the *record person*; the rules are the same for both, only the facts differ.
 */
import type { ConsentState } from "./consent";

/** The channels and paper reasons as plain strings (the domain imports no model enums; see src/db/models/enums.ts). */
type Channel = "telegram" | "max" | "email" | "sms" | "paper";
type DeliveryReason = "declined" | "withdrawn" | "paper-refusal" | "blocked" | "chosen" | "journal";

/**
 * `electronic`: messages go through the person's channel order; `paper`: the family's printout
 * (weekly, and results at once) is how they are informed; `waiting`: no decision in force yet
 * (never answered, or the text changed since): nothing electronic, results on paper.
 */
export type PersonMode = "electronic" | "paper" | "waiting";

export interface PersonFacts {
  consent: ConsentState;
  /** The person's channel order (paper first = paper by choice). */
  channelOrder: readonly Channel[];
  /** Telegram reaches them: an account that has not blocked the bot (a record person has none). */
  telegram: boolean;
  /** MAX reaches them: an account with a MAX dialog, the bot not stopped, MAX on in this deployment. */
  max?: boolean;
  /** An e-mail address that may be used (the person's own, confirmed, or received by the school in writing). */
  email: boolean;
  /** A phone that may be used, with SMS on in this deployment (SMS carries only some notices, but it reaches the person). */
  sms?: boolean;
  /** An account that blocked the bot (for the reason shown when nothing else reaches it). */
  blocked?: boolean;
  /** The record's own paper (journal, written refusal or withdrawal): record persons only. */
  recordPaper?: DeliveryReason | null;
}

export interface ModeOf {
  mode: PersonMode;
  /** Why paper (null otherwise). */
  reason: DeliveryReason | null;
  /** The first channel of the order that reaches the person; null in electronic mode when none does yet (results then go on paper). */
  channel: Channel | null;
}

/**
 * Paper by choice when paper comes first in the person's order, or above a channel that works; by a
 * blocked bot when nothing else reaches an account. A person with consent whom no channel reaches for
 * another reason (a record person without e-mail) stays electronic with no channel: each result falls
 * back to paper on its own (docs/notifications.md).
 */
export function personMode(facts: PersonFacts): ModeOf {
  if (facts.recordPaper) return { mode: "paper", reason: facts.recordPaper, channel: null };
  if (facts.consent === "declined" || facts.consent === "withdrawn") return { mode: "paper", reason: facts.consent, channel: null };
  if (facts.consent !== "granted") return { mode: "waiting", reason: null, channel: null };
  const usable = (channel: Channel) => (channel === "telegram" && facts.telegram) || (channel === "max" && !!facts.max) || (channel === "email" && facts.email) || (channel === "sms" && !!facts.sms);
  for (const [i, channel] of facts.channelOrder.entries()) {
    if (usable(channel)) return { mode: "electronic", reason: null, channel };
    if (channel === "paper" && (i === 0 || facts.channelOrder.slice(i + 1).some(usable))) return { mode: "paper", reason: "chosen", channel: null };
    if (channel === "paper") break;
  }
  return facts.blocked ? { mode: "paper", reason: "blocked", channel: null } : { mode: "electronic", reason: null, channel: null };
}
