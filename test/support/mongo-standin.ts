/**
 * Starts the MongoDB wire-protocol stand-in (`mongo-standin.py`: Debian's python3-mockupdb for the
 * protocol, python3-mongomock as the engine) for machines where no mongod can run.
 *
 * It always runs under /usr/bin/python3: the `python3` on PATH may be another interpreter that
 * lacks the Debian packages.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const STANDIN_PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(__dirname, "mongo-standin.py");
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_TAIL_CHARS = 4_000;

export interface Standin {
  uri: string;
  pid: number;
  /** SIGTERM, then wait for exit; rejects unless the stand-in exits with code 0. */
  stop(): Promise<void>;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

let available: boolean | undefined;

/** True if /usr/bin/python3 can import mockupdb and mongomock (checked once per process). */
export function standinAvailable(): boolean {
  if (available === undefined) {
    available =
      existsSync(STANDIN_PYTHON) &&
      existsSync(SCRIPT) &&
      spawnSync(STANDIN_PYTHON, ["-c", "import mockupdb, mongomock"], { stdio: "ignore", timeout: 15_000 })
        .status === 0;
  }
  return available;
}

/**
 * Spawns the stand-in on a free port of 127.0.0.1 and resolves once it prints `LISTENING <port>`.
 * `verbose` (default: MONGO_STANDIN_VERBOSE=1 in the environment) logs one line per command to
 * this process's stderr.
 */
export async function startStandin(opts: { verbose?: boolean } = {}): Promise<Standin> {
  const verbose = opts.verbose ?? process.env.MONGO_STANDIN_VERBOSE === "1";
  const args = [SCRIPT, "--port", "0", "--exit-with-parent"];
  if (verbose) args.push("--verbose");
  // stdin stays an open pipe: the stand-in exits when it closes, so it cannot outlive this process.
  const child = spawn(STANDIN_PYTHON, args, { stdio: ["pipe", "pipe", "pipe"] });

  let stderrTail = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    if (verbose) process.stderr.write(chunk);
  });
  const describeTail = (): string => {
    const tail = stderrTail.trim();
    return tail ? `; stderr:\n${tail}` : " (no stderr output)";
  };

  let stopping = false;
  let ready = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      if (ready && !stopping) {
        process.stderr.write(`mongo-standin exited unexpectedly (code ${code}, signal ${signal})${describeTail()}\n`);
      }
      resolve({ code, signal });
    });
  });

  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off("error", onError);
      child.off("exit", onEarlyExit);
      child.stdout.off("data", onData);
    };
    const fail = (reason: string): void => {
      cleanup();
      child.kill("SIGKILL");
      reject(new Error(`mongo-standin ${reason}${describeTail()}`));
    };
    const onError = (err: Error): void => fail(`could not be started with ${STANDIN_PYTHON}: ${err.message}`);
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // 'exit' can come before the last stderr data: let stderr drain briefly first.
      const report = (): void => fail(`exited before it was ready (code ${code}, signal ${signal})`);
      if (child.stderr.readableEnded) return report();
      const grace = setTimeout(report, 500);
      child.stderr.once("close", () => {
        clearTimeout(grace);
        report();
      });
    };
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = /^LISTENING (\d+)\r?$/m.exec(stdout);
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const timer = setTimeout(() => fail(`did not print LISTENING within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once("error", onError);
    child.once("exit", onEarlyExit);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", onData);
  });
  ready = true;
  // Keep draining stdout so the child can never block on a full pipe.
  child.stdout.resume();

  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    const { code, signal } = await exited;
    clearTimeout(timer);
    child.stdin.destroy();
    if (code !== 0) {
      throw new Error(`mongo-standin did not exit cleanly (code ${code}, signal ${signal})${describeTail()}`);
    }
  };

  return { uri: `mongodb://127.0.0.1:${port}`, pid: child.pid!, stop };
}
