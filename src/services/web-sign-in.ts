/**
 * One-time sign-in links to the web cabinet: the bot's /web (10 minutes, for a computer) and the
 * e-mail link (15 minutes). The link carries a random token; only its sha256 is stored. A link
 * works once: using it sets `usedAt` atomically, so two clicks (or a mail scanner and a person)
 * open at most one session.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { WebSignIn, type WebSignInPurpose } from "../db/models";

export const SIGN_IN_LINK_TTL_MS: Record<WebSignInPurpose, number> = { "bot-link": 10 * 60_000, email: 15 * 60_000 };

export type SignInPrincipal = { accountId: Types.ObjectId; guardianId?: undefined } | { guardianId: Types.ObjectId; accountId?: undefined };

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export function isSignInToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

/** A new link's token for the person (shown once: in the bot's message or the e-mail). */
export async function issueSignInLink(principal: SignInPrincipal, purpose: WebSignInPurpose, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS[purpose]);
  await WebSignIn.create({ tokenHash: hash(token), purpose, ...principal, expiresAt });
  return { token, expiresAt };
}

/** Whether the link would still work (the confirmation page; nothing is used up). */
export async function signInLinkUsable(token: string, now: Date): Promise<boolean> {
  if (!isSignInToken(token)) return false;
  return !!(await WebSignIn.exists({ tokenHash: hash(token), usedAt: null, expiresAt: { $gt: now } }));
}

/** Uses the link up: its person, or null when it is unknown, expired or already used. */
export async function useSignInLink(token: string, now: Date): Promise<{ principal: SignInPrincipal; purpose: WebSignInPurpose } | null> {
  if (!isSignInToken(token)) return null;
  const link = await WebSignIn.findOneAndUpdate(
    { tokenHash: hash(token), usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
    { returnDocument: "after" },
  ).lean();
  if (!link) return null;
  const principal: SignInPrincipal = link.accountId ? { accountId: link.accountId } : { guardianId: link.guardianId! };
  return { principal, purpose: link.purpose };
}

/** Links of the person not yet expired (used or not): a limit on how many may be asked for at a time. */
export async function recentSignInLinks(principal: SignInPrincipal, purpose: WebSignInPurpose, now: Date): Promise<number> {
  return WebSignIn.countDocuments({ ...principal, purpose, expiresAt: { $gt: now } });
}
