/**
 * `npm run bench`: every benchmark in a quick size (about 5 minutes in all on a 2-core machine),
 * one after the other, then one table of their figures (figure, value, target, met?). Each
 * `npm run bench:*` keeps its full size. A benchmark that fails shows as a row of its own.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatFigures, type Figure } from "./lib/figures";

const QUICK: Array<[string, string[]]> = [
  ["bench-questions.ts", ["0.5", "--rounds", "5"]],
  ["bench-ingest.ts", ["--grades", "10000", "--students", "200"]],
  ["bench-broadcast.ts", ["--recipients", "1500", "--finals", "30"]],
  ["bench-print.ts", ["--students", "200"]],
  ["bench-dialog.ts", ["--messages", "60"]],
];

function main(): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "figures.jsonl");
  const extra: Figure[] = [];
  const started = Date.now();
  for (const [script, args] of QUICK) {
    console.log(`\n=== ${script} ${args.join(" ")}`);
    const t0 = Date.now();
    const run = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, script), ...args], { stdio: "inherit", env: { ...process.env, BENCH_FIGURES: file } });
    extra.push({ figure: `${script.replace(/\.ts$/, "")}: finished`, value: `exit ${run.status ?? run.signal} in ${((Date.now() - t0) / 1000).toFixed(0)} s`, target: "exit 0", met: run.status === 0 });
  }
  const rows: Figure[] = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Figure) : [];
  console.log(`\nAll benchmarks, quick sizes (${((Date.now() - started) / 1000).toFixed(0)} s; ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}):`);
  console.log(formatFigures([...rows, ...extra]));
}

main();
