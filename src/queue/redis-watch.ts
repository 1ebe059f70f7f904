/**
 * Notices that Redis lost its data and rebuilds the queues from MongoDB (issue 10.4).
 *
 * A marker key (`<prefix>:recovery:epoch`) is written once the queues are known to match MongoDB.
 * Every worker checks it every few seconds: when it is gone, Redis lost everything since (FLUSHALL,
 * a restart without persistence, a failover to an empty replica), and one worker (a lock key, so
 * that a worker killed half-way leaves the work to another after the lock expires) restores the
 * job schedulers, sweeps the outbox, and re-drives every unfinished delivery and event
 * (src/queue/redrive.ts) before writing the marker again.
 *
 * This is a watch, not a schedule: a process timer is the one thing that survives Redis losing its
 * job schedulers. The same re-drive also runs every minute in the outbox-sweep job (for partial
 * losses that keep the marker), for records older than two minutes.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger";
import type { NotifyEnv } from "../services/notify/env";
import { redrive, type RedriveReport } from "./redrive";

export const DEFAULT_WATCH_INTERVAL_MS = 5_000;
const LOCK_MS = 120_000;

export interface RedisWatchOptions {
  env: NotifyEnv;
  /** Registers the job schedulers again (idempotent). */
  restoreSchedulers: () => Promise<void>;
  /** Sweeps the outbox: events never handed to the queue. */
  sweepOutbox: () => Promise<number>;
  intervalMs?: number;
  logger: Logger;
}

export interface RecoveryReport extends RedriveReport {
  outbox: number;
}

export interface RedisWatch {
  /** One check now: null when Redis still has its marker (or another worker is recovering). */
  check(): Promise<RecoveryReport | null>;
  stop(): Promise<void>;
}

export function startRedisWatch(options: RedisWatchOptions): RedisWatch {
  const { env, logger } = options;
  const log = logger.child({ component: "redis-watch" });
  const marker = `${env.prefix}:recovery:epoch`;
  const lock = `${env.prefix}:recovery:lock`;
  const me = randomBytes(6).toString("hex");
  let running: Promise<RecoveryReport | null> | null = null;
  let failures = 0;

  async function recover(): Promise<RecoveryReport | null> {
    if (await env.redis.exists(marker)) return null;
    if ((await env.redis.set(lock, me, "PX", LOCK_MS, "NX")) !== "OK") return null;
    const started = Date.now();
    try {
      await options.restoreSchedulers();
      const outbox = await options.sweepOutbox();
      const report = await redrive(env, { now: env.now(), graceMs: 0 });
      await env.redis.set(marker, new Date().toISOString());
      const result = { ...report, outbox };
      const busy = report.deliveries + report.events + outbox > 0;
      log[busy ? "warn" : "info"]({ ...result, ms: Date.now() - started }, busy ? "Redis had lost work: queues rebuilt from MongoDB" : "queues checked against MongoDB");
      return result;
    } finally {
      // Only our own lock (a slow run may have outlived it).
      if ((await env.redis.get(lock)) === me) await env.redis.del(lock);
    }
  }

  const check = () => {
    running ??= recover().finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    check().then(
      () => (failures = 0),
      (error: unknown) => {
        // Redis or MongoDB away: said once per outage, then quiet until it works again.
        if (failures++ === 0) log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "cannot check the queues against MongoDB yet");
      },
    );
  }, options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS);
  timer.unref();
  return {
    check,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => null);
    },
  };
}
