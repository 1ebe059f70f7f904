/**
 * A person's own contact details and channel order (regulation 7), kept on their account: an
 * e-mail counts once confirmed by a code sent to it, a phone when shared with Telegram's contact
 * button (Telegram verified it). Each contact keeps its source; only one's own can be removed.
 * Contacts are taken only from an account whose consent is in force in some school (issue #16.11),
 * and code e-mails are limited per account and per address.
 *
 * The journal's guardian records the account acts for are shared with whoever else acts for them:
 * of those only what the journal said is shown, masked (`journalContactsOf`).
 */
import { randomInt } from "node:crypto";
import { Types } from "mongoose";
import { Account, CHANNELS, DEFAULT_CHANNEL_ORDER, EMAIL_RE, EmailCodeSend, EmailVerification, Guardian, GuardianLink, PHONE_RE, type AccountDocument, type Channel, type ContactKind } from "../db/models";
import { hashCode, maskEmail, maskName, maskPhone } from "../domain/codes";
import type { EmailChannel } from "../channels/email";
import { consentOverview } from "./privacy";
import { channelEnabled, channelEntry } from "./notify/channels";

export const EMAIL_CODE_TTL_MS = 30 * 60 * 1000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/**
 * Code e-mails allowed per account and per address (any account): enough for a typo and a second
 * try, too few to flood a mailbox through the bot.
 */
export const EMAIL_CODE_LIMITS = {
  account: [{ count: 3, windowMs: HOUR }, { count: 10, windowMs: DAY }],
  address: [{ count: 3, windowMs: DAY }],
} as const;

/** Every guardian record the account acts for, through its links and roles (any school). */
export async function guardianIdsOf(account: AccountDocument): Promise<Types.ObjectId[]> {
  const links = await GuardianLink.find({ accountId: account._id }, { guardianId: 1 }).lean();
  const ids = [...account.roles.filter((r) => r.role === "guardian" && r.guardianId).map((r) => r.guardianId!), ...links.map((l) => l.guardianId)];
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}

/** What /settings may offer the account: anything at all (a guardian somewhere), and contacts (consent in force somewhere). */
export async function settingsAccess(account: AccountDocument): Promise<{ guardian: boolean; consent: boolean }> {
  const guardian = (await guardianIdsOf(account)).length > 0;
  if (!guardian) return { guardian, consent: false };
  return { guardian, consent: (await consentOverview(account._id)).some((c) => c.state === "granted") };
}

export interface ContactView {
  kind: ContactKind;
  value: string;
  source: string;
  verified: boolean;
}

/** The account's own contacts and channel order, as stored now (a change made earlier in this update included). */
export async function contactsOf(account: Pick<AccountDocument, "_id">): Promise<{ contacts: ContactView[]; channelOrder: Channel[] }> {
  const fresh = await Account.findById(account._id, { contacts: 1, channelOrder: 1 }).lean();
  const contacts = (fresh?.contacts ?? []).map((c) => ({ kind: c.kind, value: c.value, source: c.source, verified: Boolean(c.verifiedAt) || c.source !== "guardian" }));
  return { contacts, channelOrder: fresh?.channelOrder?.length ? [...fresh.channelOrder] : [...DEFAULT_CHANNEL_ORDER] };
}

export interface JournalContact {
  /** The record's name as the journal sent it, masked ("Иванова А."). */
  record: string | null;
  kind: ContactKind;
  /** Masked: the record may describe another person. */
  value: string;
}

/** What the journal said about the records the account acts for: their contacts, masked. */
export async function journalContactsOf(account: AccountDocument): Promise<JournalContact[]> {
  const records = await Guardian.find({ _id: { $in: await guardianIdsOf(account) } }, { fullName: 1, contacts: 1 }).lean();
  return records.flatMap((g) =>
    g.contacts
      .filter((c) => c.source === "journal")
      .map((c) => ({ record: g.fullName ? maskName(g.fullName) : null, kind: c.kind, value: c.kind === "email" ? maskEmail(c.value) : maskPhone(c.value) })),
  );
}

/** Replaces the person's own contact of this kind ($pull and $push of one array need two updates). */
async function saveOwnContact(accountId: Types.ObjectId, kind: ContactKind, value: string, now: Date): Promise<void> {
  await Account.updateOne({ _id: accountId }, { $pull: { contacts: { kind, source: "guardian" } } });
  await Account.updateOne({ _id: accountId }, { $push: { contacts: { kind, value, source: "guardian", verifiedAt: now } } });
}

