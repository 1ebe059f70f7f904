/**
 * The worker role: the three BullMQ workers of the notifier and their schedulers. Any number of
 * processes may run it; every limit and every piece of state that matters is in Redis or MongoDB.
 */
import type { i18n } from "i18next";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { createTelegramChannel, type TelegramChannel } from "../channels/telegram";
import { createEmailChannel, type EmailChannel } from "../channels/email";
import { createSmsChannel, type SmsChannel } from "../channels/sms";
import { redisSmsProgress } from "../channels/sms-progress";
import { createMaxChannel, type MaxChannel } from "../channels/max";
import { useChannels } from "../services/notify/channels";
import { applySmsReceipt } from "../services/notify/sms-receipts";
import type { NotifyEnv } from "../services/notify/env";
import type { QueueFactory } from "./connection";
import { deliveryProcessor, type EngineDeps } from "./delivery-engine";
import { BATCH_CONCURRENCY, batchProcessor } from "./delivery-batch";
import { eventsProcessor } from "./events-processor";
import { scheduledProcessor, sweepOutbox } from "./scheduled-processor";
import { startRedisWatch, type RedisWatch } from "./redis-watch";
import { registerAllSchedulers } from "./schedulers";
import { Api } from "grammy";
import { BACKGROUND_RETRY, telegramRetry } from "../channels/telegram-retry";
import { QUEUES } from "./names";
import type { Pacing } from "./rate-limits";
import { limitHeapGrowth } from "../runtime/heap";

export interface NotifierOptions {
  config: Pick<Config, "BOT_TOKEN" | "TELEGRAM_API_ROOT" | "SMTP_URL" | "SMTP_FROM"> &
    Partial<Pick<Config, "DEFAULT_LOCALE" | "SMPP_URL" | "SMS_SOURCE" | "SMS_RATE_PER_SECOND" | "WEB_URL" | "MAX_BOT_TOKEN" | "MAX_API_ROOT">>;
  logger: Logger;
  i18n: i18n;
  queues: QueueFactory;
  now?: () => Date;
  pacing?: Pacing;
  /** Concurrent delivery jobs per process: most of a job's time is waiting for Telegram and the pacing slot. */
  concurrency?: number;
  /** Replace the channels (tests of the engine itself). */
  telegram?: TelegramChannel;
  email?: EmailChannel | null;
  /** The MAX bot's channel (tests: a client of the fake MAX API); default from MAX_BOT_TOKEN. */
  max?: MaxChannel | null;
  /** Options of the SMSC session beyond the configuration (tests: short timeouts and backoffs). */
  smsOptions?: Partial<Parameters<typeof createSmsChannel>[0]>;
  onSent?: EngineDeps["onSent"];
  on429?: EngineDeps["on429"];
  /** false: do not register the job schedulers (tests that drive the jobs by hand); also leaves out the Redis watch. */
  schedulers?: boolean;
  /** How often the watch checks that Redis still has its work (src/queue/redis-watch.ts). */
  redisWatchIntervalMs?: number;
}

export interface Notifier {
  env: NotifyEnv;
  stop(): Promise<void>;
}

/**
 * The printouts job sends a few documents to teachers: a 429 or a 5xx there waits in place
 * (the background policy of telegram-retry.ts), and when that gives up the job's own retry follows.
 */
export function printoutApi(config: Pick<Config, "BOT_TOKEN" | "TELEGRAM_API_ROOT">, logger: Logger): Api {
  const api = new Api(config.BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT });
  api.config.use(telegramRetry({ policy: BACKGROUND_RETRY, onRetry: (event) => logger.warn(event, "telegram asked to wait (printouts)") }));
  return api;
}

