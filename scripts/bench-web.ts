/**
 * Benchmark of the web cabinet. Run: `npm run bench:web [-- --seconds N] [--connections N]`.
 * 50 guardians (default), each signed in with a session of their own, ask for the start page and then the grades page of their child at the same time,
 * over loopback HTTP (autocannon, one connection per guardian): every request goes through the
 * whole app (session lookup in MongoDB, access checks, the diary's queries, the page). Printed:
 * requests per second and the latency (median, p95, p99) of each page. The per-address page limit
 * is lifted for the run (50 guardians on one address would meet it: that is what it is for).
 */
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { createSchoolFixture, guardianAccount } from "../test/support/fixtures";
import { moscow } from "../test/bot/views-support";
import { sessionCookieFor, startWeb, type WebServer } from "../test/support/web";
import { percentile, runBench, startBenchServices, stopAfter, wholeArg } from "./lib/bench-env";

interface PageFigures {
  page: string;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

/** One page hammered by `cookies.length` connections, each with its own session cookie. */
async function hammer(web: WebServer, page: string, path: string, cookies: string[], seconds: number): Promise<PageFigures> {
  const times: number[] = [];
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: web.url + path,
        connections: cookies.length,
        duration: seconds,
        setupClient(client) {
          client.setHeaders({ cookie: cookies[next++ % cookies.length] });
        },
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  const errors = result.non2xx + result.errors + result.timeouts;
  return {
    page,
    requests: result.requests.total,
    errors,
    requestsPerSecond: Math.round((result.requests.total / result.duration) * 10) / 10,
    medianMs: Math.round(percentile(times, 0.5) * 10) / 10,
    p95Ms: Math.round(percentile(times, 0.95) * 10) / 10,
    p99Ms: Math.round(percentile(times, 0.99) * 10) / 10,
  };
}

async function main(): Promise<void> {
  const seconds = wholeArg("seconds", 10);
  const guardians = wholeArg("connections", 50);
  stopAfter("bench:web", 10 * 60_000);
  const services = await startBenchServices("(the MongoDB stand-in answers every query in Python: figures against a real mongod are several times higher)");
  const redis = new Redis(services.redis.url);
  const now = moscow("2026-12-03 18:00");
  let web: WebServer | undefined;
  try {
    const fx = await createSchoolFixture();
    web = await startWeb({ now, redis, redisPrefix: `bench-web-${process.pid}`, pageRateLimit: 1_000_000_000 });
    const cookies: string[] = [];
    // One guardian signs in as the Mini App does; the other sessions are made as that sign-in makes
    // them (signing in 50 times from one address would meet the sign-in limit, as it should).
    await guardianAccount(fx, 900_000, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
    const client = web.client();
    if ((await client.signInTelegram(900_000)).status !== 303) throw new Error("the Mini App sign-in failed");
    cookies.push([...client.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    for (let i = 1; i < guardians; i++) {
      const account = await guardianAccount(fx, 900_000 + i, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
      cookies.push(await sessionCookieFor(web, account._id, now));
    }
    // Warm-up: every session and every query plan once.
    await hammer(web, "warm-up", "/app/", cookies, 1);
    console.log(`${guardians} signed-in guardians, ${seconds} s per page, loopback HTTP`);
    const figures = [
      await hammer(web, "start /app/", "/app/", cookies, seconds),
      await hammer(web, "grades /app/c/<child>/grades", `/app/c/${fx.students.maria._id}/grades`, cookies, seconds),
    ];
    for (const f of figures) {
      console.log(`${f.page}: ${f.requestsPerSecond} requests/s (${f.requests} in ${seconds} s, ${f.errors} not 2xx), latency median ${f.medianMs} ms, p95 ${f.p95Ms} ms, p99 ${f.p99Ms} ms`);
    }
    if (figures.some((f) => f.errors > 0)) throw new Error("some requests failed");
  } finally {
    await web?.close();
    redis.disconnect();
    await services.stop();
  }
}

runBench("bench:web", main);
