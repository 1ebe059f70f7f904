/**
 * The HTTP side: /healthz, /metrics, the Telegram webhook (when configured) and whatever routes a
 * role adds (the exchange API). Errors always answer JSON, never a stack trace.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIPv4 } from "node:net";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
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
  /** METRICS_TOKEN: /metrics wants it as a bearer token; without it /metrics answers loopback only. */
  metricsToken?: string;
  /** TRUST_PROXY: whose X-Forwarded-For names the client (request.ip). */
  trustProxy?: string | false;
}

const HEALTH_TIMEOUT_MS = 2000;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: "http" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy || false,
  });

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

  app.get("/metrics", { onRequest: metricsGuard(options.metricsToken) }, async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return app;
}

/**
 * /metrics tells an outsider what runs and how busy it is: with METRICS_TOKEN it wants that bearer
 * token; without, it answers only a direct request from loopback (the socket's address, and no
 * proxy header: a proxy on the same host would otherwise make every visitor "local").
 */
function metricsGuard(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token) {
      if (!sameSecret(bearerToken(request.headers.authorization), token)) return reply.status(401).header("www-authenticate", "Bearer").send({ error: "Unauthorized" });
      return;
    }
    const proxied = request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined;
    if (proxied || !isLoopback(request.socket.remoteAddress)) {
      return reply.status(403).send({ error: "/metrics answers only on loopback; set METRICS_TOKEN to scrape it from elsewhere" });
    }
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

/** Compares two secrets in constant time (of their hashes: lengths may differ). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || (isIPv4(v4) && v4.startsWith("127."));
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
