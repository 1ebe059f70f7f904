/**
 * pino, JSON to stderr (stdout stays free for CLI output). Personal data never goes into a log:
 * callers log ids, never names, phones, e-mails, codes or message texts; the redaction below is a
 * second line of defence for fields that could carry them.
 */
import pino from "pino";

export type Logger = pino.Logger;

export const REDACTED_FIELDS = [
  "*.text", "*.fullName", "*.first_name", "*.last_name", "*.username", "*.phone", "*.phone_number",
  "*.email", "*.code", "*.token", "*.password", "*.authorization", "*.headers.authorization",
  "req.headers.authorization", "req.headers[\"x-telegram-bot-api-secret-token\"]",
];

export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, redact: { paths: REDACTED_FIELDS, censor: "[redacted]" }, base: { pid: process.pid } }, pino.destination(2));
}
