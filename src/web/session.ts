/**
 * Web sessions: a random token in an httpOnly cookie, its sha256 in MongoDB (`web_sessions`), so a
 * stolen database opens no session. A session lives 14 days from its last use (renewed at most
 * hourly: one write an hour, not one per page) and 30 days at most.
 *
 * Cookies: `Secure` and the `__Host-` prefix when WEB_URL is https. SameSite=Lax, except for a
 * session opened from the Mini App over https: Telegram's web client shows Mini Apps in an iframe of
 * another site, where only a `SameSite=None; Partitioned` cookie is sent. Every form carries the
 * session's CSRF token and every POST is checked for its Origin (security.ts), so SameSite is a
 * second line, not the only one.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { WebSession, type WebSessionDocument, type WebSignInMethod } from "../db/models";
import type { Language } from "../i18n";
import type { WebPrincipal } from "./auth/person";

export const SESSION_IDLE_MS = 14 * 24 * 60 * 60_000;
export const SESSION_MAX_MS = 30 * 24 * 60 * 60_000;
const TOUCH_EVERY_MS = 60 * 60_000;

export interface CookiePolicy {
  secure: boolean;
  sessionName: string;
  /** The pre-session cookie of the sign-in forms (double-submit CSRF token). */
  formName: string;
}

export function cookiePolicy(webUrl: string | undefined): CookiePolicy {
  const secure = !!webUrl?.startsWith("https:");
  return secure ? { secure, sessionName: "__Host-ed_session", formName: "__Host-ed_form" } : { secure, sessionName: "ed_session", formName: "ed_form" };
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

export function sessionCookieOptions(policy: CookiePolicy, via: WebSignInMethod, maxAgeMs: number) {
  const crossSite = policy.secure && via === "telegram";
  return {
    path: "/",
    httpOnly: true,
    secure: policy.secure,
    sameSite: crossSite ? ("none" as const) : ("lax" as const),
    ...(crossSite ? { partitioned: true } : {}),
    maxAge: Math.floor(maxAgeMs / 1000),
  };
}

export async function openSession(
  reply: FastifyReply,
  policy: CookiePolicy,
  principal: WebPrincipal,
  via: WebSignInMethod,
  language: Language,
  now: Date,
): Promise<WebSessionDocument> {
  const token = randomToken();
  const session = await WebSession.create({
    tokenHash: hashToken(token),
    ...(principal.accountId ? { accountId: principal.accountId } : { guardianId: principal.guardianId }),
    via,
    csrfToken: randomToken(24),
    language,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
    absoluteExpiresAt: new Date(now.getTime() + SESSION_MAX_MS),
  });
  void reply.setCookie(policy.sessionName, token, sessionCookieOptions(policy, via, SESSION_MAX_MS));
  return session;
}

export function sessionToken(request: FastifyRequest, policy: CookiePolicy): string | undefined {
  const token = request.cookies[policy.sessionName];
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
}

/** The request's session if it is still valid (the TTL monitor runs only once a minute). */
export async function findSession(request: FastifyRequest, policy: CookiePolicy, now: Date): Promise<WebSessionDocument | null> {
  const token = sessionToken(request, policy);
  if (!token) return null;
  const session = await WebSession.findOne({ tokenHash: hashToken(token) });
  if (!session || session.expiresAt.getTime() <= now.getTime()) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, session.absoluteExpiresAt.getTime()));
    await WebSession.updateOne({ _id: session._id }, { $set: { lastSeenAt: now, expiresAt } });
    session.lastSeenAt = now;
    session.expiresAt = expiresAt;
  }
  return session;
}

export async function closeSession(reply: FastifyReply, policy: CookiePolicy, session: WebSessionDocument | null): Promise<void> {
  if (session) await WebSession.deleteOne({ _id: session._id });
  void reply.clearCookie(policy.sessionName, { path: "/", secure: policy.secure, httpOnly: true });
}

/** Ends every web session of a person (withdrawal of consent, a revoked role, account deletion). */
export async function closeSessionsOf(principal: WebPrincipal): Promise<number> {
  const result = await WebSession.deleteMany(principal.accountId ? { accountId: principal.accountId } : { guardianId: principal.guardianId });
  return result.deletedCount;
}
