/**
 * Issue 16.6: failed authentication of the exchange API is limited per client address, in Redis
 * (shared by every api process): the 10th wrong token within 15 minutes closes the API to that
 * address, whatever it sends next; other addresses are not affected; a missing token is not counted.
 * Addresses come from X-Forwarded-For because the test's "proxy" (loopback) is trusted.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { AUTH_FAILURES_ALLOWED, registerExchangeApi } from "../../src/api/exchange";
import { createHttpServer } from "../../src/http/server";
import { createMetrics } from "../../src/metrics";
import { createSchool } from "../../src/services/schools";
import { useExchangeApp } from "../fixtures/exchange/harness";
import { listen } from "../support/http";

const api = useExchangeApp({ trustProxy: "loopback" });
const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
const wrongToken = (i: number) => `not-the-token-${i}-${"x".repeat(30)}`;

let token: string;
beforeAll(async () => {
  ({ token } = await createSchool({ name: "Гимназия" }));
});

test("ten wrong tokens close the API to that address, even for the right token; Retry-After says how long", async () => {
  for (let i = 0; i < AUTH_FAILURES_ALLOWED; i++) {
    expect((await api.put(wrongToken(i), "subjects", { items: [] }, from("203.0.113.5"))).statusCode).toBe(401);
  }
  const refused = await api.put(token, "subjects", { items: [] }, from("203.0.113.5"));
  expect(refused.statusCode).toBe(429);
  expect(refused.json()).toEqual({ error: expect.stringContaining("Too many failed authentications") });
  const retryAfter = Number(refused.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect((await api.put(wrongToken(99), "subjects", { items: [] }, from("203.0.113.5"))).statusCode).toBe(429);

  // Another address with the right token works, and its own wrong token is a plain 401.
  expect((await api.put(token, "subjects", { items: [] }, from("198.51.100.7"))).statusCode).toBe(200);
  expect((await api.put(wrongToken(1), "subjects", { items: [] }, from("198.51.100.7"))).statusCode).toBe(401);
});

test("the count lives in Redis: a second api process refuses the same address at once", async () => {
  for (let i = 0; i < AUTH_FAILURES_ALLOWED; i++) await api.put(wrongToken(i), "subjects", { items: [] }, from("192.0.2.44"));
  const second = createHttpServer({ logger: pino({ level: "silent" }), metrics: createMetrics(), health: [], trustProxy: "loopback" });
  registerExchangeApi(second, { config: { EXCHANGE_BODY_LIMIT_MB: 1, EXCHANGE_MAX_ITEMS: 10 }, logger: pino({ level: "silent" }), queues: api.queues });
  const server = await listen(second);
  try {
    const answer = await server.request("PUT", "/api/v1/subjects", {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-forwarded-for": "192.0.2.44" },
      body: JSON.stringify({ items: [] }),
    });
    expect(answer.status).toBe(429);
  } finally {
    await server.close();
  }
  const redis = new Redis(api.queues.redis.options);
  try {
    expect(await redis.keys(`${api.queues.prefix}:exchange-auth-failures:*192.0.2.44*`)).toHaveLength(1);
  } finally {
    redis.disconnect();
  }
});

test("requests without a token are refused but not counted (a probe is not a guess)", async () => {
  for (let i = 0; i < AUTH_FAILURES_ALLOWED + 5; i++) {
    expect((await api.put(undefined, "subjects", { items: [] }, from("192.0.2.90"))).statusCode).toBe(401);
  }
  expect((await api.put(token, "subjects", { items: [] }, from("192.0.2.90"))).statusCode).toBe(200);
});