/** BullMQ's limiter caps jobs started per second across all workers (Telegram allows about 30 a second). */
export const DELIVERY_LIMITER = { max: 30, duration: 1000 };

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const { queues, logger } = options;
  // The worker's planning leaves much short-lived heap behind: keep the heap near what is alive.
  limitHeapGrowth();
  const env: NotifyEnv = {
    deliveries: queues.queue(QUEUES.deliveries),
    bulk: queues.queue(QUEUES.bulk),
    scheduled: queues.queue(QUEUES.scheduled),
    events: queues.queue(QUEUES.events),
    redis: queues.redis,
    prefix: queues.prefix,
    now: options.now ?? (() => new Date()),
    logger,
  };
  const email = options.email !== undefined ? options.email : createEmailChannel(options.config.SMTP_URL, options.config.SMTP_FROM);
  const telegram = options.telegram ?? createTelegramChannel(options.config.BOT_TOKEN, options.config.TELEGRAM_API_ROOT);
  const { SMPP_URL, SMS_SOURCE, SMS_RATE_PER_SECOND } = options.config;
  // One bound transceiver session per worker process (src/channels/sms.ts); bound on the first SMS.
  const sms: SmsChannel | null = SMPP_URL && SMS_SOURCE ? createSmsChannel({ url: SMPP_URL, source: SMS_SOURCE, ratePerSecond: SMS_RATE_PER_SECOND, logger, progress: redisSmsProgress(queues.redis, queues.prefix), ...options.smsOptions }) : null;
  const { MAX_BOT_TOKEN, MAX_API_ROOT } = options.config;
  const max: MaxChannel | null = options.max !== undefined ? options.max : MAX_BOT_TOKEN && MAX_API_ROOT ? createMaxChannel(MAX_BOT_TOKEN, MAX_API_ROOT) : null;
  useChannels({ SMPP_URL, SMS_SOURCE, MAX_BOT_TOKEN });
  // "unknown": no record has the id yet; the channel holds the receipt until one has (sms.ts).
  sms?.onReceipt(async (receipt) => (await applySmsReceipt({ queue: env.deliveries, logger, now: env.now }, receipt)) !== "unknown");
  const engine: EngineDeps = {
    queue: env.deliveries,
    redis: queues.redis,
    prefix: queues.prefix,
    telegram,
    max,
    email,
    sms,
    smsRatePerSecond: SMS_RATE_PER_SECOND,
    webUrl: options.config.WEB_URL,
    i18n: options.i18n,
    logger,
    now: env.now,
    pacing: options.pacing,
    onSent: options.onSent,
    on429: options.on429,
  };
  const workers = [
    queues.worker(QUEUES.deliveries, deliveryProcessor(engine), { concurrency: options.concurrency ?? 20, limiter: DELIVERY_LIMITER }),
    // Few batch jobs at a time: each keeps Telegram busy on its own; finals keep their own queue and workers.
    queues.worker(QUEUES.bulk, batchProcessor(engine), { concurrency: BATCH_CONCURRENCY }),
    queues.worker(QUEUES.events, eventsProcessor(env), { concurrency: 4 }),
    queues.worker(QUEUES.scheduled, scheduledProcessor(env, {
      api: printoutApi(options.config, logger),
      ...(max ? { max } : {}),
      i18n: options.i18n,
      logger,
      language: options.config.DEFAULT_LOCALE,
      now: env.now,
    }), { concurrency: 2 }),
  ];
  for (const worker of workers) {
    worker.on("failed", (job, error) => logger.warn({ queue: worker.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: { message: error.message } }, "job attempt failed"));
    worker.on("error", (error) => logger.error({ queue: worker.name, err: { message: error.message } }, "worker error"));
  }
  const restoreSchedulers = () => registerAllSchedulers(env.scheduled);
  let watch: RedisWatch | undefined;
  if (options.schedulers !== false) {
    await restoreSchedulers();
    watch = startRedisWatch({ env, logger, restoreSchedulers, sweepOutbox: () => sweepOutbox(env, 0), intervalMs: options.redisWatchIntervalMs });
    void watch.check().catch((error: unknown) => logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "first check of the queues against MongoDB failed"));
  }
  logger.info({ concurrency: options.concurrency ?? 20, email: !!email, sms: !!sms, max: !!max }, "notifier started");
  return {
    env,
    async stop() {
      await watch?.stop();
      await Promise.all(workers.map((w) => w.close()));
      email?.close();
      await sms?.close();
    },
  };
}
