/**
 * createBot(deps) builds the grammY bot: the error boundary, one update at a time per chat, the
 * account/language middleware, session and dialog state (MongoDB), the dialogs, the features in
 * order, and "unhandled" last. It does not start polling or set a webhook: main does.
 */
import { Bot, type Api, type MiddlewareFn, type RawApi } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { telegramRetry } from "../channels/telegram-retry";
import { sequentialize } from "@grammyjs/runner";
import type { BotContext, BotDeps } from "./context";
import type { BotFeature } from "./feature";
import { errorBoundary } from "./middleware/error-boundary";
import { accountMiddleware } from "./middleware/account";
import { privateChatsOnly } from "./middleware/private-chats";
import { throttleMiddleware } from "./middleware/throttle";
import { databaseGuard } from "./middleware/database-guard";
import { dialogsMiddleware, privateChatKey, sessionMiddleware } from "./session";
import { startFeature } from "./features/start";
import { linkFeature } from "./features/link";
import { consentGateFeature, onboardingDialogs } from "./features/onboarding";
import { privacyFeature } from "./features/privacy";
import { settingsDialogs, settingsFeature } from "./features/settings";
import { codesFeature } from "./features/codes";
import { paperConsentDialogs, paperConsentFeature } from "./features/paper-consent";
import { adminFeature } from "./features/admin";
import { recommendDialogs, recommendFeature } from "./features/recommend";
import { broadcastDialogs, broadcastFeature } from "./features/broadcast";
import { deliveriesFeature } from "./features/deliveries";
import { printoutsFeature } from "./features/printouts";
import { consentsFeature } from "./features/consents";
import { reportsFeature } from "./features/reports";
import { helpFeature } from "./features/help";
import { languageFeature } from "./features/language";
import { webFeature } from "./features/web";
import { chartFeature } from "./features/chart";
import { unhandledFeature } from "./features/unhandled";
import { viewFeatures } from "./features/views";
import { LANGUAGES } from "../i18n";

export interface CreateBotOptions {
  /** Skips getMe at start-up (tests). */
  botInfo?: UserFromGetMe;
  /** Replaces the HTTP client's fetch (tests can record traffic). */
  fetch?: typeof fetch;
}

export function botFeatures(): BotFeature[] {
  const features: BotFeature[] = [
    startFeature,
    linkFeature,
    languageFeature,
    webFeature,
    privacyFeature,
    settingsFeature,
    codesFeature,
    paperConsentFeature,
    adminFeature,
    // Staff tools of the notifier: teachers' recommendations, admin broadcasts, failed deliveries.
    recommendFeature,
    broadcastFeature,
    deliveriesFeature,
    // Paper and reports for staff: weekly printouts with their hand-over, the classes' consent status, the school's reports.
    printoutsFeature,
    consentsFeature,
    reportsFeature,
    // Everything below shows a child's data: the gate asks for a changed consent text first.
    consentGateFeature,
    // The diary views, their buttons, "more", and free-text questions (takes any text left).
    chartFeature,
    ...viewFeatures(),
  ];
  const help = helpFeature(() => [...features, help].flatMap((f) => f.commands ?? []));
  return [...features, help];
}

/**
 * The dialogs (conversations). They run before the features so that a dialog in progress sees the
 * user's next message first; commands, menu buttons and other buttons pass through (dialog.ts).
 */
export function botDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [...onboardingDialogs(deps), ...settingsDialogs(deps), ...paperConsentDialogs(deps), ...recommendDialogs(deps), ...broadcastDialogs(deps)];
}

export function createBot(deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.config.BOT_TOKEN, {
    botInfo: options.botInfo,
    client: { apiRoot: deps.config.TELEGRAM_API_ROOT, ...(options.fetch ? { fetch: options.fetch as never } : {}) },
  });
  // 429s after their retry_after, 5xx and network errors with backoff, bounded (src/channels/telegram-retry.ts).
  // Every ctx.api inherits it; dialogs install it on their own Api (dialog-api.ts).
  bot.api.config.use(telegramRetry({ onRetry: (event) => deps.logger.info(event, "telegram asked to wait") }));

  bot.use(errorBoundary(deps));
  // A flood is answered once and ignored before it queues behind the chat's other updates or reads the database.
  bot.use(throttleMiddleware(deps));
  // MongoDB away: "temporarily unavailable" at once, rather than an update that hangs until it is back.
  bot.use(databaseGuard(deps));
  // The runner handles updates concurrently; one chat's updates must not race over its dialog state.
  bot.use(sequentialize<BotContext>((ctx) => privateChatKey(ctx) ?? ctx.chat?.id.toString()));
  // Groups and channels: said once, then left; no feature sees them.
  bot.use(privateChatsOnly(deps));
  bot.use(accountMiddleware(deps));
  bot.use(sessionMiddleware());
  bot.use(dialogsMiddleware(deps));
  for (const dialog of botDialogs(deps)) bot.use(dialog);
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
