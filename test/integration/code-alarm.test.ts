/**
 * Issue 16.13: wrong invite codes are counted across all users in Redis over a sliding window; at
 * the threshold every admin (of every school, and the bootstrap admins) gets one alert, at most
 * once per window, planned as deliveries like any other message.
 */
import pino from "pino";
import { Account, Delivery, School } from "../../src/db/models";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { createCodeAlarm, type CodeAlarm } from "../../src/services/code-alarm";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";

useTestDb();
const redis = useTestRedis();
const WINDOW_MS = 10 * 60_000;
/** The start of a window (the alarm's buckets are multiples of the window since the epoch). */
const T0 = new Date(Math.ceil(new Date("2026-11-20T09:00:00Z").getTime() / WINDOW_MS) * WINDOW_MS);
const at = (ms: number) => new Date(T0.getTime() + ms);
const BOOTSTRAP = 700_000;

let queues: QueueFactory;
let alarm: CodeAlarm;
let admins: Record<string, string>;

beforeAll(async () => {
  queues = createQueueFactory(redis.url, redis.prefix);
  alarm = createCodeAlarm({
    redis: queues.redis, prefix: redis.prefix, deliveries: queues.queue(QUEUES.deliveries), logger: pino({ level: "silent" }),
    settings: { threshold: 5, windowMs: WINDOW_MS }, bootstrapAdmins: [BOOTSTRAP],
  });
  const [a, b] = await School.create([{ name: "Школа А" }, { name: "Школа Б" }]);
  const make = (telegramId: number, extra: Record<string, unknown>) => Account.create({ telegramId, chatId: telegramId, ...extra });
  admins = {
    a: String((await make(700_001, { roles: [{ role: "admin", schoolId: a._id }] }))._id),
    b: String((await make(700_002, { roles: [{ role: "admin", schoolId: b._id, expiresAt: at(365 * 24 * 3600_000) }] }))._id),
    // Admin of both schools: one message.
    both: String((await make(700_003, { roles: [{ role: "admin", schoolId: a._id }, { role: "admin", schoolId: b._id }] }))._id),
    bootstrap: String((await make(BOOTSTRAP, {}))._id),
  };
  // Not alerted: a role past its year, an account that blocked the bot, a teacher, a parent.
  await make(700_010, { roles: [{ role: "admin", schoolId: a._id, expiresAt: at(-1000) }] });
  await make(700_011, { active: false, roles: [{ role: "admin", schoolId: a._id }] });
  await make(700_012, { roles: [{ role: "teacher", schoolId: a._id, teacherId: a._id }] });
});
afterAll(async () => {
  await queues.queue(QUEUES.deliveries).obliterate({ force: true });
  await queues.close();
});

const alerts = async () => (await Delivery.find({ kind: "admin-alert" }).lean()).map((d) => ({ source: d.idempotencyKey.split("/")[0], accountId: String(d.recipient?.accountId) }));

test("below the threshold nothing; at it every admin once; the flood going on within the window adds nothing", async () => {
  for (let i = 0; i < 4; i++) await alarm.wrongCode(at(i * 1000));
  expect(await alerts()).toEqual([]);
  await alarm.wrongCode(at(5000));
  const first = await alerts();
  expect(first.map((a) => a.accountId).sort()).toEqual(Object.values(admins).sort());
  expect(new Set(first.map((a) => a.source))).toEqual(new Set([`code-alarm-${T0.getTime() / WINDOW_MS}`]));
  const job = await queues.queue(QUEUES.deliveries).getJob(`${first[0].source}/a${admins.a}/telegram`);
  expect((job?.data as { notice?: unknown } | undefined)?.notice).toEqual({ template: "code-alarm", count: 5, threshold: 5, minutes: 10 });
  for (let i = 0; i < 30; i++) await alarm.wrongCode(at(6000 + i * 10_000));
  expect(await alerts()).toHaveLength(first.length);
});

test("a flood straddling two windows is seen; the next alert comes a full window after the first", async () => {
  // Just after the window boundary: the previous window still counts, but the first alert was under 10 minutes ago.
  await alarm.wrongCode(at(WINDOW_MS + 1000));
  expect(new Set((await alerts()).map((a) => a.source)).size).toBe(1);
  // A full window after the first alert, the flood still going: a second alert.
  await alarm.wrongCode(at(WINDOW_MS + 6000));
  const sources = new Set((await alerts()).map((a) => a.source));
  expect(sources).toEqual(new Set([`code-alarm-${T0.getTime() / WINDOW_MS}`, `code-alarm-${T0.getTime() / WINDOW_MS + 1}`]));
  // Quiet for two windows: a single wrong code is a typo again.
  await alarm.wrongCode(at(4 * WINDOW_MS));
  expect(new Set((await alerts()).map((a) => a.source)).size).toBe(2);
});

test("a Redis failure never reaches the user: the alarm only logs", async () => {
  const lines: string[] = [];
  const broken = createCodeAlarm({
    redis: { multi: () => { throw new Error("connection is closed"); } } as never, prefix: redis.prefix, deliveries: queues.queue(QUEUES.deliveries),
    logger: pino({ level: "warn" }, { write: (line: string) => void lines.push(line) }), settings: { threshold: 1, windowMs: WINDOW_MS }, bootstrapAdmins: [],
  });
  await expect(broken.wrongCode(at(0))).resolves.toBeUndefined();
  expect(lines.join("")).toContain("invite-code alarm failed");
});
