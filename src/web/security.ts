/**
 * The web app's defences, in one place: security headers with a strict CSP (helmet), CSRF checks
 * on every POST (the Origin, and a token: the session's, or for the sign-in forms one bound to a
 * pre-session cookie), and rate limits (per address for the pages, tighter for sign-in).
 */
import { timingSafeEqual } from "node:crypto";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WebDeps } from "./context";
import { randomToken, type CookiePolicy } from "./session";

/** Telegram's web client shows Mini Apps in an iframe of this origin. */
export const TELEGRAM_WEB_ORIGINS = ["https://web.telegram.org"];

export const SIGN_IN_RATE_LIMIT = { max: 20, timeWindow: 10 * 60_000 };

/** How a POST proves it came from our own form. */
export type CsrfMode = "session" | "form" | "none";

declare module "fastify" {
  interface FastifyContextConfig {
    /** "session" (default): the signed-in session's token; "form": the pre-session cookie's; "none": the body is its own proof (init data). */
    csrf?: CsrfMode;
  }
}

export class CsrfError extends Error {}

export async function registerSecurity(app: FastifyInstance, deps: WebDeps, policy: CookiePolicy): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...TELEGRAM_WEB_ORIGINS],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(policy.secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // frame-ancestors above says who may frame the app; X-Frame-Options cannot name Telegram.
    frameguard: false,
    // Not "no-referrer": Chrome then sends "Origin: null" with our own forms. Same-origin keeps the
    // one-time link's address away from other sites and lets the Origin check work.
    referrerPolicy: { policy: "same-origin" },
    hsts: policy.secure,
    crossOriginResourcePolicy: { policy: "same-origin" },
  });

  await app.register(rateLimit, {
    global: true,
    max: deps.pageRateLimit ?? 600,
    timeWindow: 60_000,
    skipOnError: true,
    ...(deps.redis ? { redis: deps.redis, nameSpace: `${deps.redisPrefix ?? "ed"}:web-rate:` } : {}),
    errorResponseBuilder: (_request, context) => Object.assign(new Error("rate limited"), { statusCode: 429, retryAfter: context.after }),
  });

  app.addHook("preHandler", async (request) => {
    if (request.method !== "POST") return;
    if (!sameOrigin(request, deps.config.WEB_URL)) throw new CsrfError("cross-origin POST");
    const mode = request.routeOptions.config.csrf ?? "session";
    if (mode === "none") return;
    const given = (request.body as Record<string, unknown> | undefined)?._csrf;
    const expected = mode === "session" ? request.viewer?.session.csrfToken : request.cookies[policy.formName];
    if (typeof given !== "string" || !expected || !sameToken(given, expected)) throw new CsrfError("missing or wrong CSRF token");
  });
}

/**
 * A POST must come from a page of ours: browsers send Origin with every POST (Referer is the
 * fallback), and Sec-Fetch-Site where they know it. Our origin is WEB_URL's, or without it the
 * Host the request was sent to.
 */
export function sameOrigin(request: FastifyRequest, webUrl: string | undefined): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return false;
  const own = webUrl ?? `${request.protocol}://${request.host}`;
  const origin = request.headers.origin;
  if (origin) return origin === own;
  const referer = request.headers.referer;
  if (!referer) return false;
  try {
    return new URL(referer).origin === own;
  } catch {
    return false;
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token for a sign-in form: the pre-session cookie's value, set now if there is none. */
export function formToken(request: FastifyRequest, reply: FastifyReply, policy: CookiePolicy): string {
  const existing = request.cookies[policy.formName];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomToken(24);
  void reply.setCookie(policy.formName, token, { path: "/", httpOnly: true, secure: policy.secure, sameSite: "lax", maxAge: 60 * 60 });
  return token;
}
