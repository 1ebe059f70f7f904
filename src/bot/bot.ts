/**
 * createBot(deps) builds the grammY bot: the error boundary, the account/language middleware, the
 * features in order, and "unhandled" last. It does not start polling or set a webhook: main does.
 */
import { Bot, type Api, type RawApi } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { autoRetry } from "@grammyjs/auto-retry";
import type { BotContext, BotDeps } from "./context";
import type { BotFeature } from "./feature";
import { errorBoundary } from "./middleware/error-boundary";
import { accountMiddleware } from "./middleware/account";
import { startFeature } from "./features/start";
import { helpFeature } from "./features/help";
import { languageFeature } from "./features/language";
import { unhandledFeature } from "./features/unhandled";
import { LANGUAGES } from "../i18n";

export interface CreateBotOptions {
  /** Skips getMe at start-up (tests). */
  botInfo?: UserFromGetMe;
  /** Replaces the HTTP client's fetch (tests can record traffic). */
  fetch?: typeof fetch;
}

export function botFeatures(): BotFeature[] {
  const features: BotFeature[] = [startFeature, languageFeature];
  const help = helpFeature(() => [...features, help].flatMap((f) => f.commands ?? []));
  return [...features, help];
}

export function createBot(deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.config.BOT_TOKEN, {
    botInfo: options.botInfo,
    client: { apiRoot: deps.config.TELEGRAM_API_ROOT, ...(options.fetch ? { fetch: options.fetch as never } : {}) },
  });
  // Retries a 429 after its retry_after and 5xx a few times; long waits are left to the queue.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10 }));

  bot.use(errorBoundary(deps));
  bot.use(accountMiddleware(deps));
  for (const feature of botFeatures()) bot.use(feature.composer);
  bot.use(unhandledFeature.composer);

  bot.catch((error) => {
    deps.logger.error({ updateId: error.ctx.update.update_id, err: { type: error.error instanceof Error ? error.error.name : "unknown" } }, "unhandled bot error");
  });
  return bot;
}

/** Telegram's command menu, once per language (the default one in ru, and en for English users). */
export async function registerCommands(api: Api<RawApi>, deps: BotDeps): Promise<void> {
  const commands = botFeatures().flatMap((f) => f.commands ?? []);
  for (const lang of LANGUAGES) {
    const t = deps.i18n.getFixedT(lang);
    const list = commands.map((command) => ({ command, description: t(`commands.${command}`) }));
    await api.setMyCommands(list, { language_code: lang });
    if (lang === deps.config.DEFAULT_LOCALE) await api.setMyCommands(list);
  }
}
