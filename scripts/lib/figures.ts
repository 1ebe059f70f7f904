/**
 * What each benchmark measured, against its target (issue 11): printed as a table at the end of
 * the run, and appended as JSON lines to `$BENCH_FIGURES` when set (`npm run bench` collects them
 * from every benchmark into one table).
 */
import { appendFileSync } from "node:fs";

export interface Figure {
  figure: string;
  value: string;
  target: string;
  /** null: printed for information, no target. */
  met: boolean | null;
}

export function formatFigures(rows: readonly Figure[]): string {
  const head: Figure = { figure: "figure", value: "value", target: "target", met: null };
  const cells = [head, ...rows].map((r, i) => [r.figure, r.value, r.target, i === 0 ? "met?" : r.met === null ? "—" : r.met ? "yes" : "NO"]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

export function reportFigures(rows: readonly Figure[]): void {
  console.log(formatFigures(rows));
  const file = process.env.BENCH_FIGURES;
  if (file) appendFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

/** The process's resident set sampled every 250 ms: `stop()` gives the peak in MB. */
export function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / (1024 * 1024));
    },
  };
}
