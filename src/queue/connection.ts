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

/** Where connection errors go (Redis restarting, failing over): one line per source every 10 s at most. */
export type ConnectionErrorSink = (source: string, error: Error) => void;

function throttled(sink: ConnectionErrorSink | undefined): ConnectionErrorSink {
  const last = new Map<string, number>();
  return (source, error) => {
    const now = Date.now();
    if (now - (last.get(source) ?? 0) < 10_000) return;
    last.set(source, now);
    sink?.(source, error);
  };
}

/**
 * `onError` hears connection errors of every queue, worker and client (without a listener BullMQ
 * and ioredis print them to the console); commands wait for the connection to come back.
 */
export function createQueueFactory(redisUrl: string, prefix = "ed", onError?: ConnectionErrorSink): QueueFactory {
  const report = throttled(onError);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on("error", (error: Error) => report("redis", error));
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
        queue.on("error", (error: Error) => report(`queue ${name}`, error));
        queues.set(name, queue);
      }
      return queue as Queue<T>;
    },
    worker<T>(name: QueueName, processor: Processor<T>, options?: Partial<WorkerOptions>) {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      connection.on("error", (error: Error) => report(`worker ${name}`, error));
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
