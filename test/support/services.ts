/** Starting MongoDB and Redis for tests; shared by jest's global setup and the benchmark scripts. */
import { spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { DryMongoBinary, MongoMemoryServer } from "mongodb-memory-server";
import { DEFAULT_VERSION, ResolveConfigVariables, resolveConfig } from "mongodb-memory-server-core/lib/util/resolveConfig";
import { freePort, redisAnswers, waitUntil } from "../../src/runtime/net";
import { startStandin, standinAvailable } from "./mongo-standin";

export interface RunningService {
  description: string;
  stop(): Promise<void>;
}
export interface RunningMongo extends RunningService {
  uri: string;
}
export interface RunningRedis extends RunningService {
  url: string;
}

const noop = async (): Promise<void> => {};

export async function startTestMongo(env = process.env): Promise<RunningMongo> {
  const forced = env.TEST_MONGO ?? (env.MONGODB_URI ? "uri" : "");
  if (forced === "uri") {
    if (!env.MONGODB_URI) throw new Error("TEST_MONGO=uri needs MONGODB_URI");
    return { uri: env.MONGODB_URI, description: "MONGODB_URI", stop: noop };
  }
  if (forced === "memory-server" || forced === "") {
    try {
      return await startMemoryServer();
    } catch (error) {
      if (forced === "memory-server") throw error;
      console.log(`[test] mongodb-memory-server unavailable (${firstLine(error)}); trying the stand-in`);
      if (!standinAvailable()) {
        throw new Error(
          "No MongoDB for tests: set MONGODB_URI, let mongodb-memory-server download mongod, " +
            "or install python3-mockupdb and python3-mongomock for the stand-in",
        );
      }
    }
  } else if (forced !== "standin") {
    throw new Error(`TEST_MONGO must be uri, memory-server or standin, not "${forced}"`);
  }
  const standin = await startStandin();
  return { uri: standin.uri, description: "wire-protocol stand-in (mockupdb + mongomock)", stop: standin.stop };
}

const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).split("\n")[0].replace(/[,:;]\s*(Details)?:?\s*$/, "");

/**
 * mongodb-memory-server with a mongod it already has, or one it can download. Offline, it would
 * spend seconds retrying a download and print a stack trace: when no binary is cached and the
 * download host does not resolve, this gives up at once; its own console warning is kept out of
 * the test output (the caller prints one line).
 */
export async function startMemoryServer(): Promise<RunningMongo> {
  const version = resolveConfig(ResolveConfigVariables.VERSION) ?? DEFAULT_VERSION;
  if (!(await DryMongoBinary.locateBinary({ version }))) {
    const url = resolveConfig(ResolveConfigVariables.DOWNLOAD_URL) ?? resolveConfig(ResolveConfigVariables.DOWNLOAD_MIRROR) ?? "https://fastdl.mongodb.org";
    const host = new URL(url).hostname;
    await lookup(host).catch(() => {
      throw new Error(`no mongod ${version} cached and the download host ${host} does not resolve`);
    });
  }
  const warn = console.warn;
  console.warn = () => undefined;
  let server;
  try {
    server = await MongoMemoryServer.create();
  } finally {
    console.warn = warn;
  }
  return {
    uri: server.getUri().replace(/\/$/, ""),
    description: "mongodb-memory-server",
    stop: async () => {
      await server.stop();
    },
  };
}

export async function startTestRedis(env = process.env): Promise<RunningRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, description: "REDIS_URL", stop: noop };
  const local = "redis://127.0.0.1:6379";
  if (await redisAnswers(local)) return { url: local, description: "local redis-server on 6379", stop: noop };
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: "ignore",
  });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitUntil(() => redisAnswers(url), 5000))) throw new Error("redis-server did not start; install the redis-server package");
  return {
    url,
    description: `redis-server started on port ${port}`,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
