/**
 * A redis-server of a test's (or the chaos run's) own, on a spare port, without persistence, for
 * faults that must never touch the shared Redis: FLUSHALL, and a restart that loses everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, redisAnswers, waitUntil } from "../../src/runtime/net";

export interface OwnRedis {
  url: string;
  port: number;
  /** FLUSHALL: every key gone, the server keeps running. */
  flush(): Promise<void>;
  /** Stops the server (SIGKILL: nothing saved) and starts an empty one on the same port; resolves once it answers. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "own-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    if (!(await waitUntil(() => redisAnswers(url), 15_000, 100))) throw new Error("redis-server did not start; install the redis-server package");
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    url,
    port,
    async flush() {
      const client = new Redis(url);
      await client.flushall();
      client.disconnect();
    },
    async restart(downMs = 0) {
      await kill("SIGKILL");
      if (downMs) await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    async stop() {
      await kill("SIGTERM");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
