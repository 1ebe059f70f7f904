/**
 * Invite codes as people see and type them: the alphabet (no look-alikes), the grouped display
 * form, forgiving normalization of what a parent types on a phone, the peppered hash that is the
 * only thing stored, and the masked name a guardian sees before confirming a link. Pure: the random
 * source is passed in.
 */
import { surnameInitialOf } from "./format";
import { createHmac } from "node:crypto";

/** 31 characters: digits and Latin capitals without 0/O, 1/I/L (they look alike on paper). */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/** 31^10 ≈ 8·10^14 codes: guessing one within the lockout limits is hopeless. */
export const CODE_LENGTH = 10;

// Cyrillic letters that look like Latin ones: a Russian keyboard types these for "A", "B", "C", ...
const CYRILLIC_LOOKALIKES: Record<string, string> = {
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", Р: "P", С: "C", Т: "T", Х: "X", У: "Y",
};

/** A random code from `randomInt(max)` (an integer in [0, max)); the service passes crypto.randomInt. */
export function generateCode(randomInt: (max: number) => number, length = CODE_LENGTH): string {
  let code = "";
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Groups of four for reading and printing: "ABCD-EFGH-JK". */
export function formatCode(code: string): string {
  return (code.match(/.{1,4}/g) ?? []).join("-");
}

/** Upper case, without spaces, dashes, dots or underscores, Cyrillic look-alikes as Latin. */
export function normalizeCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s\-_.·—–]/g, "")
    .replace(/[АВЕКМНРСТХУ]/g, (ch) => CYRILLIC_LOOKALIKES[ch] ?? ch);
}

/** Whether a normalized string has the shape of a code (so that a typo in a name is not an "attempt"). */
export function isWellFormedCode(normalized: string): boolean {
  if (normalized.length !== CODE_LENGTH) return false;
  for (const ch of normalized) if (!CODE_ALPHABET.includes(ch)) return false;
  return true;
}

/** HMAC-SHA256(pepper, normalized code), hex: stored instead of the code. */
export function hashCode(pepper: string, normalized: string): string {
  return createHmac("sha256", pepper).update(normalized, "utf8").digest("hex");
}

/**
 * "Иванова Мария Петровна" → "Иванова М.": enough for a parent to recognise their child, little
 * for anyone else. A single word stays as it is.
 */
export const maskName = surnameInitialOf;

/** An e-mail for display without revealing it all: "anna.petrova@mail.ru" → "a***@mail.ru". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

/** A phone for display without revealing it: "+79161234567" → "+7•••••••67". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 5) return "•••";
  return `+${digits[0]}${"•".repeat(digits.length - 3)}${digits.slice(-2)}`;
}

/**
 * A phone as Telegram or a paper form gives it ("79161234567", "+7 916 ...", "8 (916) ...") to the
 * stored form "+79161234567". Russian trunk prefix 8 and ten-digit mobile numbers become +7.
 */
export function normalizePhone(input: string): string {
  let digits = input.replace(/\D/g, "");
  if (digits.length === 11 && digits.startsWith("8")) digits = `7${digits.slice(1)}`;
  else if (digits.length === 10 && digits.startsWith("9") && !input.trim().startsWith("+")) digits = `7${digits}`;
  return `+${digits}`;
}
