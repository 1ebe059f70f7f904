/**
 * The worker role of a benchmark in a process of its own (bench:broadcast): the real notifier
 * (startNotifier) connected to the benchmark's MongoDB, Redis key prefix and fake Bot API, so the
 * worker's peak memory is its own (VmHWM of its process), not that of the process that also holds
 * the API, the fake Bot API and the fixtures. It counts its own database commands (the driver's
 * command monitoring) and the 429s it saw, and tells them to its parent over the IPC channel.
 *
 * Parent side: `startWorkerProcess(...)`. Child side: this file run with `--child` (the parent forks
 * it with its own execArgv, so under tsx it runs under tsx too).
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import mongoose from "mongoose";
import pino from "pino";
import { countCommands } from "../../src/db/command-count";
import { createI18n } from "../../src/i18n";
import { createQueueFactory } from "../../src/queue/connection";
import { startNotifier } from "../../src/queue/notifier";
import type { Pacing } from "../../src/queue/rate-limits";

export interface WorkerProcessOptions {
  mongoUri: string;
  dbName: string;
  redisUrl: string;
  prefix: string;
  botToken: string;
  apiRoot: string;
  pacing?: Pacing;
  concurrency?: number;
}

export interface WorkerStats {
  /** Database commands of the worker since the last reset, in all and by name. */
  commands: number;
  byName: Record<string, number>;
  /** Telegram 429s the worker saw since the last reset. */
  rateLimited: number;
}

export interface WorkerProcess {
  pid: number;
  /** Counts since the last reset (or the start). */
  stats(): Promise<WorkerStats>;
  reset(): Promise<void>;
  /** The process's peak resident set so far in MB (VmHWM in /proc/<pid>/status). */
  peakRssMb(): number;
  /** The process's resident set now in MB (VmRSS). */
  rssMb(): number;
  stop(): Promise<void>;
}

type Request = { id: number; op: "stats" | "reset" | "stop" };
type Reply = { id: number; stats?: WorkerStats } | { ready: true } | { failed: string };

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
  const child: ChildProcess = fork(__filename, ["--child"], {
    execArgv: process.execArgv,
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

async function child(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_WORKER!) as WorkerProcessOptions;
  await mongoose.connect(options.mongoUri, { dbName: options.dbName, monitorCommands: true });
  const commands = countCommands();
  const queues = createQueueFactory(options.redisUrl, options.prefix);
  let rateLimited = 0;
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
  process.on("message", (request: Request) => {
    const reply = (extra: Partial<{ stats: WorkerStats }> = {}) => process.send!({ id: request.id, ...extra });
    if (request.op === "stats") reply({ stats: { commands: commands.total(), byName: commands.byName(), rateLimited } });
    else if (request.op === "reset") {
      commands.reset();
      rateLimited = 0;
      reply();
    } else if (request.op === "stop") {
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
  process.send!({ ready: true });
}

if (process.argv.includes("--child")) {
  child().catch((error: unknown) => {
    process.send?.({ failed: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
