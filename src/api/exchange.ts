/**
 * The exchange API v1 (docs/exchange-api.md): `PUT /api/v1/<resource>` with `{"items": [...]}`,
 * authenticated by the school's bearer token, plus the `bundle` extension. Every answer is JSON.
 */
import rateLimit from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { EXCHANGE_RESOURCES, type ExchangeResource, type SchoolDocument } from "../db/models";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { QUEUES } from "../queue/names";
import type { QueueFactory } from "../queue/connection";
import type { DatabaseHealth } from "../runtime/db-health";
import { bearerToken } from "../http/server";
import { authenticateToken } from "../services/schools";
import { ExchangeInputError, ExchangeTooLargeError, ExchangeUnavailableError } from "../services/exchange/errors";
import { importBatch, importBundle, type ImportOptions } from "../services/exchange/import";
import { rollOverSchoolYear } from "../services/school-year";

export interface ExchangeApiDeps {
  config: Pick<Config, "EXCHANGE_BODY_LIMIT_MB" | "EXCHANGE_MAX_ITEMS">;
  logger: Logger;
  /**
   * Domain events go to its `QUEUES.events` queue (without it they stay in the outbox); failed
   * authentications are counted in its Redis, shared by every api process (without it, in memory).
   */
  queues?: Pick<QueueFactory, "queue"> & Partial<Pick<QueueFactory, "redis" | "prefix">>;
  /** While MongoDB does not answer, a batch is refused at once (503, Retry-After) instead of hanging. */
  database?: DatabaseHealth;
  /** The clock of the school-year rollover (tests inject one). */
  now?: () => Date;
}

/**
 * Wrong tokens from one address: the 10th within 15 minutes closes the API to that address until
 * the window ends (429 with Retry-After), whatever token it sends next, so that guessing gains
 * nothing. A journal with a stale token retries slowly anyway; a missing token is not counted.
 */
export const AUTH_FAILURES_ALLOWED = 10;
export const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;

/** The extension endpoint for several resources in one batch. */
export const BUNDLE = "bundle";
/** The new school year's rollover (issue 15; src/services/school-year.ts). */
export const SCHOOL_YEAR = "schoolYear";

const UNAUTHORIZED = { error: "Unauthorized" };
const DATABASE_RETRY_AFTER_S = 30;
const DATABASE_DOWN = { error: "The database does not answer at the moment; nothing of the batch was applied; send it again later" };
const TOO_MANY_FAILURES = { error: "Too many failed authentications from this address; try again later with the school's current token" };

declare module "fastify" {
  interface FastifyRequest {
    school?: SchoolDocument;
  }
}