export async function removeOwnContact(account: AccountDocument, kind: ContactKind): Promise<void> {
  await Account.updateOne({ _id: account._id }, { $pull: { contacts: { kind, source: "guardian" } } });
}

export type EmailStart =
  | { status: "sent"; email: string }
  | { status: "rate-limited"; retryAt: Date }
  | { status: "invalid" | "no-consent" | "not-configured" | "send-failed" };

/** When the next code e-mail may go to this address for this account, or null when it may go now. */
export async function emailCodeAllowedAt(accountId: Types.ObjectId, email: string, now: Date): Promise<Date | null> {
  const sends = await EmailCodeSend.find({ $or: [{ accountId }, { email }], at: { $gt: new Date(now.getTime() - DAY) } }, { accountId: 1, email: 1, at: 1 })
    .sort({ at: 1 })
    .lean();
  let until: number | null = null;
  const check = (times: number[], limits: ReadonlyArray<{ count: number; windowMs: number }>) => {
    for (const { count, windowMs } of limits) {
      const inWindow = times.filter((t) => t > now.getTime() - windowMs);
      // The window frees when its oldest send that still counts leaves it.
      if (inWindow.length >= count) until = Math.max(until ?? 0, inWindow[inWindow.length - count] + windowMs);
    }
  };
  check(sends.filter((s) => s.accountId.equals(accountId)).map((s) => s.at.getTime()), EMAIL_CODE_LIMITS.account);
  check(sends.filter((s) => s.email === email).map((s) => s.at.getTime()), EMAIL_CODE_LIMITS.address);
  return until === null ? null : new Date(until);
}

/** Sends a 6-digit code to the address; a new request replaces the pending one. */
export async function startEmailVerification(input: {
  account: AccountDocument; email: string; pepper: string; now: Date; mailer: EmailChannel | null;
  message: (code: string) => { subject: string; text: string; html: string };
}): Promise<EmailStart> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email) || email.length > 254) return { status: "invalid" };
  if (!(await settingsAccess(input.account)).consent) return { status: "no-consent" };
  if (!input.mailer) return { status: "not-configured" };
  const retryAt = await emailCodeAllowedAt(input.account._id, email, input.now);
  if (retryAt) return { status: "rate-limited", retryAt };
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  // Counted before sending: a refused or failed attempt still reached (or tried) the mailbox.
  await EmailCodeSend.create({ accountId: input.account._id, email, at: input.now });
  await EmailVerification.deleteMany({ accountId: input.account._id });
  await EmailVerification.create({
    accountId: input.account._id, email, codeHash: hashCode(input.pepper, `email:${email}:${code}`),
    expiresAt: new Date(input.now.getTime() + EMAIL_CODE_TTL_MS),
  });
  const sent = await input.mailer.send({ to: email, ...input.message(code) });
  if (!sent.ok) {
    await EmailVerification.deleteMany({ accountId: input.account._id });
    return { status: "send-failed" };
  }
  return { status: "sent", email };
}

export type EmailConfirm = { status: "confirmed"; email: string } | { status: "wrong"; attemptsLeft: number } | { status: "expired" | "too-many" | "none" | "no-consent" };

/** Checks the code the person typed; on success the e-mail becomes their confirmed contact. */
export async function confirmEmail(input: { account: AccountDocument; typed: string; pepper: string; now: Date }): Promise<EmailConfirm> {
  const pending = await EmailVerification.findOne({ accountId: input.account._id }).sort({ createdAt: -1 });
  if (!pending) return { status: "none" };
  if (pending.expiresAt.getTime() <= input.now.getTime()) return { status: "expired" };
  if (pending.attempts >= EMAIL_CODE_MAX_ATTEMPTS) return { status: "too-many" };
  const typed = input.typed.replace(/\D/g, "");
  if (hashCode(input.pepper, `email:${pending.email}:${typed}`) !== pending.codeHash) {
    const updated = await EmailVerification.findOneAndUpdate({ _id: pending._id }, { $inc: { attempts: 1 } }, { returnDocument: "after" }).lean();
    const left = EMAIL_CODE_MAX_ATTEMPTS - (updated?.attempts ?? EMAIL_CODE_MAX_ATTEMPTS);
    return left > 0 ? { status: "wrong", attemptsLeft: left } : { status: "too-many" };
  }
  await EmailVerification.deleteMany({ accountId: input.account._id });
  // Consent may have been withdrawn while the code was on its way: the address is then not kept.
  if (!(await settingsAccess(input.account)).consent) return { status: "no-consent" };
  await saveOwnContact(input.account._id, "email", pending.email, input.now);
  return { status: "confirmed", email: pending.email };
}

