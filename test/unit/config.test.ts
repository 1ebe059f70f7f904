import { Writable } from "node:stream";
import pino from "pino";
import { ConfigError, loadConfig } from "../../src/config";
import { REDACTED_FIELDS } from "../../src/logger";

const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabc";

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("configuration", () => {
  test("a bot token alone is enough outside production, with defaults", () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN });
    expect(config).toMatchObject({
      NODE_ENV: "development",
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      HTTP_PORT: 3000,
      REDIS_PREFIX: "ed",
      // Loopback unless told: the reverse proxy with TLS faces the network.
      HTTP_HOST: "127.0.0.1",
      CODE_ALARM_THRESHOLD: 30,
      CODE_ALARM_WINDOW_MINUTES: 10,
      TRUST_PROXY: "loopback",
      DEFAULT_LOCALE: "ru",
      DEFAULT_TIMEZONE: "Europe/Moscow",
      ADMIN_TELEGRAM_IDS: [],
      EXCHANGE_BODY_LIMIT_MB: 10,
    });
    expect(config.MONGODB_URI).toBeUndefined();
    // MAX is off without its token; its API root has the platform's default.
    expect(config.MAX_BOT_TOKEN).toBeUndefined();
    expect(config.MAX_API_ROOT).toBe("https://platform-api2.max.ru");
    expect(config.codePepper.length).toBeGreaterThanOrEqual(16);
  });

  test("values are parsed and typed", () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, HTTP_PORT: "8080", ADMIN_TELEGRAM_IDS: "111, 222", DEFAULT_LOCALE: "en", CODE_PEPPER: "x".repeat(32) });
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.ADMIN_TELEGRAM_IDS).toEqual([111, 222]);
    expect(config.DEFAULT_LOCALE).toBe("en");
    expect(config.codePepper).toBe("x".repeat(32));
  });

  test.each([
    [{}, "Configuration error: BOT_TOKEN is required"],
    [{ BOT_TOKEN: "nonsense" }, "Configuration error: BOT_TOKEN does not look like a bot token"],
    [{ BOT_TOKEN: TOKEN, HTTP_PORT: "eighty" }, "Configuration error: HTTP_PORT must be a number"],
    [{ BOT_TOKEN: TOKEN, HTTP_PORT: "70000" }, "Configuration error: HTTP_PORT must be 1..65535"],
    [{ BOT_TOKEN: TOKEN, MONGODB_URI: "postgres://x" }, "Configuration error: MONGODB_URI must be a URL starting with mongodb:// or mongodb+srv://"],
    [{ BOT_TOKEN: TOKEN, REDIS_URL: "localhost:6379" }, "Configuration error: REDIS_URL must be a URL starting with redis:// or rediss://"],
    [{ BOT_TOKEN: TOKEN, REDIS_PREFIX: "ed:school 1" }, "Configuration error: REDIS_PREFIX must be 1..32 letters, digits, _ or -"],
    [{ BOT_TOKEN: TOKEN, ADMIN_TELEGRAM_IDS: "12,abc" }, "Configuration error: ADMIN_TELEGRAM_IDS must be comma-separated Telegram user ids"],
    [{ BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "de" }, "Configuration error: DEFAULT_LOCALE must be ru or en"],
    [{ BOT_TOKEN: TOKEN, DEFAULT_TIMEZONE: "Mars/Olympus" }, "Configuration error: DEFAULT_TIMEZONE is not an IANA time zone"],
    [{ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example.org/tg" }, "Configuration error: WEBHOOK_SECRET is required when WEBHOOK_URL is set"],
    [{ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example.org/tg", WEBHOOK_SECRET: "short" }, "Configuration error: WEBHOOK_SECRET must be 16..256 characters"],
    [{ BOT_TOKEN: TOKEN, NODE_ENV: "production" }, "Configuration error: MONGODB_URI is required in production"],
    [{ BOT_TOKEN: TOKEN, NODE_ENV: "production", MONGODB_URI: "mongodb://db/ed" }, "Configuration error: REDIS_URL is required in production"],
    [{ BOT_TOKEN: TOKEN, NODE_ENV: "staging" }, "Configuration error: NODE_ENV must be development, production or test"],
    [{ BOT_TOKEN: TOKEN, SMTP_URL: "smtp://mail.local:25" }, "Configuration error: SMTP_FROM is required when SMTP_URL is set"],
    [{ BOT_TOKEN: TOKEN, SMPP_URL: "smpp://school:secret@smsc.local:2775" }, "Configuration error: SMS_SOURCE is required when SMPP_URL is set"],
    [{ BOT_TOKEN: TOKEN, SMPP_URL: "http://smsc.local:2775", SMS_SOURCE: "School42" }, "Configuration error: SMPP_URL must be a URL starting with smpp:// or ssmpp://"],
    [{ BOT_TOKEN: TOKEN, SMPP_URL: "smpp://smsc.local:2775", SMS_SOURCE: "School42" }, "Configuration error: SMPP_URL must name the system_id and password"],
    [{ BOT_TOKEN: TOKEN, SMPP_URL: "smpp://school:secret@smsc.local:2775", SMS_SOURCE: "Школа 42" }, "Configuration error: SMS_SOURCE must be a sender name of up to 11 Latin letters"],
    [{ BOT_TOKEN: TOKEN, SMS_RATE_PER_SECOND: "0" }, "Configuration error: SMS_RATE_PER_SECOND must be 1..1000"],
    [{ BOT_TOKEN: TOKEN, MAX_BOT_TOKEN: "short" }, "Configuration error: MAX_BOT_TOKEN does not look like a MAX bot token"],
    [{ BOT_TOKEN: TOKEN, MAX_BOT_TOKEN: "f9LHodD0cOJZ0b30xpIJTabc", MAX_API_ROOT: "ftp://max.local" }, "Configuration error: MAX_API_ROOT must be a URL starting with https:// or http://"],
    [{ BOT_TOKEN: TOKEN, METRICS_TOKEN: "short" }, "Configuration error: METRICS_TOKEN must be 16..256 characters"],
    [{ BOT_TOKEN: TOKEN, CODE_ALARM_THRESHOLD: "0" }, "Configuration error: CODE_ALARM_THRESHOLD must be at least 1"],
    [{ BOT_TOKEN: TOKEN, CODE_ALARM_WINDOW_MINUTES: "many" }, "Configuration error: CODE_ALARM_WINDOW_MINUTES must be a number"],
    [{ BOT_TOKEN: TOKEN, TRUST_PROXY: "everyone" }, "Configuration error: TRUST_PROXY must be loopback, uniquelocal, linklocal"],
    [{ BOT_TOKEN: TOKEN, TRUST_PROXY: "10.0.0.0/33" }, "Configuration error: TRUST_PROXY must be loopback"],
    // Any database but the embedded one needs a real pepper, in every NODE_ENV.
    [{ BOT_TOKEN: TOKEN, MONGODB_URI: "mongodb://db/ed" }, "Configuration error: CODE_PEPPER is required when MONGODB_URI is set"],
    [{ BOT_TOKEN: TOKEN, NODE_ENV: "test", MONGODB_URI: "mongodb://db/ed" }, "Configuration error: CODE_PEPPER is required when MONGODB_URI is set"],
    [{ BOT_TOKEN: TOKEN, CODE_PEPPER: "development-only-pepper-change-me" }, "Configuration error: CODE_PEPPER must not be the published development value"],
    [{ BOT_TOKEN: TOKEN, NODE_ENV: "production", MONGODB_URI: "mongodb://db/ed", REDIS_URL: "redis://r:6379" }, "Configuration error: CODE_PEPPER is required in production"],
  ])("%j fails with one clear line", (env, line) => {
    const message = errorOf(env as Record<string, string>);
    expect(message.startsWith(line)).toBe(true);
    expect(message).not.toContain("\n");
  });

  test("production with everything set starts", () => {
    const config = loadConfig({
      BOT_TOKEN: TOKEN, NODE_ENV: "production", MONGODB_URI: "mongodb://db:27017/ed", REDIS_URL: "redis://redis:6379", CODE_PEPPER: "p".repeat(40),
    });
    expect(config.NODE_ENV).toBe("production");
  });

  test("command-line tools may run without BOT_TOKEN, but a malformed one still fails", () => {
    const config = loadConfig({ MONGODB_URI: "mongodb://127.0.0.1:27017/ed", CODE_PEPPER: "c".repeat(32) }, { requireBotToken: false });
    expect(config.BOT_TOKEN).toBe("");
    expect(config.MONGODB_URI).toBe("mongodb://127.0.0.1:27017/ed");
    expect(() => loadConfig({}, { requireBotToken: true })).toThrow("BOT_TOKEN is required");
    expect(() => loadConfig({ BOT_TOKEN: "nonsense" }, { requireBotToken: false })).toThrow("BOT_TOKEN does not look like a bot token");
  });

  test("CODE_PEPPER: the embedded database may use the development pepper; a database by URL and a command-line tool need their own", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).codePepper).toBe("development-only-pepper-change-me");
    expect(() => loadConfig({ MONGODB_URI: "mongodb://127.0.0.1:27017/ed" }, { requireBotToken: false })).toThrow("CODE_PEPPER is required when MONGODB_URI is set");
    expect(loadConfig({ BOT_TOKEN: TOKEN, MONGODB_URI: "mongodb://db/ed", CODE_PEPPER: "q".repeat(20) }).codePepper).toBe("q".repeat(20));
  });

  test("TRUST_PROXY: names, addresses and ranges, or none", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN, TRUST_PROXY: "uniquelocal" }).TRUST_PROXY).toBe("uniquelocal");
    expect(loadConfig({ BOT_TOKEN: TOKEN, TRUST_PROXY: "127.0.0.1, 172.16.0.0/12,fd00::/8" }).TRUST_PROXY).toBe("127.0.0.1, 172.16.0.0/12,fd00::/8");
    expect(loadConfig({ BOT_TOKEN: TOKEN, TRUST_PROXY: "none" }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ BOT_TOKEN: TOKEN, METRICS_TOKEN: "m".repeat(24) }).METRICS_TOKEN).toBe("m".repeat(24));
  });

  test("the error line never echoes the secret value", () => {
    const message = errorOf({ BOT_TOKEN: "secret-but-malformed" });
    expect(message).not.toContain("secret-but-malformed");
  });
});

describe("logger redaction", () => {
  test("personal fields are redacted at the top and nested", () => {
    const lines: string[] = [];
    const log = pino({ redact: { paths: REDACTED_FIELDS, censor: "[redacted]" } }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    log.info({ email: "a@b.ru", user: { fullName: "Иванова", id: 7 }, deep: { x: { code: "ABCD-EFGH-JK" } }, schoolId: "s1" }, "x");
    const out = lines.join("");
    expect(out).not.toMatch(/a@b\.ru|Иванова|ABCD-EFGH-JK/);
    expect(out).toContain('"id":7');
    expect(out).toContain('"schoolId":"s1"');
  });
});
