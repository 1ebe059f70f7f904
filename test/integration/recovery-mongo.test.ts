/**
 * MongoDB paused for a while (issue 10.4): the built service (its own stand-in, its own Redis)
 * answers /healthz 503 and tells a user "temporarily unavailable"; once MongoDB is back, every
 * message that was pending arrives once. Conditions are polled with generous deadlines.
 */
import mongoose from "mongoose";
import { createHash } from "node:crypto";
import { Delivery, DomainEvent, FinalGrade, type AccountDocument } from "../../src/db/models";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { QUEUES } from "../../src/queue/names";
import { EVENT_JOB_OPTIONS } from "../../src/services/exchange/events";
import { enqueueDeliveries } from "../../src/services/notify/deliveries";
import { waitUntil } from "../../src/runtime/net";
import { FakeTelegram } from "../support/fake-telegram";
import { startStandin, type Standin } from "../support/mongo-standin";
import { startOwnRedis, type OwnRedis } from "../support/own-redis";
import { startRole, type RoleProcess } from "../support/service-roles";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { rotateToken } from "../../src/services/schools";
import { termPeriod } from "./notify-events";

jest.setTimeout(300_000);

let standin: Standin;
let redis: OwnRedis;
let fake: FakeTelegram;
let queues: QueueFactory;
let service: RoleProcess;
let fx: SchoolFixture;
let paused = false;

beforeAll(async () => {
  standin = await startStandin();
  redis = await startOwnRedis();
  fake = await FakeTelegram.start();
  await mongoose.connect(standin.uri, { dbName: "pause", serverSelectionTimeoutMS: 10_000 });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  queues = createQueueFactory(redis.url);
  service = await startRole("all", {
    BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, MONGODB_URI: `${standin.uri}/pause`, REDIS_URL: redis.url, CODE_PEPPER: "pause-test-pepper", LOG_LEVEL: "info",
  });
});

afterAll(async () => {
  if (paused) process.kill(standin.pid, "SIGCONT");
  if (process.env.SHOW_SERVICE_LOG) console.log(service?.output().slice(-6000));
  await service?.kill("SIGTERM");
  await queues?.close();
  await mongoose.disconnect();
  await fake?.stop();
  await redis?.stop();
  await standin?.stop();
});

test("a 30 s pause: /healthz 503, 'temporarily unavailable', then everything pending delivered once", async () => {
  const parents: AccountDocument[] = [];
  for (let i = 0; i < 4; i++) parents.push(await guardianAccount(fx, 940_000 + i, fx.guardians.parent, i === 0 ? [fx.students.maria] : []));
  // Pending before the pause: a broadcast to four persons, and a final grade whose event is recorded but not yet handed over.
  const final = await FinalGrade.create({ schoolId: fx.school._id, externalId: "fg-pause", studentId: fx.students.maria._id, subjectId: fx.subjects.alg, periodId: await termPeriod(fx), status: "final", value: "5", resultsAt: new Date() });
  const eventId = `final.published-${createHash("sha256").update("pause").digest("hex")}`;
  await DomainEvent.create({ schoolId: fx.school._id, eventId, type: "final.published", entity: { resource: "finalGrades", id: final._id }, studentIds: [fx.students.maria._id], payload: { after: { status: "final", value: "5" } }, enqueuedAt: new Date() });
  await enqueueDeliveries(queues.queue(QUEUES.deliveries), parents.map((p) => ({
    source: "broadcast-pause", schoolId: fx.school._id, kind: "broadcast" as const, channel: "telegram" as const, accountId: p._id, notice: { template: "broadcast" as const, school: "Школа", text: "объявление перед паузой" },
  })), new Date());

  const { token } = await rotateToken(String(fx.school._id));

  process.kill(standin.pid, "SIGSTOP");
  paused = true;
  const pausedAt = Date.now();
  await queues.queue(QUEUES.events).add("final.published", { eventId, type: "final.published", schoolId: String(fx.school._id) }, { ...EVENT_JOB_OPTIONS, jobId: eventId });
  expect(await waitUntil(async () => (await service.healthz()) === 503, 60_000, 250)).toBe(true);
  // The bot's own watch has noticed (an update that came before it waits for MongoDB instead).
  expect(await waitUntil(async () => service.output().includes("MongoDB does not answer"), 60_000, 250)).toBe(true);
  fake.injectMessage({ id: 949_001, first_name: "Гость", language_code: "ru" }, "/start");
  const answer = await fake.waitForMessage(949_001, "временно недоступен", 60_000);
  expect(answer.plain).toContain("Отправьте, пожалуйста, сообщение ещё раз");
  fake.injectMessage({ id: 949_002, first_name: "Guest", language_code: "en" }, "/start");
  await fake.waitForMessage(949_002, "temporarily unavailable", 60_000);
  // The journal's batch is refused at once, not left hanging: it knows nothing was applied and when to retry.
  const put = await fetch(`http://127.0.0.1:${service.port}/api/v1/subjects`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ items: [] }), signal: AbortSignal.timeout(5000),
  });
  expect(put.status).toBe(503);
  expect(put.headers.get("retry-after")).toBe("30");
  expect(((await put.json()) as { error: string }).error).toContain("nothing of the batch was applied");
  // A page of the cabinet says so in the reader's language.
  const page = await fetch(`http://127.0.0.1:${service.port}/app/`, { headers: { "accept-language": "ru" }, signal: AbortSignal.timeout(5000) });
  expect(page.status).toBe(503);
  expect(await page.text()).toContain("Сервис временно недоступен");

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - pausedAt))));
  process.kill(standin.pid, "SIGCONT");
  paused = false;
  expect(await waitUntil(async () => (await service.healthz()) === 200, 60_000, 250)).toBe(true);

  const chats = parents.map((p) => p.chatId);
  const arrived = () => chats.every((c) => fake.sent(c).some((m) => m.plain?.includes("объявление перед паузой"))) && fake.sent(parents[0].chatId).some((m) => m.plain?.includes("Итоговая оценка"));
  expect(await waitUntil(async () => arrived(), 120_000, 250)).toBe(true);
  await waitUntil(async () => (await Delivery.countDocuments({ status: "sent" })) >= 5, 60_000, 250);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a late duplicate would show up here
  for (const chat of chats) expect(fake.sent(chat).filter((m) => m.plain?.includes("объявление перед паузой"))).toHaveLength(1);
  expect(fake.sent(parents[0].chatId).filter((m) => m.plain?.includes("Итоговая оценка"))).toHaveLength(1);
  // The bot works again: the same guest gets the ordinary greeting.
  fake.injectMessage({ id: 949_001, first_name: "Гость", language_code: "ru" }, "/help");
  await fake.waitFor((call) => call.method === "sendMessage" && Number(call.params.chat_id) === 949_001 && !String(call.params.text).includes("временно"), 30_000);
});
