import { Counter, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per process; /metrics serves it in Prometheus text format. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ed_" });
  return {
    registry,
    botUpdates: new Counter({ name: "ed_bot_updates_total", help: "Telegram updates handled", labelNames: ["type"], registers: [registry] }),
    botErrors: new Counter({ name: "ed_bot_errors_total", help: "Telegram updates that failed", registers: [registry] }),
    botThrottled: new Counter({ name: "ed_bot_throttled_total", help: "Telegram updates ignored or answered once by the per-user throttle", registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
