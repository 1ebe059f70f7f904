/**
 * `npm run bench:broadcast [-- --recipients 10000 --finals 200]`: the real worker (startNotifier, in a
 * process of its own: scripts/lib/bench-worker.ts) against the project's fake Bot API enforcing
 * Telegram's limits (30/s, 1/s per chat, 429s); this process holds the fake Bot API, the exchange API
 * and the fixtures.
 * Part 1: an admin broadcast to N guardians (N chats); prints the sustained send rate, 429s received,
 * the largest per-chat rate, duplicates, lost messages, the time from enqueue to the last send, the
 * database commands per delivered message (the driver's command monitoring in both processes,
 * planning included) and the worker's peak RSS (VmHWM of its process, read from /proc).
 * Part 2: the latency of a final grade from `PUT /api/v1/finalGrades` to its Telegram send (p50, p99),
 * each final published while a second broadcast of N runs (finals overtake broadcasts).
 * MongoDB and Redis are started as in the tests. Stops by itself (limit: 40 minutes). Options:
 * `--concurrency N`, `--gap MS --window MS` (pacing); BENCH_DEBUG=1 shows the window around each 429;
 * `--profile` prints the kinds of database command that took the server's time during each part and
 * around the slowest finals (scripts/lib/command-profile.ts).
 */
import { Types } from "mongoose";
import mongoose from "mongoose";
import { School } from "../src/db/models";
import { countCommands, recordCommands } from "../src/db/command-count";
import { DEFAULT_PACING } from "../src/queue/rate-limits";
import { requestBroadcast } from "../src/services/broadcast";
import { createSchool } from "../src/services/schools";
import { FakeTelegram } from "../test/support/fake-telegram";
import { bulkFamilies } from "../test/support/bulk-families";
import { reportFigures, type Figure } from "./lib/figures";
import { startWorkerProcess } from "./lib/bench-worker";
import { heaviest, serialTimeline } from "./lib/command-profile";
import { exchangePut, runBench, startBenchServices, startExchangeApi, stopAfter, wholeArg } from "./lib/bench-env";

