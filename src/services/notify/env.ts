import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger";

/** What the notifier's use cases need from the process: queues, Redis, a clock, a logger. */
export interface NotifyEnv {
  deliveries: Queue;
  /** Batch jobs of broadcasts and forecasts (QUEUES.bulk); absent: one job per message on `deliveries`. */
  bulk?: Queue;
  scheduled: Queue;
  events: Queue;
  redis: Redis;
  /** The BullMQ key prefix; the notifier's own Redis keys live under `<prefix>:notify:`. */
  prefix: string;
  now: () => Date;
  logger: Logger;
}
