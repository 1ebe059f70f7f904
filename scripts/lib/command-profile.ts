/**
 * `--profile` of bench:broadcast: where the database's time went. The stand-in answers one command
 * at a time, so a command's own time is roughly from the end of the answer before it (or its own
 * start, if later) to its own answer; the commands of both processes (API and worker) are merged on
 * one time line. Printed by kind (command, collection, filter fields): which commands a final's
 * own commands queue behind.
 */
import type { TimedCommand } from "../../src/db/command-count";

export interface Served extends TimedCommand {
  /** Estimated time the server spent on this command alone (ms). */
  own: number;
}

/** The merged time line, each command with its estimated own time. */
export function serialTimeline(...lists: TimedCommand[][]): Served[] {
  const all = lists.flat().sort((a, b) => a.endedAt - b.endedAt);
  let previous = 0;
  return all.map((c) => {
    const own = c.endedAt - Math.max(c.startedAt, previous);
    previous = c.endedAt;
    return { ...c, own: Math.max(0, own) };
  });
}

const kindOf = (c: TimedCommand) => `${c.name} ${c.collection} {${c.shape}}`;

/** The kinds of command that took most of the server's time within [from, to], largest first. */
export function heaviest(timeline: readonly Served[], from: number, to: number, top = 12): string[] {
  const by = new Map<string, { count: number; total: number; max: number; statements: number }>();
  for (const c of timeline) {
    if (c.endedAt < from || c.endedAt > to) continue;
    const k = kindOf(c);
    const entry = by.get(k) ?? { count: 0, total: 0, max: 0, statements: 0 };
    entry.count++;
    entry.total += c.own;
    entry.max = Math.max(entry.max, c.own);
    entry.statements += c.statements;
    by.set(k, entry);
  }
  const span = Math.max(1, to - from);
  return [...by.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, top)
    .map(([k, e]) => `${(e.total / 1000).toFixed(1).padStart(7)} s ${((100 * e.total) / span).toFixed(0).padStart(3)}%  ×${String(e.count).padEnd(6)} max ${String(e.max).padStart(5)} ms  avg ${(e.total / e.count).toFixed(0).padStart(4)} ms  ${e.statements > e.count ? `(${e.statements} statements) ` : ""}${k}`);
}
