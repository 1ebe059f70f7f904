/**
 * The one place that makes BullMQ queues and workers. All share the process's Redis URL and key
 * prefix; workers need their own blocking connection (BullMQ's rule: maxRetriesPerRequest null).
 */
import { Queue, Worker, type Processor, type WorkerOptions, type QueueOptions } from "bullmq";
import { Redis } from "ioredis";
import type { QueueName } from "./names";

export interface QueueFactory {
  queue<T = unknown>(name: QueueName, options?: Partial<QueueOptions>): Queue<T>;
  worker<T = unknown>(name: QueueName, processor: Processor<T>, options?: Partial<WorkerOptions>): Worker<T>;
  /** A plain client for the service's own keys (rate-limit counters, locks). */
  redis: Redis;
  prefix: string;
  /** Closes workers first (they finish their running jobs), then queues, then connections. */
  close(): Promise<void>;
}

export function createQueueFactory(redisUrl: string, prefix = "ed"): QueueFactory {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];
  return {
    redis,
    prefix,
    queue<T>(name: QueueName, options?: Partial<QueueOptions>) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, { connection: redis, prefix, ...options });
        queues.set(name, queue);
      }
      return queue as Queue<T>;
    },
    worker<T>(name: QueueName, processor: Processor<T>, options?: Partial<WorkerOptions>) {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      workerConnections.push(connection);
      const worker = new Worker<T>(name, processor, {
        connection,
        prefix,
        ...options,
      });
      workers.push(worker as Worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      await Promise.all(workerConnections.map((c) => c.quit().catch(() => undefined)));
      await redis.quit().catch(() => undefined);
    },
  };
}
