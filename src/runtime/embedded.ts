/**
 * A newcomer's defaults outside production: without MONGODB_URI an embedded MongoDB
 * (mongodb-memory-server) keeping its data under DATA_DIR/mongo; without REDIS_URL the local Redis
 * on 6379, or a redis-server started for this process with its data under DATA_DIR/redis.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, redisAnswers, waitUntil } from "./net";
import type { Config } from "../config";
import type { Logger } from "../logger";

export interface Resolved {
  url: string;
  /** For the start-up log line; never contains credentials. */
  description: string;
  stop: () => Promise<void>;
}

const nothing = async () => {};

export async function resolveMongo(config: Config, logger: Logger): Promise<Resolved> {
  if (config.MONGODB_URI) return { url: config.MONGODB_URI, description: `MongoDB at ${safeUrl(config.MONGODB_URI)}`, stop: nothing };
  if (!config.EMBEDDED_SERVICES) throw new StartupError("MONGODB_URI is not set and EMBEDDED_SERVICES=false");
  const dbPath = path.resolve(config.DATA_DIR, "mongo");
  fs.mkdirSync(dbPath, { recursive: true });
  logger.info({ dbPath }, "starting embedded MongoDB (mongodb-memory-server)");
  try {
    const { MongoMemoryServer } = await import("mongodb-memory-server");
    const server = await MongoMemoryServer.create({ instance: { dbPath, storageEngine: "wiredTiger" } });
    return {
      url: server.getUri(),
      description: `embedded MongoDB (data in ${dbPath})`,
      stop: async () => {
        await server.stop({ doCleanup: false });
      },
    };
  } catch (error) {
    throw new StartupError(
      `embedded MongoDB could not start (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); set MONGODB_URI to a MongoDB server`,
    );
  }
}

export async function resolveRedis(config: Config, logger: Logger): Promise<Resolved> {
  if (config.REDIS_URL) return { url: config.REDIS_URL, description: `Redis at ${safeUrl(config.REDIS_URL)}`, stop: nothing };
  const local = "redis://127.0.0.1:6379";
  if (await redisAnswers(local)) return { url: local, description: `Redis at ${local} (local)`, stop: nothing };
  if (!config.EMBEDDED_SERVICES) throw new StartupError("REDIS_URL is not set, nothing answers on 127.0.0.1:6379 and EMBEDDED_SERVICES=false");
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    throw new StartupError("REDIS_URL is not set, nothing answers on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)");
  }
  const dir = path.resolve(config.DATA_DIR, "redis");
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitUntil(() => redisAnswers(url), 5000))) throw new StartupError("the embedded redis-server did not start");
  logger.info({ port, dir }, "started embedded redis-server");
  return {
    url,
    description: `embedded redis-server on port ${port} (data in ${dir})`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export class StartupError extends Error {}

/** A URL without its password, for logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(unparseable URL)";
  }
}
