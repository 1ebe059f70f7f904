import mongoose from "mongoose";
import { Redis } from "ioredis";
import pino from "pino";
import { createHttpServer } from "../../src/http/server";
import { createMetrics } from "../../src/metrics";
import { useTestDb } from "../support/db";
import { testRedisUrl } from "../support/redis";
import { listen } from "../support/http";

useTestDb();

describe("HTTP server", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(() => redis.disconnect());

  function server(checks: Parameters<typeof createHttpServer>[0]["health"]) {
    return createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: checks });
  }

  test("/healthz is 200 when MongoDB and Redis answer", async () => {
    const app = server([
      { name: "mongodb", check: () => mongoose.connection.db!.admin().ping() },
      { name: "redis", check: () => redis.ping() },
    ]);
    const http = await listen(app);
    const response = await http.request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: "ok", mongodb: "up", redis: "up" });
    await app.close();
  });

  test("/healthz is 503 naming what is down (a dead Redis, a hanging check)", async () => {
    // A client whose connection has gone, as when the Redis server dies.
    const dead = new Redis(testRedisUrl(), { maxRetriesPerRequest: 0, retryStrategy: () => null });
    await dead.quit();
    const app = server([
      { name: "mongodb", check: () => mongoose.connection.db!.admin().ping() },
      { name: "redis", check: () => dead.ping() },
      { name: "slow", check: () => new Promise((resolve) => setTimeout(resolve, 2500).unref()) },
    ]);
    const http = await listen(app);
    const response = await http.request("GET", "/healthz");
    expect(response.status).toBe(503);
    expect(response.json()).toEqual({ status: "down: redis, slow", mongodb: "up", redis: "down", slow: "down" });
    await app.close();
  });

  test("/metrics serves Prometheus text", async () => {
    const metrics = createMetrics();
    metrics.botUpdates.inc({ type: "message" });
    const app = createHttpServer({ logger: pino({ level: "silent" }), metrics, health: [] });
    const http = await listen(app);
    const response = await http.request("GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(response.text).toContain('ed_bot_updates_total{type="message"} 1');
    expect(response.text).toContain("ed_process_resident_memory_bytes");
    await app.close();
  });

  test("unknown routes and failures answer JSON, never a stack trace", async () => {
    const app = server([]);
    app.get("/boom", async () => {
      throw new Error("secret internals");
    });
    const http = await listen(app);
    const missing = await http.request("GET", "/nope?x=1");
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: "Not found: GET /nope" });
    const boom = await http.request("GET", "/boom");
    expect(boom.status).toBe(500);
    expect(boom.json()).toEqual({ error: "Internal server error" });
    await app.close();
  });
});
