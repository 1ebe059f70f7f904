/**
 * Benchmark of guardians' free-text questions. Run: `npx tsx scripts/bench-questions.ts [seconds]`.
 * Part 1 (here): parse throughput of the question parser over the test phrasings, repeated for
 * about 2 s: questions per second, and median / p95 microseconds per question.
 */
import { performance } from "node:perf_hooks";
import { parseQuestion } from "../src/domain/question";
import { CONTEXT, PHRASINGS } from "../test/unit/question-phrasings";

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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
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

function main(): void {
  const seconds = Number(process.argv[2] ?? 2);
  const r = benchParser((Number.isFinite(seconds) && seconds > 0 ? seconds : 2) * 1000);
  const rows: [string, string][] = [
    ["phrasings", String(r.phrasings)],
    ["questions parsed", String(r.parsed)],
    ["seconds", r.seconds.toFixed(2)],
    ["questions/s", Math.round(r.questionsPerSecond).toLocaleString("en-US")],
    ["median µs/question", r.medianMicros.toFixed(1)],
    ["p95 µs/question", r.p95Micros.toFixed(1)],
    ["first parse in the process, µs", r.firstParseMicros.toFixed(0)],
    ["first parse with a new context, µs", r.newContextMicros.toFixed(0)],
  ];
  console.log("Free-text question parser");
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

if (require.main === module) main();
