import type { Context } from "grammy";
import type { i18n } from "i18next";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { Language, Translate } from "../i18n";
import type { TelegramAccountDocument } from "../db/models";

/** What the bot needs from the outside; tests pass their own (a test database, a fixed clock). */
export interface BotDeps {
  config: Config;
  logger: Logger;
  i18n: i18n;
  /** The current instant; tests freeze it. */
  now: () => Date;
  metrics?: Metrics;
}

export interface BotContextFlavor {
  deps: BotDeps;
  lang: Language;
  t: Translate;
  /** The sender's stored account, when they have one. */
  account: TelegramAccountDocument | null;
}

export type BotContext = Context & BotContextFlavor;
