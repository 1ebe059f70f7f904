/**
 * The service's configuration: every environment variable, validated in one place. A bad value
 * stops start-up with one line naming the variable (ConfigError), never a stack trace.
 */
import { isIP } from "node:net";
import { z } from "zod";

export const ROLES = ["all", "bot", "worker", "api"] as const;
export type Role = (typeof ROLES)[number];

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => p + "//").join(" or ")}`);

const port = z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be 1..65535").max(65535, "must be 1..65535");

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const botToken = z
  .string({ error: "is required (the token @BotFather gave you)" })
  .trim()
  .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "does not look like a bot token (digits:letters, from @BotFather)");

/** A fixed pepper for the embedded database only; any other database needs CODE_PEPPER (checked below). */
const DEVELOPMENT_PEPPER = "development-only-pepper-change-me";

/** Command-line tools never talk to Telegram: they may run without BOT_TOKEN (it is then ""). */
const makeSchema = (requireBotToken: boolean) => z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"], { error: "must be development, production or test" }).default("development"),
    BOT_TOKEN: requireBotToken ? botToken : botToken.optional().transform((v) => v ?? ""),
    TELEGRAM_API_ROOT: url(["https:", "http:"]).default("https://api.telegram.org"),
    MONGODB_URI: url(["mongodb:", "mongodb+srv:"]).optional(),
    REDIS_URL: url(["redis:", "rediss:"]).optional(),
    /** The first part of every Redis key (queues, pacing, rate limits): services sharing one Redis keep apart by it. */
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1..32 letters, digits, _ or -").default("ed"),
    HTTP_PORT: port.default(3000),
    // Loopback by default: the reverse proxy with TLS (docker-compose.yml: Caddy) faces the network.
    HTTP_HOST: z.string().trim().min(1).default("127.0.0.1"),
    /** Bearer token for /metrics; without it /metrics answers only direct loopback requests. */
    METRICS_TOKEN: z.string().regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, "must be 16..256 characters without spaces (a random secret)").optional(),
    /** Addresses of reverse proxies whose X-Forwarded-For is believed (Fastify's trustProxy). */
    TRUST_PROXY: z
      .string()
      .trim()
      .default("loopback")
      .refine((v) => ["false", "none"].includes(v) || v.split(",").every((part) => isProxyAddress(part.trim())), "must be loopback, uniquelocal, linklocal, IP addresses or CIDR ranges (comma-separated), or none")
      .transform((v): string | false => (["false", "none"].includes(v) ? false : v)),
    WEBHOOK_URL: url(["https:", "http:"]).optional(),
    /** Public base URL of the web cabinet (served under /app/): the Mini App button and sign-in links use it. */
    WEB_URL: url(["https:", "http:"])
      .refine((v) => { const u = new URL(v); return u.pathname === "/" && !u.search && !u.hash && !u.username; }, "must be the site's base URL without a path (e.g. https://diary.school42.ru): the cabinet is served under /app/")
      .transform((v) => new URL(v).origin)
      .optional(),
    WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16..256 characters of A-Z, a-z, 0-9, _ and -")
      .optional(),
    ADMIN_TELEGRAM_IDS: z
      .string()
      .default("")
      .refine((v) => v.split(",").every((id) => id.trim() === "" || /^\d+$/.test(id.trim())), "must be comma-separated Telegram user ids (numbers)")
      .transform((v) =>
        v
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean)
          .map(Number),
      ),
    DEFAULT_LOCALE: z.enum(["ru", "en"], { error: "must be ru or en" }).default("ru"),
    DEFAULT_TIMEZONE: z
      .string()
      .default("Europe/Moscow")
      .refine(isTimeZone, "is not an IANA time zone (e.g. Europe/Moscow)"),
    CODE_PEPPER: z.string().min(16, "must be at least 16 characters (a random secret)").optional(),
    /** Wrong invite codes, across all users, within the window that alert the admins. */
    CODE_ALARM_THRESHOLD: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").default(30),
    CODE_ALARM_WINDOW_MINUTES: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be 1..1440").max(1440, "must be 1..1440").default(10),
    SMTP_URL: url(["smtp:", "smtps:"]).optional(),
    SMTP_FROM: z.string().trim().email("must be an e-mail address").optional(),
    /** The operator's SMSC: smpp://<system_id>:<password>@host:port (ssmpp:// for TLS). Without it SMS is off. */
    SMPP_URL: url(["smpp:", "ssmpp:"]).refine((v) => new URL(v).username !== "" && new URL(v).hostname !== "", "must name the system_id and password: smpp://<system_id>:<password>@host:port").optional(),
    /** The sender: an alphanumeric name (up to 11 Latin letters/digits) the operator registered, or a number. */
    SMS_SOURCE: z.string().trim().regex(/^(?:[A-Za-z0-9 ._-]{1,11}|\+?\d{3,15})$/, "must be a sender name of up to 11 Latin letters and digits, or a phone number").optional(),
    SMS_RATE_PER_SECOND: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be 1..1000").max(1000, "must be 1..1000").default(10),
    /** The MAX messenger bot's token (business.max.ru → Чат-боты → Интеграция). Without it the MAX front end and channel are off. */
    MAX_BOT_TOKEN: z.string().trim().regex(/^[A-Za-z0-9_\-.:]{16,256}$/, "does not look like a MAX bot token (16..256 letters, digits, _ - . :)").optional(),
    /** MAX Bot API base URL; tests point it at a local fake. */
    MAX_API_ROOT: url(["https:", "http:"]).transform((v) => v.replace(/\/+$/, "")).default("https://platform-api2.max.ru"),
    EXCHANGE_BODY_LIMIT_MB: z.coerce.number({ error: "must be a number" }).positive("must be positive").max(100, "must be at most 100").default(10),
    EXCHANGE_MAX_ITEMS: z.coerce.number({ error: "must be a number" }).int().positive("must be positive").default(5000),
    DATA_DIR: z.string().trim().min(1).default("./data"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be a pino level (info, debug, ...)" }).default("info"),
    EMBEDDED_SERVICES: bool.default(true),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    if (production && !env.MONGODB_URI) ctx.addIssue({ code: "custom", path: ["MONGODB_URI"], message: "is required in production" });
    if (production && !env.REDIS_URL) ctx.addIssue({ code: "custom", path: ["REDIS_URL"], message: "is required in production" });
    if (production && !env.CODE_PEPPER) ctx.addIssue({ code: "custom", path: ["CODE_PEPPER"], message: "is required in production" });
    // The development pepper is public: codes hashed with it in a real database could be found offline.
    else if (env.MONGODB_URI && !env.CODE_PEPPER) {
      ctx.addIssue({ code: "custom", path: ["CODE_PEPPER"], message: "is required when MONGODB_URI is set (only the embedded database may use the development pepper)" });
    }
    if (env.CODE_PEPPER === DEVELOPMENT_PEPPER) ctx.addIssue({ code: "custom", path: ["CODE_PEPPER"], message: "must not be the published development value: set a random secret" });
    if (env.WEBHOOK_URL && !env.WEBHOOK_SECRET) ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "is required when WEBHOOK_URL is set" });
    if (production && env.WEBHOOK_URL && !env.WEBHOOK_URL.startsWith("https:")) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "must be https:// in production (Telegram only calls https webhooks)" });
    }
    // Telegram opens Mini Apps only over https, and session cookies must travel encrypted.
    if (production && env.WEB_URL && !env.WEB_URL.startsWith("https:")) {
      ctx.addIssue({ code: "custom", path: ["WEB_URL"], message: "must be https:// in production (Telegram opens Mini Apps only over https)" });
    }
    if (env.SMPP_URL && !env.SMS_SOURCE) ctx.addIssue({ code: "custom", path: ["SMS_SOURCE"], message: "is required when SMPP_URL is set" });
    if (production && env.MAX_BOT_TOKEN && !env.MAX_API_ROOT.startsWith("https:")) {
      ctx.addIssue({ code: "custom", path: ["MAX_API_ROOT"], message: "must be https:// in production (the token travels in every request)" });
    }
    if (env.SMTP_URL && !env.SMTP_FROM) ctx.addIssue({ code: "custom", path: ["SMTP_FROM"], message: "is required when SMTP_URL is set" });
  });

function isProxyAddress(value: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(value)) return true;
  const [address, bits, extra] = value.split("/");
  const version = isIP(address);
  if (!version || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const schema = makeSchema(true);
const schemaWithoutBotToken = makeSchema(false);

export type Config = z.infer<typeof schema> & { codePepper: string };

export interface LoadConfigOptions {
  /** False for the command-line tools: BOT_TOKEN may be absent (config.BOT_TOKEN is then ""). */
  requireBotToken?: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = (options.requireBotToken === false ? schemaWithoutBotToken : schema).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "configuration");
    const message = issue.code === "invalid_type" && input[name] === undefined ? "is required" : issue.message;
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : "";
    throw new ConfigError(`Configuration error: ${name} ${message}${more}`);
  }
  return { ...parsed.data, codePepper: parsed.data.CODE_PEPPER ?? DEVELOPMENT_PEPPER };
}
