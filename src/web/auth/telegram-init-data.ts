/**
 * The Telegram Mini App's init data (the `tgWebAppData` launch parameter): a query string signed by
 * Telegram with the bot's token. Checked as Telegram documents it: every field but `hash`, sorted
 * by key, `key=value` lines; the key is HMAC-SHA256("WebAppData", bot token); the signature is
 * HMAC-SHA256(key, those lines) in hex. `auth_date` must be at most an hour old (a copied link
 * cannot be replayed later) and not from the future beyond a little clock skew.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const INIT_DATA_MAX_AGE_SECONDS = 60 * 60;
const CLOCK_SKEW_SECONDS = 5 * 60;
/** Telegram's init data is a few hundred bytes; anything much longer is not it. */
export const INIT_DATA_MAX_LENGTH = 8192;

export interface TelegramWebAppUser {
  id: number;
  languageCode?: string;
}

export type InitDataCheck =
  | { ok: true; user: TelegramWebAppUser; authDate: Date }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "no-user" };

function signatureOf(pairs: Array<[string, string]>, botToken: string): Buffer {
  const lines = pairs
    .filter(([key]) => key !== "hash")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  return createHmac("sha256", secret).update(lines).digest();
}

/** Signs init data as Telegram does (tests, benchmarks and the screenshot script open the Mini App with it). */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const pairs = Object.entries(fields).filter(([key]) => key !== "hash");
  const hash = signatureOf(pairs, botToken).toString("hex");
  return new URLSearchParams([...pairs, ["hash", hash]]).toString();
}

export function checkInitData(initData: unknown, botToken: string, now: Date): InitDataCheck {
  if (typeof initData !== "string" || initData.length === 0 || initData.length > INIT_DATA_MAX_LENGTH) return { ok: false, reason: "malformed" };
  const pairs = [...new URLSearchParams(initData).entries()];
  const keys = new Set(pairs.map(([key]) => key));
  if (keys.size !== pairs.length) return { ok: false, reason: "malformed" }; // a repeated field is not Telegram's
  const hash = pairs.find(([key]) => key === "hash")?.[1] ?? "";
  if (!/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: "malformed" };
  if (!timingSafeEqual(Buffer.from(hash, "hex"), signatureOf(pairs, botToken))) return { ok: false, reason: "bad-signature" };

  const authDate = Number(pairs.find(([key]) => key === "auth_date")?.[1]);
  if (!Number.isInteger(authDate) || authDate <= 0) return { ok: false, reason: "malformed" };
  const age = now.getTime() / 1000 - authDate;
  if (age > INIT_DATA_MAX_AGE_SECONDS || age < -CLOCK_SKEW_SECONDS) return { ok: false, reason: "expired" };

  const userJson = pairs.find(([key]) => key === "user")?.[1];
  let user: unknown;
  try {
    user = userJson ? JSON.parse(userJson) : undefined;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const id = (user as { id?: unknown } | undefined)?.id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) return { ok: false, reason: "no-user" };
  const languageCode = (user as { language_code?: unknown }).language_code;
  return { ok: true, user: { id, ...(typeof languageCode === "string" ? { languageCode } : {}) }, authDate: new Date(authDate * 1000) };
}
