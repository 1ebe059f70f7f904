/**
 * The built service (`node dist/src/main.js <role>`) as separate processes, for the fault tests
 * and the chaos run (scripts/chaos.ts): each role on its own HTTP port, started and waited for
 * until /healthz answers 200, killed with any signal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort, waitUntil } from "../../src/runtime/net";

export const ROOT = path.resolve(__dirname, "../..");
export const MAIN = path.join(ROOT, "dist/src/main.js");

export interface RoleProcess {
  role: string;
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  healthz(): Promise<number>;
  /** SIGKILL (no goodbye) or SIGTERM (graceful), then waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `env` is the whole environment (nothing of the caller's leaks in but PATH and HOME). */
export async function startRole(role: "all" | "bot" | "worker" | "api", env: Record<string, string>, options: { healthyWithinMs?: number; keepOutput?: number } = {}): Promise<RoleProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, role], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HTTP_HOST: "127.0.0.1", EMBEDDED_SERVICES: "false", ...env, HTTP_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = options.keepOutput ?? 200_000;
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-keep);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const healthz = () => fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
  const healthy = await waitUntil(async () => child.exitCode !== null || (await healthz()) === 200, options.healthyWithinMs ?? 60_000, 200);
  if (!healthy || child.exitCode !== null) {
    child.kill("SIGKILL");
    throw new Error(`${role} did not become healthy:\n${output.slice(-4000)}`);
  }
  return {
    role,
    child,
    port,
    output: () => output,
    exited,
    healthz,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
