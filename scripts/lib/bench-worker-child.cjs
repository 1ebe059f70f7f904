/**
 * The worker process of bench:broadcast (started by scripts/lib/bench-worker.ts): the built service's
 * notifier (dist/, as `node dist/src/main.js worker` runs it, without a TypeScript loader in memory)
 * connected to the benchmark's MongoDB, Redis key prefix and fake Bot API. It counts its database
 * commands and the 429s it saw, and answers its parent's questions over the IPC channel:
 * { id, op: "stats" | "reset" | "stop" | "timeline" } -> { id, stats?, timeline? }; { ready: true } once started.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global setInterval */
const path = require("node:path");
const dist = path.join(__dirname, "../../dist/src");
const mongoose = require("mongoose");
const pino = require("pino");
const { countCommands, recordCommands } = require(path.join(dist, "db/command-count.js"));
const { createI18n } = require(path.join(dist, "i18n.js"));
const { createQueueFactory } = require(path.join(dist, "queue/connection.js"));
const { startNotifier } = require(path.join(dist, "queue/notifier.js"));

async function main() {
  const options = JSON.parse(process.env.BENCH_WORKER);
  await mongoose.connect(options.mongoUri, { dbName: options.dbName, monitorCommands: true });
  const commands = countCommands();
  // --profile: every command with its start and end (scripts/lib/command-profile.ts).
  let recorder = options.profile ? recordCommands() : undefined;
  const queues = createQueueFactory(options.redisUrl, options.prefix);
  let rateLimited = 0;
  // What the resident set is made of at its peak (the JS heap, the memory outside it).
  const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) Object.assign(peak, { rss: now.rss, heapUsed: now.heapUsed, heapTotal: now.heapTotal, external: now.external });
  }, 100);
  sampler.unref();
  if (options.profile) {
    // --profile: the worker's memory every 5 s (MB): resident, JS heap used / reserved, outside the heap.
    const mb = (v) => Math.round(v / 1048576);
    const started = Date.now();
    const trace = setInterval(() => {
      const m = process.memoryUsage();
      console.error(`worker memory +${Math.round((Date.now() - started) / 1000)} s: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)} (buffers ${mb(m.arrayBuffers)})`);
    }, 5000);
    trace.unref();
  }
  const notifier = await startNotifier({
    config: { BOT_TOKEN: options.botToken, TELEGRAM_API_ROOT: options.apiRoot, SMTP_URL: undefined, SMTP_FROM: undefined },
    logger: pino({ level: "silent" }),
    i18n: createI18n("ru"),
    queues,
    schedulers: false,
    on429: () => rateLimited++,
    ...(options.pacing ? { pacing: options.pacing } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  process.on("message", (request) => {
    const reply = (extra = {}) => process.send({ id: request.id, ...extra });
    if (request.op === "stats") reply({ stats: { commands: commands.total(), byName: commands.byName(), rateLimited, atPeakMb: Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 1048576)])) } });
    else if (request.op === "reset") {
      commands.reset();
      if (recorder) {
        recorder.stop();
        recorder = recordCommands();
      }
      rateLimited = 0;
      Object.assign(peak, { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 });
      reply();
    } else if (request.op === "timeline") reply({ timeline: recorder ? recorder.entries() : [] });
    else if (request.op === "stop") {
      reply();
      void (async () => {
        await notifier.stop();
        await queues.close();
        commands.stop();
        await mongoose.disconnect();
        process.exit(0);
      })();
    }
  });
  process.on("disconnect", () => process.exit(0)); // the parent is gone: no orphan worker
  process.send({ ready: true });
}

main().catch((error) => {
  if (process.send) process.send({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
