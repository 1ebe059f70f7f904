/**
 * pino, JSON to stderr (stdout stays free for CLI output). Personal data never goes into a log:
 * callers log ids — account ids, never Telegram user or chat ids — and never names, phones,
 * e-mails, codes or message texts; the redaction below is a second line of defence for fields that
 * could carry them. Stack traces only at debug or trace level: a stack repeats the error's message
 * and shows the code's layout, neither of which belongs in a production log.
 */
import pino from "pino";

export type Logger = pino.Logger;

const SENSITIVE_KEYS = [
  "text", "fullName", "first_name", "last_name", "username", "phone", "phone_number", "email", "code", "token", "password", "authorization",
  // Telegram identifies a person by these: logs name accounts by their own id instead.
  "telegramId", "userId", "chatId", "from", "chat",
];

/** The keys at the top, one and two levels down (pino's paths have no deep wildcard). */
export const REDACTED_FIELDS = [
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  "req.headers.authorization", "req.headers[\"x-telegram-bot-api-secret-token\"]",
];

const STACK_LEVELS = new Set(["debug", "trace"]);

/** An error as a log field: its class and message; the stack only where `withStack`. */
export function errorFields(error: unknown, withStack: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  return { type: error.name, message: error.message, ...(withStack && error.stack ? { stack: error.stack } : {}) };
}

/** Removes `stack` from the log object and the objects inside it (two levels, as the redaction). */
function withoutStacks(object: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (key === "stack") {
      copy ??= { ...object };
      delete copy[key];
    } else if (depth < 2 && value && typeof value === "object" && !Array.isArray(value)) {
      const inner = withoutStacks(value as Record<string, unknown>, depth + 1);
      if (inner !== value) (copy ??= { ...object })[key] = inner;
    }
  }
  return copy ?? object;
}

export function createLogger(level = process.env.LOG_LEVEL ?? "info", destination: pino.DestinationStream = pino.destination(2)): Logger {
  const stacks = STACK_LEVELS.has(level);
  return pino(
    {
      level,
      redact: { paths: REDACTED_FIELDS, censor: "[redacted]" },
      base: { pid: process.pid },
      serializers: { err: (error: unknown) => (error instanceof Error ? errorFields(error, stacks) : error) },
      formatters: stacks ? {} : { log: (object) => withoutStacks(object) },
    },
    destination,
  );
}