const LIMIT_MS = 40 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const recipients = wholeArg("recipients", 10_000);
  const finals = wholeArg("finals", 200);
  const profile = process.argv.includes("--profile");
  stopAfter("bench:broadcast", LIMIT_MS);

  const services = await startBenchServices(
    "note: the stand-in (mongomock) scans a collection for every query; set MONGODB_URI (TEST_MONGO=uri) to a real MongoDB for figures that measure the service",
  );
  const fake = await FakeTelegram.start(); // 30/s in total, 1/s per chat, 429 with retry_after beyond
  const { queues } = services;
  const { app, base } = await startExchangeApi(queues, 5000);
  const worker = await startWorkerProcess({
    mongoUri: services.mongo.uri, dbName: services.dbName, redisUrl: services.redis.url, prefix: queues.prefix, botToken: fake.token, apiRoot: fake.apiRoot,
    ...(process.argv.includes("--gap") ? { pacing: { ...DEFAULT_PACING, minGapMs: wholeArg("gap", DEFAULT_PACING.minGapMs), windowMs: wholeArg("window", DEFAULT_PACING.windowMs) } } : {}),
    ...(process.argv.includes("--concurrency") ? { concurrency: wholeArg("concurrency", 40) } : {}),
    profile,
  });
  console.log(`worker: process ${worker.pid} (${worker.rssMb()} MB resident after start-up)`);
  try {
    // ---- part 1: a broadcast to N families ----
    const { schoolId } = await createSchool({ name: "Бенчмарк рассылки" });
    const school = new Types.ObjectId(schoolId);
    await School.updateOne({ _id: school }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } }); // any hour of the day
    const classId = new Types.ObjectId();
    await mongoose.connection.collection("classes").insertOne({ _id: classId, schoolId: school, externalId: "bc-1", name: "5А", grade: 5 });
    console.log(`preparing ${recipients.toLocaleString("en")} families...`);
    const fixtureStarted = Date.now();
    const { chats } = await bulkFamilies(school, classId, recipients, 100_000_000);
    console.log(`  fixture: ${((Date.now() - fixtureStarted) / 1000).toFixed(1)} s`);
    const admin = new Types.ObjectId();
    fake.clear();
    const commands = countCommands();
    const recorder = profile ? recordCommands() : undefined;
    await worker.reset();
    const enqueuedAt = Date.now();
    await requestBroadcast(queues, school, admin, { kind: "school" }, "Бенчмарк: проверка рассылки");
    const deadline = enqueuedAt + Math.max(120_000, recipients * 100);
    let last = -1;
    for (;;) {
      const sent = fake.sent().length;
      if (sent >= recipients || Date.now() > deadline) break;
      if (sent !== last && Math.floor((Date.now() - enqueuedAt) / 10_000) !== Math.floor((Date.now() - enqueuedAt - 1000) / 10_000)) {
        console.log(`  ${((Date.now() - enqueuedAt) / 1000).toFixed(0)} s: ${sent} sent`);
      }
      last = sent;
      await sleep(1000);
    }
    const workerStats = await worker.stats();
    const commandCount = commands.total() + workerStats.commands;
    const byName = { ...commands.byName() };
    for (const [name, count] of Object.entries(workerStats.byName)) byName[name] = (byName[name] ?? 0) + count;
    commands.stop();
    await sleep(3000); // late duplicates would show up here
    const peakRss = worker.peakRssMb();
    const { rateLimited, atPeakMb } = await worker.stats();
    const sends = fake.sent().filter((m) => m.method === "sendMessage");
    const perChat = new Map<number, number>();
    for (const m of sends) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const duplicates = [...perChat.values()].reduce((n, c) => n + c - 1, 0);
    const lost = chats.filter((c) => !perChat.has(c)).length;
    const first = sends[0]?.at ?? enqueuedAt;
    const lastAt = sends.at(-1)?.at ?? enqueuedAt;
    const sustained = sends.length > 1 ? ((sends.length - 1) / (lastAt - first)) * 1000 : 0;
    console.log(`broadcast to ${recipients} chats:`);
    console.log(`  sent: ${sends.length}, lost: ${lost}, duplicates: ${duplicates}`);
    console.log(`  sustained rate: ${sustained.toFixed(1)} msg/s (first to last send)`);
    console.log(`  429 received: ${fake.rateLimitHits} (worker saw ${rateLimited})`);
    console.log(`  largest per-chat rate: ${fake.maxPerChatRate()} per second`);
    if (process.env.BENCH_DEBUG) {
      const calls = fake.calls.filter((c) => c.method === "sendMessage");
      for (const c of calls.filter((x) => x.status === 429).slice(0, 5)) {
        const win = calls.filter((x) => x.status === 200 && x.at > c.at - 1000 && x.at <= c.at);
        console.log(`  429 at +${c.at - first}: ${win.length} sends in the last second, gaps ${win.slice(-8).map((x, i, a) => (i ? x.at - a[i - 1].at : 0)).join(",")}`);
      }
    }
    console.log(`  enqueue to last send: ${((lastAt - enqueuedAt) / 1000).toFixed(1)} s`);
    const perMessage = commandCount / Math.max(1, sends.length);
    console.log(`  database commands: ${commandCount} (${perMessage.toFixed(2)} per delivered message; ${Object.entries(byName).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    console.log(`  worker peak RSS: ${peakRss} MB (VmHWM of the worker's process ${worker.pid}; this process, with the fake Bot API and the fixtures: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`);
    console.log(`  the worker at its highest sampled RSS (${atPeakMb.rss} MB): JS heap ${atPeakMb.heapUsed} MB used of ${atPeakMb.heapTotal} MB, outside the heap ${atPeakMb.external} MB`);

    // ---- part 2: final grade latency through the exchange API ----
    const { token, schoolId: examSchoolId } = await createSchool({ name: "Бенчмарк итоговых" });
    await School.updateOne({ _id: examSchoolId }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
    const put = exchangePut(base, token);
    await put("classes", [{ externalId: "c1", name: "9А", grade: 9 }]);
    await put("subjects", [{ externalId: "math", name: "Математика" }]);
    await put("periods", [{ externalId: "q1", name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" }]);
    await put("students", Array.from({ length: finals + 1 }, (_, i) => ({ externalId: `s${i}`, fullName: `Ученик ${i}`, classId: "c1" })));
    await put("finalGrades", [{ externalId: "warm", studentId: `s${finals}`, subjectId: "math", periodId: "q1", value: "5", status: "final", resultsAt: new Date().toISOString() }]); // the first load is silent
    const ids = (await mongoose.connection.collection("students").find({ schoolId: new Types.ObjectId(examSchoolId), externalId: { $ne: `s${finals}` } }).sort({ externalId: 1 }).toArray()).map((s) => s._id as Types.ObjectId);
    const { chats: examChats } = await bulkFamilies(new Types.ObjectId(examSchoolId), new Types.ObjectId(), finals, 200_000_000, ids);
    const chatOf = new Map((await mongoose.connection.collection("students").find({ _id: { $in: ids } }).toArray()).map((s, i) => [s.externalId as string, examChats[ids.findIndex((id) => id.equals(s._id as Types.ObjectId))] ?? i]));
    // A second broadcast runs meanwhile: the finals must overtake it.
    const second = new Types.ObjectId((await createSchool({ name: "Бенчмарк: вторая рассылка" })).schoolId);
    await School.updateOne({ _id: second }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
    const { chats: secondChats } = await bulkFamilies(second, classId, recipients, 300_000_000);
    const secondAt = Date.now();
    await requestBroadcast(queues, second, admin, { kind: "school" }, "Бенчмарк: вторая рассылка");
    const secondSet = new Set(secondChats);
    while (fake.sent().filter((m) => secondSet.has(m.chatId)).length < 30) await sleep(100);
    const latencies: number[] = [];
    const windows: Array<{ from: number; to: number }> = [];
    let duringBroadcast = 0;
    for (let i = 0; i < finals; i++) {
      const chat = chatOf.get(`s${i}`)!;
      const started = Date.now();
      await put("finalGrades", [{ externalId: `f${i}`, studentId: `s${i}`, subjectId: "math", periodId: "q1", value: "4", status: "final", resultsAt: new Date().toISOString() }]);
      const message = await fake.waitForMessage(chat, "Итоговая оценка", 60_000);
      latencies.push(message.at - started);
      windows.push({ from: started, to: message.at });
      if (fake.sent().filter((m) => secondSet.has(m.chatId)).length < recipients) duringBroadcast++;
    }
    // Where the time goes: from the final's delivery record (the event planned) to "sent"; the rest is the API and the planning.
    const records = await mongoose.connection.collection("deliveries").find({ schoolId: new Types.ObjectId(examSchoolId), kind: "final", channel: "telegram" }, { projection: { queuedAt: 1, sentAt: 1 } }).toArray();
    const sending = records.filter((r) => r.sentAt).map((r) => (r.sentAt as Date).getTime() - (r.queuedAt as Date).getTime()).sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    if (sending.length) console.log(`  of which from the final's delivery record to "sent": p50 ${percentile(sending, 50)} ms, p99 ${percentile(sending, 99)} ms (the rest is the exchange API and the event's planning)`);
    console.log(`final grade, PUT to Telegram send, over ${finals} (${duringBroadcast} of them while the second broadcast ran): p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`);
    const p99 = percentile(latencies, 99);
    if (recorder) {
      const timeline = serialTimeline(recorder.entries(), await worker.timeline());
      recorder.stop();
      const print = (title: string, from: number, to: number) => console.log(`${title} (${((to - from) / 1000).toFixed(1)} s):\n  ${heaviest(timeline, from, to).join("\n  ")}`);
      print("database time by kind of command, first broadcast", enqueuedAt, lastAt);
      print("database time by kind of command, second broadcast and finals", secondAt, Date.now());
      for (const w of [...windows].sort((a, b) => b.to - b.from - (a.to - a.from)).slice(0, 3)) print("around one of the slowest finals", w.from, w.to);
    }
    const n = recipients.toLocaleString("en");
    const rows: Figure[] = [
      { figure: `broadcast ${n}: sustained rate`, value: `${sustained.toFixed(1)} msg/s`, target: ">= 29 msg/s", met: sustained >= 29 },
      { figure: `broadcast ${n}: lost / duplicated`, value: `${lost} / ${duplicates}`, target: "0 / 0", met: lost === 0 && duplicates === 0 },
      { figure: `broadcast ${n}: 429s`, value: String(fake.rateLimitHits), target: "<= 5", met: fake.rateLimitHits <= 5 },
      { figure: `broadcast ${n}: db commands / message`, value: perMessage.toFixed(2), target: "<= 3", met: perMessage <= 3 },
      { figure: `broadcast ${n}: worker peak RSS`, value: `${peakRss} MB`, target: "<= 250 MB", met: peakRss <= 250 },
      { figure: "final during a broadcast: p99 PUT to send", value: `${(p99 / 1000).toFixed(2)} s`, target: "<= 2 s", met: p99 <= 2000 },
    ];
    reportFigures(rows);
    const ok = lost === 0 && duplicates === 0 && fake.maxPerChatRate() <= 1;
    if (!ok) process.exitCode = 1;
  } finally {
    await worker.stop();
    await app.close();
    await fake.stop();
    await services.stop();
  }
}

runBench("bench:broadcast", main);
