import { QueueEvents } from "bullmq";
import { createQueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { useTestRedis } from "../support/redis";

const redis = useTestRedis();

describe("queue plumbing", () => {
  test("a job added to a queue is processed by a worker from the same factory", async () => {
    const queues = createQueueFactory(redis.url, redis.prefix);
    const seen: unknown[] = [];
    queues.worker<{ n: number }>(QUEUES.events, async (job) => {
      seen.push(job.data.n);
      return job.data.n * 2;
    });
    const events = new QueueEvents(QUEUES.events, { connection: { url: redis.url } as never, prefix: redis.prefix });
    await events.waitUntilReady();
    const job = await queues.queue<{ n: number }>(QUEUES.events).add("test", { n: 21 });
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe(42);
    expect(seen).toEqual([21]);
    await events.close();
    await queues.close();
  });

  test("close() lets a running job finish before it returns", async () => {
    const queues = createQueueFactory(redis.url, redis.prefix);
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    queues.worker(QUEUES.deliveries, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    await queues.queue(QUEUES.deliveries).add("slow", {});
    await running;
    await queues.close();
    expect(finished).toBe(true);
  });

  test("the same jobId is one job (idempotent enqueue)", async () => {
    const queues = createQueueFactory(redis.url, redis.prefix);
    const queue = queues.queue(QUEUES.scheduled);
    await queue.add("x", { a: 1 }, { jobId: "same" });
    await queue.add("x", { a: 2 }, { jobId: "same" });
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    await queue.obliterate({ force: true });
    await queues.close();
  });
});
