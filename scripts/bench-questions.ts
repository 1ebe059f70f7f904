/**
 * Benchmark of guardians' questions. Run: `npm run bench:questions [-- [seconds] [--rounds N] [--parser-only]]`.
 * Part 1: parse throughput of the question parser over the test phrasings, repeated for about 2 s:
 * questions per second, and median / p95 microseconds per question.
 * Part 2: the in-process time of answering the five most used views (grades, homework, timetable,
 * forecast, tests) for a guardian with two children and a year of data: the real bot handles each
 * update (account, session, access checks, queries, text) while the Telegram API is answered in
 * process, so the figures are the service's own time plus MongoDB's.
 */
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import pino from "pino";
import type { Update } from "grammy/types";
import { createBot } from "../src/bot/bot";
import { loadConfig } from "../src/config";
import { allModels } from "../src/db/models";
import { createI18n } from "../src/i18n";
import { parseQuestion } from "../src/domain/question";
import { CONTEXT, PHRASINGS } from "../test/unit/question-phrasings";
import { createSchoolFixture, guardianAccount } from "../test/support/fixtures";
import { startTestMongo } from "../test/support/services";
import { percentile, runBench, wholeArg } from "./lib/bench-env";
import { reportFigures } from "./lib/figures";
import { countCommands } from "../src/db/command-count";

export interface ParserBench {
  phrasings: number;
  parsed: number;
  seconds: number;
  questionsPerSecond: number;
  medianMicros: number;
  p95Micros: number;
  /** The very first parse builds the name tables: paid once per process. */
  firstParseMicros: number;
  /** The first parse with a new context compiles its subjects and children (cached per context lists). */
  newContextMicros: number;
}

export function benchParser(durationMs = 2000): ParserBench {
  const questions = PHRASINGS.map((p) => p.q);
  const coldStart = performance.now();
  parseQuestion(questions[0], CONTEXT);
  const firstParseMicros = (performance.now() - coldStart) * 1000;

  // Warm-up so the JIT has settled before anything is measured.
  for (let i = 0; i < 5; i++) for (const q of questions) parseQuestion(q, CONTEXT);

  const freshContext = { ...CONTEXT, subjects: [...CONTEXT.subjects], children: [...CONTEXT.children] };
  const freshStart = performance.now();
  parseQuestion(questions[0], freshContext);
  const newContextMicros = (performance.now() - freshStart) * 1000;

  const samples: number[] = [];
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (const q of questions) {
      const t0 = performance.now();
      parseQuestion(q, CONTEXT);
      const t1 = performance.now();
      samples.push((t1 - t0) * 1000);
      now = t1;
    }
  }
  const seconds = (now - start) / 1000;
  samples.sort((a, b) => a - b);
  return {
    phrasings: questions.length,
    parsed: samples.length,
    seconds,
    questionsPerSecond: samples.length / seconds,
    medianMicros: percentile(samples, 0.5),
    p95Micros: percentile(samples, 0.95),
    firstParseMicros,
    newContextMicros,
  };
}

export interface ViewTiming {
  view: string;
  rounds: number;
  medianMs: number;
  p95Ms: number;
}

/** The five most used views, as a guardian asks for them (menu buttons and commands). */
const COMMON_VIEWS: Array<[string, string]> = [
  ["grades", "/grades"],
  ["homework", "/homework"],
  ["schedule", "/schedule"],
  ["forecast", "/forecast"],
  ["tests", "/tests"],
];

/** The data's "today": late in the school year, so the year of grades is behind it (Thursday, Moscow noon). */
const BENCH_TODAY = "2027-05-20";
const BENCH_NOW = new Date(`${BENCH_TODAY}T09:00:00Z`);

