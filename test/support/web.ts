/**
 * The web cabinet on loopback for tests (and the benchmark and screenshot scripts): the service's
 * real HTTP server with the /app/ plugin, the test database, a movable clock, and a small client
 * that keeps cookies and signs in as Telegram would (init data signed with the test bot token).
 */
import { Writable } from "node:stream";
import { createHttpServer } from "../../src/http/server";
import { createMetrics } from "../../src/metrics";
import { createLogger } from "../../src/logger";
import { createI18n } from "../../src/i18n";
import { loadConfig, type Config } from "../../src/config";
import { registerWebApp } from "../../src/web/app";
import type { WebDeps } from "../../src/web/context";
import { signInitData } from "../../src/web/auth/telegram-init-data";
import { createEmailChannel } from "../../src/channels/email";
import { createBackgroundTasks } from "../../src/web/tasks";
import { WebSession } from "../../src/db/models";
import { cookiePolicy, hashToken, randomToken, SESSION_IDLE_MS, SESSION_MAX_MS } from "../../src/web/session";
import type { Types } from "mongoose";
import { TEST_BOT_TOKEN } from "./bot-harness";

export interface WebServer {
  url: string;
  config: Config;
  deps: WebDeps;
  logs: string[];
  setNow(at: Date): void;
  /** Waits for the work requests left running (the e-mail sign-in's mail). */
  idle(): Promise<void>;
  client(): WebClient;
  close(): Promise<void>;
}

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export interface WebClient {
  cookies: Map<string, string>;
  get(path: string, headers?: Record<string, string>): Promise<WebResponse>;
  /** A form POST from our own origin (as a browser sends it), unless `headers` say otherwise. */
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<WebResponse>;
  /** A multipart/form-data POST from our own origin (a form with a file input), as a browser sends it. */
  postMultipart(path: string, form: FormData, headers?: Record<string, string>): Promise<WebResponse>;
  /** Signs in as a Mini App opened by this Telegram user would. */
  signInTelegram(telegramId: number, options?: { authDate?: Date; languageCode?: string }): Promise<WebResponse>;
}

export function miniAppInitData(telegramId: number, authDate: Date, languageCode = "ru", token = TEST_BOT_TOKEN): string {
  return signInitData(
    {
      query_id: "AAH-test",
      user: JSON.stringify({ id: telegramId, first_name: "Test", language_code: languageCode, allows_write_to_pm: true }),
      auth_date: String(Math.floor(authDate.getTime() / 1000)),
    },
    token,
  );
}

export interface StartWebOptions {
  now?: Date;
  env?: Record<string, string>;
  pageRateLimit?: number;
  redis?: WebDeps["redis"];
  redisPrefix?: string;
  /** The queues (the console's retry of a failed delivery). */
  queues?: WebDeps["queues"];
  /** E-mail through this SMTP server (test/support/smtp.ts); WEB_URL then becomes the server's own address. */
  smtpUrl?: string;
}

export async function startWeb(options: StartWebOptions = {}): Promise<WebServer> {
  const smtp = options.smtpUrl ? { SMTP_URL: options.smtpUrl, SMTP_FROM: "school@example.org" } : {};
  const config = loadConfig({ BOT_TOKEN: TEST_BOT_TOKEN, NODE_ENV: "test", ...smtp, ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let now = options.now ?? new Date();
  const logger = createLogger("info", sink);
  const http = createHttpServer({ logger, metrics: createMetrics(), health: [] });
  const mailer = createEmailChannel(config.SMTP_URL, config.SMTP_FROM);
  const tasks = createBackgroundTasks(logger);
  const deps: WebDeps = {
    config, logger, i18n: createI18n(config.DEFAULT_LOCALE), now: () => now, pageRateLimit: options.pageRateLimit, redis: options.redis, redisPrefix: options.redisPrefix, mailer, tasks, queues: options.queues,
  };
  // The links in e-mails point at WEB_URL; the port is known only after listening (set below).
  if (mailer) (config as { WEB_URL?: string }).WEB_URL = "http://127.0.0.1";
  await registerWebApp(http, deps);
  const url = (await http.listen({ port: 0, host: "127.0.0.1" })).replace("localhost", "127.0.0.1");
  if (mailer) (config as { WEB_URL?: string }).WEB_URL = url;

  function client(): WebClient {
    const cookies = new Map<string, string>();
    async function send(method: string, path: string, body: string | FormData | undefined, headers: Record<string, string>): Promise<WebResponse> {
      const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const response = await fetch(url + path, {
        method,
        body,
        redirect: "manual",
        headers: { connection: "close", ...(cookie ? { cookie } : {}), ...headers },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(";");
        const [name, ...rest] = pair.split("=");
        const value = rest.join("=");
        const expired = attrs.some((a) => /^\s*max-age=0/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
        if (expired || value === "") cookies.delete(name.trim());
        else cookies.set(name.trim(), value);
      }
      return { status: response.status, headers: response.headers, text: await response.text(), location: response.headers.get("location") };
    }
    return {
      cookies,
      get: (path, headers = {}) => send("GET", path, undefined, headers),
      post: (path, form, headers = {}) =>
        send("POST", path, new URLSearchParams(form).toString(), { "content-type": "application/x-www-form-urlencoded", origin: url, ...headers }),
      postMultipart: (path, form, headers = {}) => send("POST", path, form, { origin: url, ...headers }),
      signInTelegram(telegramId, opts = {}) {
        const initData = miniAppInitData(telegramId, opts.authDate ?? now, opts.languageCode);
        return send("POST", "/app/auth/telegram", new URLSearchParams({ initData, next: "/app/" }).toString(), { "content-type": "application/x-www-form-urlencoded", origin: url });
      },
    };
  }

  return {
    url,
    config,
    deps,
    logs,
    setNow(at) {
      now = at;
    },
    client,
    idle: () => tasks.idle(),
    async close() {
      await tasks.idle();
      await http.close();
      mailer?.close();
    },
  };
}

/** The CSRF token of the first form on a page. */
/** A client of `server` signed in with the Mini App's Telegram data as this user (the sign-in must answer 303). */
export async function signedInAs(server: WebServer, telegramId: number): Promise<WebClient> {
  const client = server.client();
  const answer = await client.signInTelegram(telegramId);
  if (answer.status !== 303) throw new Error(`sign-in of ${telegramId} answered ${answer.status}, not 303`);
  return client;
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF token on the page");
  return match[1];
}

/** The page's text without tags (entities decoded), whitespace collapsed. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A session cookie for an account, made straight in the database as a sign-in would make it (for
 * the benchmark: many sessions from one address would meet the sign-in rate limit).
 */
export async function sessionCookieFor(server: WebServer, accountId: Types.ObjectId, at: Date): Promise<string> {
  const token = randomToken();
  await WebSession.create({
    tokenHash: hashToken(token), accountId, via: "telegram", csrfToken: randomToken(24), language: "ru",
    lastSeenAt: at, expiresAt: new Date(at.getTime() + SESSION_IDLE_MS), absoluteExpiresAt: new Date(at.getTime() + SESSION_MAX_MS),
  });
  return `${cookiePolicy(server.config.WEB_URL).sessionName}=${token}`;
}
