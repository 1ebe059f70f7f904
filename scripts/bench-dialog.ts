/**
 * Benchmark of a junk flood into a dialog (issue #16.4). Run: `npm run bench:dialog [-- --messages 300 --bytes 2048]`.
 *
 * A new user opens /start, agrees to the consent and is asked for the invite code; then sends
 * `--messages` texts of `--bytes` bytes that are not codes. The real bot handles each update (the
 * fake Bot API answers in process; MongoDB and Redis as in the tests). Printed for each run:
 * the stored dialog state (bytes of its JSON) and the time to handle one update, at checkpoints,
 * and where the dialog ended. Two runs: without the throttle (the dialog's own limits alone) and
 * with the Redis throttle of a real deployment. Before the limits, 300 such messages left 0.9 MB of
 * state and took 20 → 600 ms per update; both must now stay flat.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import type { Update } from "grammy/types";
import { createBot } from "../src/bot/bot";
import type { BotDeps } from "../src/bot/context";
import { createUpdateThrottle } from "../src/bot/middleware/throttle";
import { loadConfig } from "../src/config";
import { School, Session } from "../src/db/models";
import { createI18n } from "../src/i18n";
import { FakeTelegram } from "../test/support/fake-telegram";
import { runBench, startBenchServices, stopAfter, wholeArg } from "./lib/bench-env";

interface Sample {
  message: number;
  ms: number;
  stateBytes: number;
  replies: number;
}

const CHECKPOINTS = [1, 2, 4, 5, 6, 10, 50, 100, 200, 300, 500, 1000];

async function flood(label: string, deps: BotDeps, fake: FakeTelegram, userId: number, messages: number, bytes: number): Promise<void> {
  const bot = createBot(deps, { botInfo: fake.me as never });
  const user = { id: userId, first_name: "Bench", language_code: "ru" };
  const school = await School.findOne({}, { _id: 1 }).lean();
  await bot.handleUpdate(fake.injectMessage(user, "/start"));
  await bot.handleUpdate(fake.injectCallback(user, `cs:yes:${school!._id}`) as Update);
  const junk = (i: number) => `мусор ${i} `.padEnd(Math.ceil(bytes / 2), "ж"); // Cyrillic: 2 bytes a letter
  const samples: Sample[] = [];
  for (let i = 1; i <= messages; i++) {
    const before = fake.sent(userId).length;
    const started = performance.now();
    await bot.handleUpdate(fake.injectMessage(user, junk(i)));
    const ms = performance.now() - started;
    const stored = await Session.findOne({ key: `dialog:${userId}` }, { value: 1 }).lean();
    samples.push({ message: i, ms, stateBytes: stored ? Buffer.byteLength(JSON.stringify(stored.value)) : 0, replies: fake.sent(userId).length - before });
  }
  const ended = samples.find((s) => s.stateBytes === 0)?.message;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${label}: ${messages} junk messages of ${bytes} bytes`);
  console.log(`  ${"after".padStart(7)} ${"state".padStart(9)} ${"ms/update".padStart(10)}`);
  for (const n of CHECKPOINTS.filter((c) => c <= messages)) {
    const s = samples[n - 1];
    console.log(`  ${String(n).padStart(7)} ${`${(s.stateBytes / 1024).toFixed(1)} KB`.padStart(9)} ${s.ms.toFixed(1).padStart(10)}`);
  }
  const first = samples.slice(0, 10).map((s) => s.ms);
  const last = samples.slice(-10).map((s) => s.ms);
  const largest = Math.max(...samples.map((s) => s.stateBytes));
  const answered = samples.filter((s) => s.replies > 0).length;
  console.log(`  dialog ended at message ${ended ?? "— (still open)"}; largest state ${(largest / 1024).toFixed(1)} KB; answered ${answered} of ${messages}`);
  console.log(`  median ms/update: first 10 ${median(first).toFixed(1)}, last 10 ${median(last).toFixed(1)}`);
}

async function main(): Promise<void> {
  stopAfter("bench:dialog", 10 * 60_000);
  const messages = wholeArg("messages", 300);
  const bytes = wholeArg("bytes", 2048);
  const services = await startBenchServices("  note: the stand-in (mongomock) is slower than MongoDB; set MONGODB_URI (TEST_MONGO=uri) for production-like figures");
  const fake = await FakeTelegram.start({ enforceLimits: false });
  try {
    await School.create({ name: "Бенчмарк диалога", address: "г. Москва" });
    const config = loadConfig({ BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, NODE_ENV: "test" });
    const logger = pino({ level: "silent" });
    const base: BotDeps = { config, logger, i18n: createI18n("ru"), now: () => new Date() };
    await flood("without the throttle", base, fake, 8_100_001, messages, bytes);
    const throttle = createUpdateThrottle({ redis: services.queues.redis, prefix: services.queues.prefix, logger });
    await flood("with the Redis throttle (20 updates / 10 s)", { ...base, throttle }, fake, 8_100_002, messages, bytes);
  } finally {
    await fake.stop();
    await services.stop();
  }
}

runBench("bench:dialog", main);
