/**
 * `npm run chaos [-- --recipients 3000 --finals 200]` (build first: `npm run build`): the built
 * service as separate processes — `api` (the exchange API), `bot` and two `worker`s — on a MongoDB
 * stand-in and a redis-server of its own (never the shared 6379), against the fake Bot API with
 * Telegram's limits. It sends a broadcast to N guardians and streams final grades through
 * `PUT /api/v1/finalGrades` (one at a time, retried as a journal would), and meanwhile:
 * SIGKILLs a worker twice (each started again), FLUSHALLs Redis once, restarts Redis once (empty),
 * and pauses MongoDB (SIGSTOP/SIGCONT of the stand-in) for 30 s, asking the bot something during
 * the pause. It stops by itself and prints messages expected, sent, lost, duplicated (which ones),
 * the slowest final grade from PUT to send; exit code 1 when anything is lost.
 */
import mongoose from "mongoose";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { allModels, Delivery } from "../src/db/models";
import { createQueueFactory } from "../src/queue/connection";
import { requestBroadcast } from "../src/services/broadcast";
import { FakeTelegram } from "../test/support/fake-telegram";
import { startStandin } from "../test/support/mongo-standin";
import { startOwnRedis } from "../test/support/own-redis";
import { startRole, type RoleProcess } from "../test/support/service-roles";
import { runBench, stopAfter, wholeArg } from "./lib/bench-env";
import { buildWorld } from "./lib/chaos-world";

