/**
 * The real bot and the real worker together: the bot harness (fake Bot API, test database) with
 * queues on the test's Redis prefix, and a notifier sending through the same fake Bot API, so that
 * what the bot hands to the worker (recommendations, broadcasts, alerts) reaches the chats.
 */
import pino from "pino";
import { createI18n } from "../../src/i18n";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { startNotifier, type Notifier } from "../../src/queue/notifier";
import { startBotHarness, type BotHarness } from "./bot-harness";

export interface BotWithWorker {
  h: BotHarness;
  queues: QueueFactory;
  notifier: Notifier;
  stop(): Promise<void>;
}

export async function startBotWithWorker(redis: { url: string; prefix: string }, options: Parameters<typeof startBotHarness>[0] = {}): Promise<BotWithWorker> {
  const h = await startBotHarness(options);
  const queues = createQueueFactory(redis.url, redis.prefix);
  h.deps.queues = queues;
  const notifier = await startNotifier({
    config: { BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot, SMTP_URL: undefined, SMTP_FROM: undefined },
    logger: pino({ level: "silent" }),
    i18n: createI18n("ru"),
    queues,
    schedulers: false,
  });
  return {
    h,
    queues,
    notifier,
    async stop() {
      await notifier.stop();
      await queues.close();
      await h.stop();
    },
  };
}
