/**
 * The HTTP side: /healthz, /metrics, the Telegram webhook (when configured) and whatever routes a
 * role adds (the exchange API). Errors always answer JSON, never a stack trace.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";

export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  health: HealthCheck[];
  bodyLimitBytes?: number;
}

const HEALTH_TIMEOUT_MS = 2000;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: options.logger.child({ component: "http" }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: options.bodyLimitBytes });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: { type: error.name, message: error.message }, url: request.routeOptions.url }, "request failed");
    void reply.status(status).send({ error: status >= 500 ? "Internal server error" : error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: `Not found: ${request.method} ${request.url.split("?")[0]}` });
  });

  app.get("/healthz", async (_request, reply) => {
    const results = await Promise.all(options.health.map(async ({ name, check }) => ({ name, up: await answers(check) })));
    const down = results.filter((r) => !r.up).map((r) => r.name);
    const body = Object.fromEntries(results.map((r) => [r.name, r.up ? "up" : "down"]));
    return reply.status(down.length ? 503 : 200).send({ status: down.length ? `down: ${down.join(", ")}` : "ok", ...body });
  });

  app.get("/metrics", async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return app;
}

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