const LIMIT_MS = 40 * 60_000;
const PAUSE_MS = 30_000;
const BROADCAST_TEXT = "Хаос: проверка рассылки";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const recipients = wholeArg("recipients", 3000);
  const finals = wholeArg("finals", 200);
  stopAfter("chaos", LIMIT_MS);
  const started = Date.now();
  const clock = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const say = (line: string) => console.log(`${clock()}  ${line}`);

  const standin = await startStandin();
  const redis = await startOwnRedis();
  const fake = await FakeTelegram.start(); // 30/s in total, 1/s per chat, 429 with retry_after beyond
  await mongoose.connect(standin.uri, { dbName: "chaos" });
  await Promise.all(allModels.map((model) => model.init()));
  const queues = createQueueFactory(redis.url, "ed", () => undefined);
  const env = {
    BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, MONGODB_URI: `${standin.uri}/chaos`, REDIS_URL: redis.url,
    CODE_PEPPER: "chaos-run-pepper", LOG_LEVEL: "warn", EXCHANGE_MAX_ITEMS: "5000",
  };
  const processes: RoleProcess[] = [];
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-"));
  const keepLog = (p: RoleProcess, name: string) => fs.writeFileSync(path.join(logDir, `${name}-${p.child.pid}.log`), p.output());
  let paused = false;
  try {
    say(`MongoDB: stand-in (pid ${standin.pid}); Redis: own redis-server on port ${redis.port}; logs of the processes: ${logDir}`);
    const api = await startRole("api", env);
    const bot = await startRole("bot", env);
    const workers = [await startRole("worker", env), await startRole("worker", env)];
    processes.push(api, bot, ...workers);
    const base = `http://127.0.0.1:${api.port}/api/v1`;
    say(`preparing ${recipients} + ${finals} families through the exchange API...`);
    const world = await buildWorld(base, recipients, finals);

    fake.clear();
    const broadcastId = await requestBroadcast(queues, world.schoolId, new mongoose.Types.ObjectId(), { kind: "parallel", grade: 5 }, BROADCAST_TEXT);
    const t0 = Date.now();
    say(`broadcast ${broadcastId} requested`);

    // ---- the stream of final grades: one PUT at a time, retried until the API says 200 ----
    const putAt: number[] = [];
    const stream = (async () => {
      for (let i = 0; i < finals; i++) {
        const item = { externalId: `f${i}`, studentId: `fin${i}`, subjectId: "math", periodId: "q1", value: String(2 + (i % 4)), status: "final", resultsAt: new Date().toISOString() };
        putAt[i] = Date.now();
        for (;;) {
          try {
            await world.put("finalGrades", [item]);
            break;
          } catch {
            await sleep(1000); // the journal tries again
          }
        }
        await sleep(500);
      }
    })();

    // ---- the faults ----
    const restart = async (index: number) => {
      const w = workers[index];
      await w.kill("SIGKILL");
      keepLog(w, `worker-killed`);
      workers[index] = await startRole("worker", env);
      processes.push(workers[index]);
    };
    const faults: Array<[number, string, () => Promise<void>]> = [
      [10_000, "SIGKILL worker 1 (started again)", () => restart(0)],
      [25_000, "FLUSHALL", () => redis.flush()],
      [45_000, "SIGKILL worker 2 (started again)", () => restart(1)],
      [60_000, "Redis restarted without its data", () => redis.restart(1000)],
      [80_000, `MongoDB paused for ${PAUSE_MS / 1000} s`, async () => {
        process.kill(standin.pid, "SIGSTOP");
        paused = true;
        await sleep(3000);
        fake.injectMessage({ id: 777_000_001, first_name: "Гость", language_code: "ru" }, "/start");
        await sleep(PAUSE_MS - 3000);
        process.kill(standin.pid, "SIGCONT");
        paused = false;
        say("MongoDB resumed");
      }],
    ];
    const happened: Array<{ at: number; label: string }> = [];
    for (const [at, label, run] of faults) {
      await sleep(Math.max(0, t0 + at - Date.now()));
      say(`${label}; sent so far: ${fake.sent().length}`);
      happened.push({ at: Date.now(), label });
      await run();
    }
    /** The fault nearest to a duplicate's first copy (a kill lands just after the send it interrupts). */
    const after = (first: number) => {
      const fault = [...happened].sort((a, b) => Math.abs(a.at - first) - Math.abs(b.at - first))[0];
      return `first copy at +${((first - t0) / 1000).toFixed(1)} s, nearest fault "${fault.label}" at +${((fault.at - t0) / 1000).toFixed(1)} s`;
    };
    await stream;
    say("all final grades accepted by the API");

    // ---- until everything arrived, or the deadline ----
    const finalsOf = (i: number) => fake.sent(world.finalsChat(i)).filter((m) => m.plain?.includes("Итоговая оценка"));
    const broadcastOf = (chat: number) => fake.sent(chat).filter((m) => m.plain?.includes(BROADCAST_TEXT));
    const arrived = () => world.broadcastChats.filter((c) => broadcastOf(c).length > 0).length + Array.from({ length: finals }, (_, i) => i).filter((i) => finalsOf(i).length > 0).length;
    const expected = recipients + finals;
    const deadline = Date.now() + Math.max(10 * 60_000, recipients * 200);
    let last = -1;
    while (arrived() < expected && Date.now() < deadline) {
      const now = arrived();
      if (now !== last) say(`${now} of ${expected} arrived`);
      last = now;
      await sleep(5000);
    }
    await sleep(5000); // late duplicates would show up here

    // ---- the figures ----
    const duplicated: string[] = [];
    let sent = 0;
    let lost = 0;
    for (const chat of world.broadcastChats) {
      const n = broadcastOf(chat).length;
      sent += n;
      if (!n) lost++;
      if (n > 1) duplicated.push(`broadcast to chat ${chat} ×${n}, ${after(broadcastOf(chat)[0].at)}`);
    }
    const latencies: number[] = [];
    for (let i = 0; i < finals; i++) {
      const got = finalsOf(i);
      sent += got.length;
      if (!got.length) lost++;
      else latencies.push(got[0].at - putAt[i]);
      if (got.length > 1) duplicated.push(`final grade to chat ${world.finalsChat(i)} ×${got.length}, ${after(got[0].at)}`);
    }
    latencies.sort((a, b) => a - b);
    const sends = fake.sent().filter((m) => m.plain?.includes(BROADCAST_TEXT)).map((m) => m.at);
    const unavailable = fake.sent(777_000_001).some((m) => m.plain?.includes("временно недоступен"));
    const pending = await Delivery.countDocuments({ status: { $in: ["queued", "sending", "failed"] } });
    console.log("");
    console.log(`chaos run: ${recipients} broadcast recipients, ${finals} final grades; 2 SIGKILLs of a worker, 1 FLUSHALL, 1 Redis restart, MongoDB paused ${PAUSE_MS / 1000} s`);
    console.log(`  messages expected:   ${expected}`);
    console.log(`  messages sent:       ${sent}`);
    console.log(`  lost:                ${lost}`);
    console.log(`  duplicated:          ${duplicated.length}${duplicated.length ? ` (${duplicated.join("; ")})` : ""} — at most one per kill expected (2 kills)`);
    console.log(`  final grade, PUT to send: slowest ${latencies.at(-1) ?? "-"} ms, p50 ${latencies.length ? percentile(latencies, 50) : "-"} ms, p99 ${latencies.length ? percentile(latencies, 99) : "-"} ms`);
    console.log(`  broadcast: first to last send ${sends.length ? ((Math.max(...sends) - Math.min(...sends)) / 1000).toFixed(0) : "-"} s; 429s answered by the fake: ${fake.rateLimitHits}; largest per-chat rate ${fake.maxPerChatRate()}/s`);
    console.log(`  bot during the MongoDB pause: ${unavailable ? "answered 'temporarily unavailable'" : "did NOT answer 'temporarily unavailable'"}`);
    console.log(`  deliveries still queued/sending/failed: ${pending}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (lost > 0) process.exitCode = 1;
    if (duplicated.length > 2) console.log("  more duplicates than kills: see the logs");
  } finally {
    if (paused) process.kill(standin.pid, "SIGCONT");
    for (const p of processes) {
      await p.kill("SIGTERM");
      keepLog(p, p.role);
    }
    await queues.close();
    await mongoose.disconnect();
    await fake.stop();
    await redis.stop();
    await standin.stop().catch(() => undefined);
  }
}

runBench("chaos", main);
