/**
 * Starts the roles of one process (bot, worker, api, or all) over shared MongoDB, Redis and HTTP,
 * and stops them in order: stop taking work, finish what is running, close connections.
 */
import mongoose from "mongoose";
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Config, Role } from "./config";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import { createI18n } from "./i18n";
import { createHttpServer } from "./http/server";
import { registerWebhook } from "./http/webhook";
import { registerExchangeApi } from "./api/exchange";
import { botUsernameOf, registerWebApp } from "./web/app";
import { createBackgroundTasks } from "./web/tasks";
import { createEmailChannel } from "./channels/email";
import { createQueueFactory } from "./queue/connection";
import { startNotifier } from "./queue/notifier";
import { QUEUES } from "./queue/names";
import { createCodeAlarm } from "./services/code-alarm";
import { useChannels } from "./services/notify/channels";
import { resolveMongo, resolveRedis, safeUrl } from "./runtime/embedded";
import { watchDatabase } from "./runtime/db-health";
import { connectDatabase } from "./db/connect";
import { createBot, registerCommands } from "./bot/bot";
import { createUpdateThrottle } from "./bot/middleware/throttle";
import { registerWebAppButton } from "./bot/features/web";
import type { BotDeps } from "./bot/context";
import { startMaxFrontEnd } from "./max";

export interface RunningService {
  stop(): Promise<void>;
  httpPort: number;
}

export async function startService(config: Config, role: Role, logger: Logger): Promise<RunningService> {
  const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
  const has = (r: Role) => role === "all" || role === r;
  // Every role agrees on the deployment's channels (planning, the persons' modes, the settings screens).
  useChannels(config);

  const mongo = await resolveMongo(config, logger);
  stops.unshift({ name: "embedded mongo", stop: mongo.stop });
  const redis = await resolveRedis(config, logger);
  stops.unshift({ name: "embedded redis", stop: redis.stop });
  logger.info({ role }, `using ${mongo.description} and ${redis.description}`);

  await connectDatabase(mongo.url);
  stops.unshift({ name: "mongoose", stop: () => mongoose.disconnect() });
  const queues = createQueueFactory(redis.url, config.REDIS_PREFIX, (source, error) => logger.warn({ source, err: { message: error.message } }, "redis connection error"));
  stops.unshift({ name: "queues", stop: () => queues.close() });

  // One watch for every front door (the bot, the exchange API, the web pages): while MongoDB does not
  // answer, each says so at once instead of letting requests wait on it.
  const database = watchDatabase(() => mongoose.connection.db!.admin().ping(), {
    onChange: (up) => logger[up ? "info" : "warn"](up ? "MongoDB answers again" : "MongoDB does not answer: updates get 'temporarily unavailable', the exchange API and the pages 503"),
  });
  stops.push({ name: "database watch", stop: async () => database.stop() });

  const metrics = createMetrics();
  const http = createHttpServer({
    logger,
    metrics,
    // Fastify's default (1 MiB) for every route; the exchange API and the webhook set their own.
    metricsToken: config.METRICS_TOKEN,
    trustProxy: config.TRUST_PROXY,
    health: [
      { name: "mongodb", check: () => mongoose.connection.db!.admin().ping() },
      { name: "redis", check: () => queues.redis.ping() },
    ],
  });

  // (api role) the exchange API routes are registered here.
  if (has("api")) registerExchangeApi(http, { config, logger, queues, database });
  // (api role) the web cabinet and Telegram Mini App under /app/ (src/web/).
  if (has("api")) {
    const mailer = createEmailChannel(config.SMTP_URL, config.SMTP_FROM);
    const tasks = createBackgroundTasks(logger);
    // Stopped before MongoDB: a sign-in e-mail being sent finishes first.
    stops.unshift({ name: "web", stop: async () => { await tasks.idle(); mailer?.close(); } });
    await registerWebApp(http, {
      config, logger, i18n: createI18n(config.DEFAULT_LOCALE), now: () => new Date(), redis: queues.redis, redisPrefix: queues.prefix, mailer, tasks, database,
      botUsername: botUsernameOf(config.BOT_TOKEN, config.TELEGRAM_API_ROOT), queues,
    });
  }

  // (worker role) the notifier: delivery engine, domain events, schedulers (src/queue/notifier.ts).
  if (has("worker")) {
    const notifier = await startNotifier({ config, logger, i18n: createI18n(config.DEFAULT_LOCALE), queues });
    stops.unshift({ name: "notifier", stop: () => notifier.stop() });
  }

  let runner: RunnerHandle | undefined;
  const afterListen: Array<() => Promise<void>> = [];
  if (has("bot")) {
    const codeAlarm = createCodeAlarm({
      redis: queues.redis, prefix: queues.prefix, deliveries: queues.queue(QUEUES.deliveries), logger, bootstrapAdmins: config.ADMIN_TELEGRAM_IDS,
      settings: { threshold: config.CODE_ALARM_THRESHOLD, windowMs: config.CODE_ALARM_WINDOW_MINUTES * 60_000 },
    });
    const throttle = createUpdateThrottle({ redis: queues.redis, prefix: queues.prefix, logger });
    const deps: BotDeps = { config, logger, i18n: createI18n(config.DEFAULT_LOCALE), now: () => new Date(), metrics, queues, codeAlarm, throttle, database };
    const bot = createBot(deps);
    await bot.init();
    await registerCommands(bot.api, deps);
    await registerWebAppButton(bot.api, deps);
    if (config.WEBHOOK_URL) {
      const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret } = config;
      registerWebhook(http, bot, { path: new URL(url).pathname, secret: secret! });
      // Telegram may call at once, so the webhook is set only after the server listens.
      afterListen.push(async () => {
        await bot.api.setWebhook(url, { secret_token: secret });
        logger.info({ webhook: safeUrl(url) }, "bot receives updates by webhook");
      });
    } else {
      await bot.api.deleteWebhook();
      runner = run(bot);
      logger.info("bot receives updates by long polling");
    }
    // The MAX messenger front end (MAX_BOT_TOKEN; off without it): stopped with the bot, finishing its update.
    const max = startMaxFrontEnd({ config, logger, codeAlarm });
    if (max) stops.unshift({ name: "max polling", stop: () => max.stop() });
  }

  await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  for (const step of afterListen) await step();
  // Stopped first: no new updates or requests, in-flight ones are finished.
  stops.unshift({ name: "http", stop: () => http.close() });
  if (runner) {
    const handle = runner;
    stops.unshift({ name: "bot runner", stop: () => (handle.isRunning() ? handle.stop() : Promise.resolve()) });
  }
  const address = http.server.address();
  const httpPort = typeof address === "object" && address ? address.port : config.HTTP_PORT;
  logger.info({ role, httpPort }, "service started");

  return {
    httpPort,
    async stop() {
      for (const { name, stop } of stops) {
        try {
          await stop();
        } catch (error) {
          logger.warn({ component: name, err: { message: error instanceof Error ? error.message : String(error) } }, "error while stopping");
        }
      }
    },
  };
}
