/** Per-test-file Redis: a client and a key prefix of its own; keys under the prefix are removed afterwards. */
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error("TEST_REDIS_URL is not set: run tests through jest (its global setup sets it)");
  return url;
}

export function useTestRedis(): { prefix: string; url: string } {
  const state = { prefix: `test-${randomBytes(5).toString("hex")}`, url: "" };
  beforeAll(() => {
    state.url = testRedisUrl();
  });
  afterAll(async () => {
    const client = new Redis(state.url);
    const keys = await client.keys(`${state.prefix}*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  });
  return state;
}
