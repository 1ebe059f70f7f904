import type { AccessSnapshot } from "../services/access-snapshot";
import type { Context, LazySessionFlavor } from "grammy";
import type { ConversationFlavor } from "@grammyjs/conversations";
import type { i18n } from "i18next";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { Language, Translate } from "../i18n";
import type { AccountDocument } from "../db/models";
import type { QueueFactory } from "../queue/connection";
import type { CodeAlarm } from "../services/code-alarm";
import type { UpdateThrottle } from "./middleware/throttle";
import type { SessionData } from "./session";
import type { DatabaseHealth } from "../runtime/db-health";

/** What the bot needs from the outside; tests pass their own (a test database, a fixed clock). */
export interface BotDeps {
  config: Config;
  logger: Logger;
  i18n: i18n;
  /** The current instant; tests freeze it. */
  now: () => Date;
  metrics?: Metrics;
  /** Queues for work handed to the worker (recommendations, broadcasts); absent: the outbox sweep picks it up. */
  queues?: Pick<QueueFactory, "queue">;
  /** Counts wrong invite codes across all users and alerts the admins (absent: no alarm). */
  codeAlarm?: CodeAlarm;
  /** The per-user flood throttle shared through Redis (absent: none; tests of other things). */
  throttle?: UpdateThrottle;
  /** Whether MongoDB answers (absent: assumed up); while down, updates get "temporarily unavailable". */
  database?: Pick<DatabaseHealth, "up">;
}

export interface BotContextFlavor {
  deps: BotDeps;
  lang: Language;
  t: Translate;
  /** The sender's stored account, when they have one. */
  account: AccountDocument | null;
  /**
   * What the account could see when this update arrived (read with the account in one round trip:
   * src/services/access-snapshot.ts): the consent gate and the data views use it; code that changes
   * links or consent asks src/services/access.ts again.
   */
  access?: AccessSnapshot | null;
}

/**
 * The context of the bot's middleware: ours, the lazy session (`await ctx.session`, private chats
 * only) and `ctx.conversation` to enter or leave dialogs (src/bot/session.ts, src/bot/dialog.ts).
 */
export type BotContext = ConversationFlavor<Context & BotContextFlavor & LazySessionFlavor<SessionData>>;
