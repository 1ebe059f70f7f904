/**
 * Contact details the guardian gives (regulation 7): an e-mail counts once confirmed by a code sent
 * to it, a phone when shared with Telegram's contact button (Telegram verified it). Each contact
 * keeps its source; the guardian may remove only their own ones. The preferred channel order is
 * the guardian's too. Applied to every guardian record the account acts for (one per school).
 */
import { randomInt } from "node:crypto";
import { Types } from "mongoose";
import { CHANNELS, EMAIL_RE, EmailVerification, Guardian, GuardianLink, PHONE_RE, type Channel, type ContactKind, type AccountDocument } from "../db/models";
import { hashCode } from "../domain/codes";
import type { EmailChannel } from "../channels/email";

export const EMAIL_CODE_TTL_MS = 30 * 60 * 1000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

/** Every guardian record of the account, through its roles and links. */
export async function guardianIdsOf(account: AccountDocument): Promise<Types.ObjectId[]> {
  const links = await GuardianLink.find({ accountId: account._id }, { guardianId: 1 }).lean();
  const ids = [...account.roles.filter((r) => r.role === "guardian" && r.guardianId).map((r) => r.guardianId!), ...links.map((l) => l.guardianId)];
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}

export interface ContactView {
  kind: ContactKind;
  value: string;
  source: string;
  verified: boolean;
}

/** The account's contacts (the same contact in two schools shown once) and its channel order. */
export async function contactsOf(account: AccountDocument): Promise<{ guardians: number; contacts: ContactView[]; channelOrder: Channel[] }> {
  const guardians = await Guardian.find({ _id: { $in: await guardianIdsOf(account) } }, { contacts: 1, channelOrder: 1 }).lean();
  const seen = new Map<string, ContactView>();
  for (const c of guardians.flatMap((g) => g.contacts)) {
    const key = `${c.kind}:${c.value}:${c.source}`;
    if (!seen.has(key)) seen.set(key, { kind: c.kind, value: c.value, source: c.source, verified: Boolean(c.verifiedAt) || c.source !== "guardian" });
  }
  return { guardians: guardians.length, contacts: [...seen.values()], channelOrder: (guardians[0]?.channelOrder as Channel[] | undefined) ?? [...CHANNELS] };
}

/** Replaces the guardian's own contact of this kind on all their records. */
async function saveOwnContact(guardianIds: Types.ObjectId[], kind: ContactKind, value: string, now: Date): Promise<void> {
  await Guardian.updateMany({ _id: { $in: guardianIds } }, { $pull: { contacts: { kind, source: "guardian" } } });
  await Guardian.updateMany({ _id: { $in: guardianIds } }, { $push: { contacts: { kind, value, source: "guardian", verifiedAt: now } } });
}

export async function removeOwnContact(account: AccountDocument, kind: ContactKind): Promise<void> {
  await Guardian.updateMany({ _id: { $in: await guardianIdsOf(account) } }, { $pull: { contacts: { kind, source: "guardian" } } });
}

export type EmailStart = { status: "sent"; email: string } | { status: "invalid" | "no-guardian" | "not-configured" | "send-failed" };

/** Sends a 6-digit code to the address; a new request replaces the pending one. */
export async function startEmailVerification(input: {
  account: AccountDocument; email: string; pepper: string; now: Date; mailer: EmailChannel | null;
  message: (code: string) => { subject: string; text: string; html: string };
}): Promise<EmailStart> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email) || email.length > 254) return { status: "invalid" };
  const guardianIds = await guardianIdsOf(input.account);
  if (!guardianIds.length) return { status: "no-guardian" };
  if (!input.mailer) return { status: "not-configured" };
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  await EmailVerification.deleteMany({ accountId: input.account._id });
  await EmailVerification.create({
    accountId: input.account._id, guardianId: guardianIds[0], email, codeHash: hashCode(input.pepper, `email:${email}:${code}`),
    expiresAt: new Date(input.now.getTime() + EMAIL_CODE_TTL_MS),
  });
  const sent = await input.mailer.send({ to: email, ...input.message(code) });
  if (!sent.ok) {
    await EmailVerification.deleteMany({ accountId: input.account._id });
    return { status: "send-failed" };
  }
  return { status: "sent", email };
}

export type EmailConfirm = { status: "confirmed"; email: string } | { status: "wrong"; attemptsLeft: number } | { status: "expired" | "too-many" | "none" };

/** Checks the code the guardian typed; on success the e-mail becomes their confirmed contact. */
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
  await saveOwnContact(await guardianIdsOf(input.account), "email", pending.email, input.now);
  await EmailVerification.deleteMany({ accountId: input.account._id });
  return { status: "confirmed", email: pending.email };
}

/** A phone shared with the contact button: Telegram verified it belongs to the sender. */
export async function savePhone(account: AccountDocument, phone: string, now: Date): Promise<"saved" | "invalid" | "no-guardian"> {
  if (!PHONE_RE.test(phone)) return "invalid";
  const guardianIds = await guardianIdsOf(account);
  if (!guardianIds.length) return "no-guardian";
  await saveOwnContact(guardianIds, "phone", phone, now);
  return "saved";
}

/** Moves a channel one place up in the guardian's order (on all their records). */
export async function moveChannelUp(account: AccountDocument, channel: string): Promise<Channel[] | null> {
  if (!(CHANNELS as readonly string[]).includes(channel)) return null;
  const { channelOrder, guardians } = await contactsOf(account);
  if (!guardians) return null;
  const order = [...channelOrder];
  const i = order.indexOf(channel as Channel);
  if (i > 0) [order[i - 1], order[i]] = [order[i], order[i - 1]];
  else if (i < 0) order.unshift(channel as Channel);
  await Guardian.updateMany({ _id: { $in: await guardianIdsOf(account) } }, { $set: { channelOrder: order } });
  return order;
}