export async function benchViews(rounds: number): Promise<{ mongo: string; timings: ViewTiming[]; all: ViewTiming; fixtureMs: number; commands: Map<string, number> }> {
  const mongo = await startTestMongo();
  const dbName = `bench_views_${randomBytes(4).toString("hex")}`;
  await mongoose.connect(mongo.uri, { dbName, monitorCommands: true });
  try {
    await Promise.all(allModels.map((model) => model.init()));
    const fixtureStart = performance.now();
    const fx = await createSchoolFixture({ today: BENCH_TODAY });
    const fixtureMs = performance.now() - fixtureStart;
    const telegramId = 990_000_001;
    await guardianAccount(fx, telegramId, fx.guardians.parent, [fx.students.maria, fx.students.alex]);

    const config = loadConfig({ BOT_TOKEN: "123456789:BENCH-token-never-sent-anywhere", NODE_ENV: "test" });
    const deps = { config, logger: pino({ level: "silent" }), i18n: createI18n(config.DEFAULT_LOCALE), now: () => BENCH_NOW };
    const me = { id: 7_000_000_001, is_bot: true, first_name: "Bench", username: "bench_bot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false };
    const bot = createBot(deps, { botInfo: me as never });
    let messageId = 0;
    let lastText = "";
    // Telegram is answered in process: the figures are the service's own work, not the network's.
    bot.api.config.use(async (_prev, _method, payload) => {
      const chat = { id: telegramId, type: "private" as const, first_name: "Bench" };
      lastText = (payload as { text?: string }).text ?? lastText;
      return { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat, text: lastText } } as never;
    });
    let updateId = 1;
    const update = (text: string): Update => ({
      update_id: updateId++,
      message: {
        message_id: updateId, date: Math.floor(Date.now() / 1000), text,
        chat: { id: telegramId, type: "private", first_name: "Bench" },
        from: { id: telegramId, is_bot: false, first_name: "Bench", language_code: "ru" },
        entities: [{ type: "bot_command", offset: 0, length: text.length }],
      },
    });

    for (const [view, command] of COMMON_VIEWS) {
      for (let i = 0; i < 3; i++) await bot.handleUpdate(update(command)); // warm-up
      // Timing anything but the real answer (a pointer, an error) would be meaningless.
      if (!lastText.includes("Мария, 7А")) throw new Error(`${command} did not answer with the ${view} view: ${lastText.slice(0, 120)}`);
    }
    // Database commands of one answer per view (the driver's command monitoring; sessions included).
    const counter = countCommands();
    const commands = new Map<string, number>();
    for (const [view, command] of COMMON_VIEWS) {
      counter.reset();
      await bot.handleUpdate(update(command));
      commands.set(view, counter.total());
      console.log(`  ${view}: ${Object.entries(counter.byName()).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
    counter.stop();
    const samples = new Map<string, number[]>(COMMON_VIEWS.map(([view]) => [view, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [view, command] of COMMON_VIEWS) {
        const t0 = performance.now();
        await bot.handleUpdate(update(command));
        samples.get(view)!.push(performance.now() - t0);
      }
    }
    const timing = (view: string, values: number[]): ViewTiming => {
      const sorted = [...values].sort((a, b) => a - b);
      return { view, rounds: sorted.length, medianMs: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
    };
    return {
      mongo: mongo.description,
      fixtureMs,
      timings: COMMON_VIEWS.map(([view]) => timing(view, samples.get(view)!)),
      commands,
      all: timing("all five", [...samples.values()].flat()),
    };
  } finally {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    await mongo.stop();
  }
}

function table(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--rounds");
  const seconds = Number(positional ?? 2);
  const r = benchParser((Number.isFinite(seconds) && seconds > 0 ? seconds : 2) * 1000);
  console.log("Free-text question parser");
  table([
    ["phrasings", String(r.phrasings)],
    ["questions parsed", String(r.parsed)],
    ["seconds", r.seconds.toFixed(2)],
    ["questions/s", Math.round(r.questionsPerSecond).toLocaleString("en-US")],
    ["median µs/question", r.medianMicros.toFixed(1)],
    ["p95 µs/question", r.p95Micros.toFixed(1)],
    ["first parse in the process, µs", r.firstParseMicros.toFixed(0)],
    ["first parse with a new context, µs", r.newContextMicros.toFixed(0)],
  ]);
  if (process.argv.includes("--parser-only")) return;

  const views = await benchViews(wholeArg("rounds", 30));
  console.log(`\nAnswering the five most used views (a guardian with two children, a year of data; MongoDB: ${views.mongo})`);
  if (views.mongo.includes("stand-in")) {
    console.log("  note: the stand-in (mongomock) scans whole collections; set MONGODB_URI (TEST_MONGO=uri) to a real MongoDB for meaningful numbers");
  }
  table([
    ["fixture (a year of data) built in, s", (views.fixtureMs / 1000).toFixed(1)],
    ...[...views.timings, views.all].map((t): [string, string] => [`${t.view}: median / p95, ms (${t.rounds} answers)`, `${t.medianMs.toFixed(1)} / ${t.p95Ms.toFixed(1)}`]),
    ...[...views.commands].map(([view, n]): [string, string] => [`${view}: database commands per answer`, String(n)]),
  ]);
  reportFigures([
    ...[...views.commands].map(([view, n]) => ({ figure: `view "${view}": db commands per answer`, value: String(n), target: "<= 4", met: n <= 4 })),
    { figure: "five views: median answer (all)", value: `${views.all.medianMs.toFixed(1)} ms`, target: "—", met: null },
  ]);
}

if (require.main === module) runBench("bench:questions", main);
