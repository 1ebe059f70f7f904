import mongoose from "mongoose";
import { Redis } from "ioredis";
import pino from "pino";
import { createHttpServer, isLoopback } from "../../src/http/server";
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

  test("/metrics without METRICS_TOKEN: only a direct loopback request, never one through a proxy", async () => {
    const app = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: [], trustProxy: "loopback" });
    const http = await listen(app);
    expect((await http.request("GET", "/metrics")).status).toBe(200);
    // A reverse proxy on the same host connects from loopback too: its visitors are not local.
    const viaProxy: Array<Record<string, string>> = [{ "x-forwarded-for": "203.0.113.9" }, { forwarded: "for=203.0.113.9" }];
    for (const headers of viaProxy) {
      const proxied = await http.request("GET", "/metrics", { headers });
      expect(proxied.status).toBe(403);
      expect(proxied.json()).toEqual({ error: "/metrics answers only on loopback; set METRICS_TOKEN to scrape it from elsewhere" });
    }
    await app.close();
  });

  test("/metrics with METRICS_TOKEN wants it as a bearer token", async () => {
    const metricsToken = "scrape-me-with-this-secret-42";
    const app = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: [], metricsToken });
    const http = await listen(app);
    expect((await http.request("GET", "/metrics")).status).toBe(401);
    expect((await http.request("GET", "/metrics", { headers: { authorization: "Bearer wrong-secret-of-the-same-len" } })).status).toBe(401);
    const ok = await http.request("GET", "/metrics", { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("ed_process_resident_memory_bytes");
    await app.close();
  });

  test.each([
    ["127.0.0.1", true], ["127.4.5.6", true], ["::1", true], ["::ffff:127.0.0.1", true],
    ["10.0.0.5", false], ["::ffff:10.0.0.5", false], ["172.18.0.3", false], ["2001:db8::1", false], ["", false], [undefined, false],
  ])("isLoopback(%j) = %j", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
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
