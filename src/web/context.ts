/** What the web app needs from the outside, and what each request carries once it is known. */
import type { i18n } from "i18next";
import type { Redis } from "ioredis";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Language, Translate } from "../i18n";
import type { WebSessionDocument } from "../db/models";
import type { WebPerson } from "./auth/person";
import type { EmailChannel } from "../channels/email";
import type { DatabaseHealth } from "../runtime/db-health";
import type { BackgroundTasks } from "./tasks";
import type { QueueFactory } from "../queue/connection";

export interface WebDeps {
  config: Config;
  logger: Logger;
  i18n: i18n;
  /** The current instant; tests freeze it. */
  now: () => Date;
  /** Rate-limit counters shared by every process (absent: in this process's memory). */
  redis?: Redis;
  redisPrefix?: string;
  /** Requests a minute from one address to the pages (default 600: a school's parents behind one NAT). */
  pageRateLimit?: number;
  /** The e-mail channel (SMTP_URL): e-mail sign-in is offered only with it and WEB_URL. */
  mailer?: EmailChannel | null;
  /** Where requests leave work they do not wait for (absent: the app makes its own). */
  tasks?: BackgroundTasks;
  /** While MongoDB does not answer, pages say "temporarily unavailable" (503) instead of hanging. */
  database?: DatabaseHealth;
  /** The queues (the console's retry of a failed delivery); absent: no retry is offered. */
  queues?: Pick<QueueFactory, "queue">;
  /** The bot's @username for the printed code slips (getMe, cached); null when it cannot be known. */
  botUsername?: () => Promise<string | null>;
}

/** A signed-in request: the session and the person behind it. */
export interface Viewer {
  session: WebSessionDocument;
  person: WebPerson;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Null when nobody is signed in (or the session ended). */
    viewer: Viewer | null;
    lang: Language;
    t: Translate;
  }
}
