/**
 * The per-user throttle (issue #16.4): a flood is answered once and the rest ignored; two bot
 * processes share the count through Redis; after a quiet pause the person is answered as usual;
 * a Redis that does not answer lets updates through.
 */
import pino from "pino";
import { Redis } from "ioredis";
import { createUpdateThrottle, type ThrottleSettings } from "../../src/bot/middleware/throttle";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { texts } from "./onboarding-support";

useTestDb();
const redis = useTestRedis();
const SETTINGS: Partial<ThrottleSettings> = { limit: 5, windowMs: 60_000, quietMs: 1_500 };
const FLOOD = "Слишком много сообщений подряд";

describe("per-user throttle", () => {
  let first: BotHarness;
  let second: BotHarness;
  const clients: Redis[] = [];
  beforeAll(async () => {
    first = await startBotHarness();
    second = await startBotHarness();
    // Two bot processes: each its own Redis connection and throttle, one key prefix.
    for (const h of [first, second]) {
      const client = new Redis(redis.url);
      clients.push(client);
      h.deps.throttle = createUpdateThrottle({ redis: client, prefix: redis.prefix, logger: pino({ level: "silent" }), settings: SETTINGS });
    }
  });
  afterAll(async () => {
    await Promise.all([first.stop(), second.stop()]);
    for (const c of clients) c.disconnect();
  });

  test("a flood gets one answer; everything after it is ignored, buttons included", async () => {
    const user = first.user();
    const answered: string[] = [];
    for (let i = 0; i < 12; i++) answered.push(texts(await user.send(`сообщение ${i} ${"x".repeat(2000)}`)));
    expect(answered.slice(0, 5).every((t) => t.includes("Я пока не понял вопрос"))).toBe(true);
    expect(answered[5]).toContain(FLOOD);
    expect(answered.slice(6)).toEqual(["", "", "", "", "", ""]);
    expect(await user.press("lang:en")).toEqual([]);
    expect(user.callbackAnswers()).toEqual([]);
  });

  test("two bot processes share the count", async () => {
    const onFirst = first.user();
    const onSecond = second.user({ id: onFirst.profile.id });
    for (let i = 0; i < 3; i++) expect(texts(await onFirst.send("привет"))).toContain("Я пока не понял вопрос");
    for (let i = 0; i < 2; i++) expect(texts(await onSecond.send("привет"))).toContain("Я пока не понял вопрос");
    expect(texts(await onSecond.send("привет"))).toContain(FLOOD);
    expect(await onFirst.send("привет")).toEqual([]);
    // Another person is not affected.
    expect(texts(await first.user().send("привет"))).toContain("Я пока не понял вопрос");
  });

  test("after a pause of quietMs the person is answered as usual; a flood that goes on stays ignored", async () => {
    const user = first.user();
    for (let i = 0; i < 6; i++) await user.send("привет");
    // Still flooding half-way through the quiet period: the mark is extended.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await user.send("привет")).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(texts(await user.send("/help"))).toContain("Что умеет бот");
  });

  test("a Redis that does not answer lets updates through", async () => {
    const dead = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => 200 });
    dead.connect().catch(() => undefined);
    const saved = first.deps.throttle;
    first.deps.throttle = createUpdateThrottle({ redis: dead, prefix: redis.prefix, logger: pino({ level: "silent" }), settings: { ...SETTINGS, timeoutMs: 200 } });
    try {
      const user = first.user();
      for (let i = 0; i < 7; i++) expect(texts(await user.send("/help"))).toContain("Что умеет бот");
    } finally {
      first.deps.throttle = saved;
      dead.disconnect();
    }
  });
});
