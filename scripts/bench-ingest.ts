/**
 * `npm run bench:ingest [-- --grades 100000 --students 1000 --batch 5000]`: loads grades through the
 * real exchange API (Fastify on loopback, MongoDB and Redis started for the run as in the tests) and
 * prints items/s for validation alone and for whole requests, a re-send of the same batches (nothing
 * to write: it must be faster), and the process's peak memory. Stops by itself (limit: 20 minutes).
 */
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import pino from "pino";
import { Redis } from "ioredis";
import { registerExchangeApi } from "../src/api/exchange";
import { allModels } from "../src/db/models";
import { createHttpServer } from "../src/http/server";
import { createMetrics } from "../src/metrics";
import { createQueueFactory } from "../src/queue/connection";
import { createSchool } from "../src/services/schools";
import { validateSection } from "../src/services/exchange/validate";
import { startTestMongo, startTestRedis } from "../test/support/services";
import { benchDirectory, benchGrades, chunks } from "./lib/bench-data";

const LIMIT_MS = 20 * 60_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const rate = (items: number, ms: number) => `${Math.round((items / ms) * 1000).toLocaleString("en")} items/s`;

async function main(): Promise<void> {
  const total = arg("grades", 100_000);
  const students = arg("students", 1_000);
  const batch = arg("batch", 5_000);
  const guard = setTimeout(() => {
    console.error(`bench:ingest: stopped after ${LIMIT_MS / 60000} minutes`);
    process.exit(1);
  }, LIMIT_MS);
  guard.unref();

  const mongo = await startTestMongo();
  const redis = await startTestRedis();
  const dbName = `bench_${randomBytes(4).toString("hex")}`;
  const prefix = `bench-${randomBytes(4).toString("hex")}`;
  console.log(`MongoDB: ${mongo.description}; Redis: ${redis.description}`);
  if (mongo.description.includes("stand-in")) {
    console.log("note: the stand-in (Python, mongomock) is far slower than mongod, so whole-request figures measure it more than the service; set MONGODB_URI (TEST_MONGO=uri) to a real MongoDB for production numbers");
  }
  await mongoose.connect(mongo.uri, { dbName });
  await Promise.all(allModels.map((model) => model.init()));
  const queues = createQueueFactory(redis.url, prefix);
  const logger = pino({ level: "silent" });
  const app = createHttpServer({ logger, metrics: createMetrics(), health: [], bodyLimitBytes: 10 * 1024 * 1024 });
  registerExchangeApi(app, { config: { EXCHANGE_BODY_LIMIT_MB: 10, EXCHANGE_MAX_ITEMS: batch }, logger, queues });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1`;
  try {
    const { token } = await createSchool({ name: "Бенчмарк" });
    const put = async (resource: string, items: unknown[]) => {
      const response = await fetch(`${base}/${resource}?notify=false`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ items }) });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`${resource}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      return body as { created: number; updated: number; unchanged: number };
    };
    const directory = benchDirectory(students);
    for (const [resource, items] of Object.entries(directory)) for (const part of chunks(items, batch)) await put(resource, part);

    const grades = benchGrades(total, students);
    const batches = chunks(grades, batch);
    console.log(`${total.toLocaleString("en")} grades for ${students.toLocaleString("en")} students in ${batches.length} batches of ${batch}`);

    let started = performance.now();
    for (const part of batches) if (validateSection("grades", part, "items").errors.length) throw new Error("the generated grades are invalid");
    console.log(`validation alone:          ${rate(total, performance.now() - started)}`);

    started = performance.now();
    let created = 0;
    for (const part of batches) created += (await put("grades", part)).created;
    const firstMs = performance.now() - started;
    console.log(`first load (whole request): ${rate(total, firstMs)}  (${(firstMs / 1000).toFixed(1)} s, ${created} created)`);

    started = performance.now();
    let unchanged = 0;
    for (const part of batches) unchanged += (await put("grades", part)).unchanged;
    const againMs = performance.now() - started;
    console.log(`re-send (nothing to write): ${rate(total, againMs)}  (${(againMs / 1000).toFixed(1)} s, ${unchanged} unchanged)`);
    console.log(`re-send faster than the first load: ${againMs < firstMs ? "yes" : "NO"} (${(firstMs / againMs).toFixed(1)}x)`);
    console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    if (created !== total || unchanged !== total || againMs >= firstMs) process.exitCode = 1;
  } finally {
    await app.close();
    await queues.close();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    const client = new Redis(redis.url);
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
    await redis.stop();
    await mongo.stop();
  }
}

main().catch((error) => {
  console.error(`bench:ingest: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