/** A phone shared with the contact button: Telegram verified it belongs to the sender. */
export async function savePhone(account: AccountDocument, phone: string, now: Date): Promise<"saved" | "invalid" | "no-consent"> {
  if (!PHONE_RE.test(phone)) return "invalid";
  if (!(await settingsAccess(account)).consent) return "no-consent";
  await saveOwnContact(account._id, "phone", phone, now);
  return "saved";
}

/** The channels of an order this deployment has (settings screens show these; the others stay stored as they are). */
export const shownChannels = (order: readonly Channel[]): Channel[] => order.filter((c) => channelEnabled(c));

/** Channels the person may switch on or off (SMS) that this deployment has: each with whether it is on for them. */
export function switchableChannels(order: readonly Channel[]): Array<{ channel: Channel; on: boolean }> {
  return CHANNELS.filter((c) => channelEntry(c).optional && channelEnabled(c)).map((channel) => ({ channel, on: order.includes(channel) }));
}

/**
 * Moves a channel one place up in the person's order, just above the previous channel shown (one
 * this deployment has); channels not shown keep their places next to the others.
 */
export async function moveChannelUp(account: AccountDocument, channel: string): Promise<Channel[] | null> {
  if (!(CHANNELS as readonly string[]).includes(channel)) return null;
  const order = (await contactsOf(account)).channelOrder;
  const i = order.indexOf(channel as Channel);
  if (i < 0) return null; // switched off: switched on first (`switchChannel`)
  let j = i - 1;
  while (j >= 0 && !channelEnabled(order[j])) j--;
  if (j >= 0) order.splice(j, 0, ...order.splice(i, 1));
  await Account.updateOne({ _id: account._id }, { $set: { channelOrder: order } });
  return order;
}

/**
 * Switches an optional channel (SMS) off — out of the person's order, nothing goes that way — or
 * on again, just above paper (at the end when paper comes first: paper by choice stays so).
 */
export async function switchChannel(account: Pick<AccountDocument, "_id">, channel: string, on: boolean): Promise<Channel[] | null> {
  if (!(CHANNELS as readonly string[]).includes(channel) || !channelEntry(channel as Channel).optional) return null;
  const order = (await contactsOf(account)).channelOrder.filter((c) => c !== channel);
  if (on) {
    const paper = order.indexOf("paper");
    order.splice(paper > 0 ? paper : order.length, 0, channel as Channel);
  }
  await Account.updateOne({ _id: account._id }, { $set: { channelOrder: order } });
  return order;
}

/**
 * "I want paper" (issue 10.2): paper first in the person's own order — they are informed on paper
 * with the reason `chosen` (src/domain/person-mode.ts), their family gets the printouts, and nothing
 * electronic is sent to them (the consent gate). `electronic` brings them back: paper goes last.
 * The person's own choice: another parent of the child keeps theirs.
 */
export async function choosePaper(account: Pick<AccountDocument, "_id">, paper: boolean): Promise<Channel[]> {
  const rest = (await contactsOf(account)).channelOrder.filter((c) => c !== "paper");
  const order: Channel[] = paper ? ["paper", ...rest] : [...rest, "paper"];
  await Account.updateOne({ _id: account._id }, { $set: { channelOrder: order } });
  return order;
}

/** The address waiting for its code, if any (the web's settings page shows the code form then). */
export async function pendingEmailOf(accountId: Types.ObjectId, now: Date): Promise<string | null> {
  const pending = await EmailVerification.findOne({ accountId, expiresAt: { $gt: now } }, { email: 1 }).sort({ createdAt: -1 }).lean();
  return pending?.email ?? null;
}

/** Drops the address waiting for its code (the person typed a wrong one and wants another). */
export async function cancelEmailVerification(accountId: Types.ObjectId): Promise<void> {
  await EmailVerification.deleteMany({ accountId });
}
