/**
 * The worker role of a benchmark in a process of its own (bench:broadcast): the real notifier
 * (startNotifier) connected to the benchmark's MongoDB, Redis key prefix and fake Bot API, so the
 * worker's peak memory is its own (VmHWM of its process), not that of the process that also holds
 * the API, the fake Bot API and the fixtures. It counts its own database commands (the driver's
 * command monitoring) and the 429s it saw, and tells them to its parent over the IPC channel.
 *
 * The child is scripts/lib/bench-worker-child.cjs on the built service (dist/, plain node, as
 * `npm run start:worker` runs it): a TypeScript loader would add its own 30-odd MB to the figure.
 * dist/ is built first when it is missing or older than src/.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Pacing } from "../../src/queue/rate-limits";
import type { TimedCommand } from "../../src/db/command-count";

const ROOT = path.join(__dirname, "../..");

/** The newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds dist/ (`npm run build`) when it is missing or older than src/. */
export function ensureBuilt(): void {
  const main = path.join(ROOT, "dist/src/main.js");
  if (fs.existsSync(main) && newest(path.join(ROOT, "dist/src")) >= newest(path.join(ROOT, "src"))) return;
  console.log("building dist/ for the worker process (npm run build)...");
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
}

export interface WorkerProcessOptions {
  mongoUri: string;
  dbName: string;
  redisUrl: string;
  prefix: string;
  botToken: string;
  apiRoot: string;
  pacing?: Pacing;
  concurrency?: number;
  /** Record every database command with its start and end (`timeline()`). */
  profile?: boolean;
}

export interface WorkerStats {
  /** Database commands of the worker since the last reset, in all and by name. */
  commands: number;
  byName: Record<string, number>;
  /** Telegram 429s the worker saw since the last reset. */
  rateLimited: number;
  /** At the highest resident set sampled since the last reset (every 100 ms): rss, heapUsed, heapTotal, external in MB. */
  atPeakMb: Record<"rss" | "heapUsed" | "heapTotal" | "external", number>;
}

export interface WorkerProcess {
  pid: number;
  /** Counts since the last reset (or the start). */
  stats(): Promise<WorkerStats>;
  reset(): Promise<void>;
  /** The commands since the last reset with their start and end (with `profile` only; else empty). */
  timeline(): Promise<TimedCommand[]>;
  /** The process's peak resident set so far in MB (VmHWM in /proc/<pid>/status). */
  peakRssMb(): number;
  /** The process's resident set now in MB (VmRSS). */
  rssMb(): number;
  stop(): Promise<void>;
}

type Request = { id: number; op: "stats" | "reset" | "stop" | "timeline" };
type Reply = { id: number; stats?: WorkerStats; timeline?: TimedCommand[] } | { ready: true } | { failed: string };

/** A /proc/<pid>/status field in kB ("VmHWM", "VmRSS") as MB; 0 when it cannot be read (not Linux). */
export function procStatusMb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  ensureBuilt();
  const child: ChildProcess = fork(path.join(__dirname, "bench-worker-child.cjs"), [], {
    // BENCH_WORKER_NODE_OPTIONS="--max-old-space-size=160": the worker's node flags, to try how they change its memory
    // (the heap growing factor is the service's own: startNotifier sets it, src/runtime/heap.ts).
    execArgv: process.env.BENCH_WORKER_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? [],
    env: { ...process.env, BENCH_WORKER: JSON.stringify(options) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let next = 0;
  const pending = new Map<number, (reply: Reply) => void>();
  await new Promise<void>((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the worker process ended at start-up (exit ${code})`));
    child.once("exit", early);
    child.on("message", (message: Reply) => {
      if ("ready" in message) {
        child.off("exit", early);
        resolve();
      } else if ("failed" in message) reject(new Error(`the worker process failed to start: ${message.failed}`));
      else pending.get(message.id)?.(message);
    });
  });
  const ask = (op: Request["op"]) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++next;
      pending.set(id, (reply) => {
        pending.delete(id);
        resolve(reply);
      });
      child.send({ id, op } satisfies Request, (error) => error && reject(error));
    });
  const pid = child.pid!;
  return {
    pid,
    stats: async () => ((await ask("stats")) as { stats: WorkerStats }).stats,
    reset: async () => void (await ask("reset")),
    timeline: async () => ((await ask("timeline")) as { timeline?: TimedCommand[] }).timeline ?? [],
    peakRssMb: () => procStatusMb(pid, "VmHWM"),
    rssMb: () => procStatusMb(pid, "VmRSS"),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      await ask("stop").catch(() => undefined);
      const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(guard);
    },
  };
}
