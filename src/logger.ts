/**
 * pino, JSON to stderr (stdout stays free for CLI output). Personal data never goes into a log:
 * callers log ids, never names, phones, e-mails, codes or message texts; the redaction below is a
 * second line of defence for fields that could carry them.
 */
import pino from "pino";

export type Logger = pino.Logger;

const SENSITIVE_KEYS = ["text", "fullName", "first_name", "last_name", "username", "phone", "phone_number", "email", "code", "token", "password", "authorization"];

/** The keys at the top, one and two levels down (pino's paths have no deep wildcard). */
export const REDACTED_FIELDS = [
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  "req.headers.authorization", "req.headers[\"x-telegram-bot-api-secret-token\"]",
];

export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, redact: { paths: REDACTED_FIELDS, censor: "[redacted]" }, base: { pid: process.pid } }, pino.destination(2));
}