function parseNotify(value: unknown): boolean | undefined {
  if (value === undefined || value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return undefined;
}

export function registerExchangeApi(app: FastifyInstance, deps: ExchangeApiDeps): void {
  const limitMb = deps.config.EXCHANGE_BODY_LIMIT_MB;
  const events = deps.queues?.queue(QUEUES.events);
  const deliveries = deps.queues?.queue(QUEUES.deliveries);
  const log = deps.logger.child({ component: "exchange-api" });

  void app.register(async (api) => {
    // Only JSON here: Fastify's text/plain parser would otherwise let a text body through.
    api.removeContentTypeParser("text/plain");

    // Counts failed authentications per client address (request.ip: TRUST_PROXY decides whose
    // X-Forwarded-For is believed). A Redis outage lets requests through rather than stop the journal.
    const redis = deps.queues?.redis;
    await api.register(rateLimit, {
      global: false,
      skipOnError: true,
      ...(redis ? { redis, nameSpace: `${deps.queues?.prefix ?? "ed"}:exchange-auth-failures:` } : {}),
    });
    const failures = api.createRateLimit({ max: AUTH_FAILURES_ALLOWED, timeWindow: AUTH_FAILURE_WINDOW_MS });

    api.addHook("onRequest", async (request, reply) => {
      // A paused MongoDB makes every operation wait: the journal would time out not knowing what was
      // applied. Refusing before anything is read tells it plainly that nothing was, and when to retry.
      if (deps.database && !deps.database.up()) {
        return reply.status(503).header("retry-after", String(DATABASE_RETRY_AFTER_S)).send(DATABASE_DOWN);
      }
      const state = await failures(request, { increment: false });
      if (!state.isAllowed && state.remaining === 0) {
        return reply.status(429).header("retry-after", String(Math.max(1, state.ttlInSeconds))).send(TOO_MANY_FAILURES);
      }
      const token = bearerToken(request.headers.authorization);
      const school = await authenticateToken(token).catch((error: Error) => {
        throw new ExchangeUnavailableError(error.message.split("\n")[0]);
      });
      if (!school) {
        if (token !== undefined) {
          const counted = await failures(request);
          log.warn({ failures: counted.isAllowed ? undefined : AUTH_FAILURES_ALLOWED - counted.remaining }, "exchange authentication failed");
        }
        return reply.status(401).header("www-authenticate", "Bearer").send(UNAUTHORIZED);
      }
      request.school = school;
    });

    api.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, limitMb, log));

    api.put<{ Querystring: Record<string, string> }>(`/api/v1/${SCHOOL_YEAR}`, { bodyLimit: Math.round(limitMb * 1024 * 1024) }, async (request, reply) => {
      const notify = parseNotify(request.query.notify);
      if (notify === undefined) return reply.status(400).send({ error: "The query parameter notify must be true or false" });
      const school = request.school!;
      const result = await rollOverSchoolYear(school, request.body, { now: deps.now?.() ?? new Date(), deliveries, notify, logger: log });
      return reply.status(200).send(result);
    });

    api.put<{ Params: { resource: string }; Querystring: Record<string, string> }>(
      "/api/v1/:resource",
      { bodyLimit: Math.round(limitMb * 1024 * 1024) },
      async (request, reply) => {
        const { resource } = request.params;
        if (resource !== BUNDLE && !(EXCHANGE_RESOURCES as readonly string[]).includes(resource)) {
          return reply.status(404).send({ error: `Unknown resource "${resource}"; the resources are: ${EXCHANGE_RESOURCES.join(", ")} (and ${BUNDLE} for several at once, ${SCHOOL_YEAR} for the new school year)` });
        }
        const notify = parseNotify(request.query.notify);
        if (notify === undefined) return reply.status(400).send({ error: "The query parameter notify must be true or false" });
        const school = request.school!;
        const options: ImportOptions = { notify, events, maxItems: deps.config.EXCHANGE_MAX_ITEMS, logger: log };
        const target = { _id: school._id, timezone: school.timezone, loadedResources: school.loadedResources };
        const started = Date.now();
        const result =
          resource === BUNDLE ? await importBundle(target, request.body, options) : await importBatch(target, resource as ExchangeResource, request.body, options);
        log.info({ schoolId: school._id.toHexString(), resource, ms: Date.now() - started, ...("resources" in result ? { ...result, resources: undefined } : result) }, "exchange batch applied");
        return reply.status(200).send(result);
      },
    );
  });
}

function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, limitMb: number, log: Logger) {
  const schoolId = request.school?._id.toHexString();
  if (error instanceof ExchangeInputError) {
    log.info({ schoolId, errors: error.errors.length }, "exchange batch refused");
    return reply.status(422).send({ error: error.message, errors: error.errors });
  }
  if (error instanceof ExchangeTooLargeError) return reply.status(413).send({ error: error.message });
  if (error instanceof ExchangeUnavailableError) {
    log.error({ schoolId, err: { message: error.detail } }, "exchange batch failed");
    return reply.status(503).header("retry-after", "30").send({ error: error.message });
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return reply.status(413).send({ error: `The body is larger than ${limitMb} MB (EXCHANGE_BODY_LIMIT_MB): split the items into several batches` });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return reply.status(415).send({ error: `Content-Type must be application/json, not ${request.headers["content-type"] ?? "missing"}` });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return reply.status(400).send({ error: 'The body is empty; send {"items": [...]}' });
  }
  if (error.statusCode === 400 && (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY")) {
    return reply.status(400).send({ error: `Malformed JSON: ${error.message}` });
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) log.error({ schoolId, err: { type: error.name, message: error.message } }, "exchange request failed");
  return reply.status(status).send({ error: status >= 500 ? "Internal server error" : error.message });
}
