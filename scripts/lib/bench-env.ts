/**
 * What the benchmarks share: their options, the time limit, MongoDB and Redis started as in the
 * tests (a database and a key prefix of their own, removed at the end), and the exchange API on
 * loopback with a client that PUTs items.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import mongoose from "mongoose";
import pino, { type Logger } from "pino";
import { Redis } from "ioredis";
import { registerExchangeApi } from "../../src/api/exchange";
import { allModels } from "../../src/db/models";
import { createHttpServer } from "../../src/http/server";
import { createMetrics } from "../../src/metrics";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { startTestMongo, startTestRedis } from "../../test/support/services";

/** `--name N` on the command line: a positive whole number, `fallback` when not given. */
export function wholeArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

/** The value at fraction `p` (0..1) of an ascending list: `percentile(sorted, 0.95)` is the p95. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Ends the process after `limitMs` whatever it is doing (a benchmark must stop by itself). */
export function stopAfter(label: string, limitMs: number): void {
  const guard = setTimeout(() => {
    console.error(`${label}: stopped after ${limitMs / 60000} minutes`);
    process.exit(1);
  }, limitMs);
  guard.unref();
}

/** Runs a benchmark's main and turns its failure into one line on stderr and exit code 1. */
export function runBench(label: string, main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

export interface BenchServices {
  mongo: Awaited<ReturnType<typeof startTestMongo>>;
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  queues: QueueFactory;
  /** The database of this run (a worker in another process connects to it: scripts/lib/bench-worker.ts). */
  dbName: string;
  /** Closes the queues, drops the database and the Redis keys, stops MongoDB and Redis. */
  stop(): Promise<void>;
}

/**
 * MongoDB and Redis for one run, mongoose connected to a fresh database with its indexes built,
 * queues under a fresh key prefix. `standInNote` is printed when MongoDB is the stand-in.
 */
export async function startBenchServices(standInNote: string): Promise<BenchServices> {
  const mongo = await startTestMongo();
  const redis = await startTestRedis();
  const dbName = `bench_${randomBytes(4).toString("hex")}`;
  const prefix = `bench-${randomBytes(4).toString("hex")}`;
  console.log(`MongoDB: ${mongo.description}; Redis: ${redis.description}`);
  if (mongo.description.includes("stand-in")) console.log(standInNote);
  await mongoose.connect(mongo.uri, { dbName, monitorCommands: true });
  await Promise.all(allModels.map((model) => model.init()));
  const queues = createQueueFactory(redis.url, prefix);
  return {
    mongo,
    redis,
    queues,
    dbName,
    async stop() {
      await queues.close();
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
      const client = new Redis(redis.url);
      const keys = await client.keys(`${prefix}*`);
      if (keys.length) await client.del(...keys);
      client.disconnect();
      await redis.stop();
      await mongo.stop();
    },
  };
}

export interface BenchApi {
  app: FastifyInstance;
  logger: Logger;
  /** "http://127.0.0.1:<port>/api/v1" */
  base: string;
}

/** The exchange API (10 MB bodies, up to `maxItems` items a request) listening on loopback. */
export async function startExchangeApi(queues: QueueFactory, maxItems: number): Promise<BenchApi> {
  const logger = pino({ level: "silent" });
  const app = createHttpServer({ logger, metrics: createMetrics(), health: [], bodyLimitBytes: 10 * 1024 * 1024 });
  registerExchangeApi(app, { config: { EXCHANGE_BODY_LIMIT_MB: 10, EXCHANGE_MAX_ITEMS: maxItems }, logger, queues });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, logger, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1` };
}

export interface PutResult {
  created: number;
  updated: number;
  unchanged: number;
}

/** `PUT {base}/{resource}` as the school with this token; anything but 200 throws. */
export function exchangePut(base: string, token: string, options: { notify?: boolean } = {}) {
  const query = options.notify === false ? "?notify=false" : "";
  return async (resource: string, items: unknown[]): Promise<PutResult> => {
    const response = await fetch(`${base}/${resource}${query}`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ items }) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${resource}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as PutResult;
  };
}
