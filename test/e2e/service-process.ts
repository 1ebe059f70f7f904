/** Starting the built service (`node dist/src/main.js`) as a user would, for the end-to-end tests. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { FakeTelegram } from "../support/fake-telegram";
import { testMongoUriFor } from "../support/db";
import { testRedisUrl } from "../support/redis";
import { freePort, waitUntil } from "../../src/runtime/net";

export const ROOT = path.resolve(__dirname, "../..");
export const MAIN = path.join(ROOT, "dist/src/main.js");
export const E2E_TOKEN = "424242:E2E-token-for-the-fake-bot-api-000";

export interface StartedService {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** The environment of a service process: nothing of the test runner's but PATH and HOME. */
export function serviceEnv(fake: FakeTelegram, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    BOT_TOKEN: E2E_TOKEN,
    TELEGRAM_API_ROOT: fake.apiRoot,
    MONGODB_URI: testMongoUriFor(`e2e_${randomBytes(4).toString("hex")}`),
    REDIS_URL: testRedisUrl(),
    // Service processes of suites running side by side must not take each other's jobs.
    REDIS_PREFIX: `e2e-${randomBytes(4).toString("hex")}`,
    HTTP_HOST: "127.0.0.1",
    EMBEDDED_SERVICES: "false",
    CODE_PEPPER: "e2e-pepper-of-the-service-tests",
    ...extra,
  };
}

export async function startService(env: Record<string, string>, port?: number): Promise<StartedService> {
  port ??= await freePort();
  const child = spawn(process.execPath, [MAIN, "all"], { env: { ...env, HTTP_PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const healthy = await waitUntil(async () => {
    if (child.exitCode !== null) return true;
    return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
  }, 20000, 100);
  if (!healthy || child.exitCode !== null) {
    child.kill("SIGKILL");
    throw new Error(`service did not become healthy:\n${output}`);
  }
  return { child, port, output: () => output, exited };
}

export async function stopWithSigterm(service: StartedService): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  service.child.kill("SIGTERM");
  const code = await service.exited;
  return { code, ms: Date.now() - started };
}
