/**
 * The built service as a user runs it: `node dist/src/main.js` with the bot pointed at the fake Bot
 * API (TELEGRAM_API_ROOT), real MongoDB and Redis; stopped with SIGTERM. `npm test` builds first.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { FakeTelegram } from "../support/fake-telegram";
import { testMongoUriFor } from "../support/db";
import { freePort } from "../../src/runtime/net";
import { E2E_TOKEN as TOKEN, MAIN, serviceEnv, startService, stopWithSigterm } from "./service-process";

beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it first)`);
});

describe("the built service", () => {
  let fake: FakeTelegram;
  beforeEach(async () => {
    fake = await FakeTelegram.start({ token: TOKEN });
  });
  afterEach(async () => {
    await fake.stop();
  });

  test("a bad configuration stops start-up with one clear line", () => {
    const result = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? "", HTTP_PORT: "80a" }, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Configuration error: BOT_TOKEN is required/)]);

    const production = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? "", BOT_TOKEN: TOKEN, NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(production.status).toBe(1);
    expect(production.stderr.trim()).toMatch(/^Configuration error: MONGODB_URI is required in production/);
  });

  test("long polling: answers /start in Russian and English, then stops on SIGTERM with exit 0", async () => {
    const service = await startService(serviceEnv(fake));
    try {
      expect(service.output()).toMatch(/using MongoDB at mongodb:\/\/127\.0\.0\.1:\d+\/e2e_\w+ and Redis at/);
      fake.injectMessage({ id: 5001, first_name: "Анна", language_code: "ru" }, "/start");
      await expect(fake.waitForMessage(5001, "Здравствуйте!", 15000)).resolves.toBeTruthy();
      fake.injectMessage({ id: 5002, first_name: "Ann", language_code: "en" }, "/start");
      await expect(fake.waitForMessage(5002, "Hello!", 15000)).resolves.toBeTruthy();

      const commands = fake.calls.filter((c) => c.method === "setMyCommands").map((c) => c.params.language_code ?? "default");
      expect(commands).toEqual(expect.arrayContaining(["ru", "en", "default"]));
    } finally {
      const { code, ms } = await stopWithSigterm(service);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10000);
    }
    // The user's name never reaches the log.
    expect(service.output()).not.toContain("Анна");
  }, 60000);

  test("webhook mode: updates arrive by webhook, a wrong secret is refused", async () => {
    const port = await freePort();
    const secret = "e2e-webhook-secret-" + randomBytes(8).toString("hex");
    const service = await startService(serviceEnv(fake, { WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`, WEBHOOK_SECRET: secret }), port);
    try {
      const setWebhook = fake.calls.find((c) => c.method === "setWebhook");
      expect(setWebhook?.params).toMatchObject({ url: `http://127.0.0.1:${port}/telegram/webhook`, secret_token: secret });

      const update = fake.injectMessage({ id: 5003, first_name: "Test", language_code: "ru" }, "/help");
      expect(await fake.pushToWebhook(update)).toBe(200);
      await expect(fake.waitForMessage(5003, "Что умеет бот", 15000)).resolves.toBeTruthy();

      const forged = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "wrong-secret-value" },
        body: JSON.stringify({ ...update, update_id: update.update_id + 1000 }),
      });
      expect(forged.status).toBe(401);
    } finally {
      const { code } = await stopWithSigterm(service);
      expect(code).toBe(0);
    }
  }, 60000);
});

afterAll(async () => {
  // The service's databases live on the shared test server; drop the ones this file made.
  const connection = await mongoose.createConnection(testMongoUriFor("admin")).asPromise();
  const { databases } = await connection.db!.admin().listDatabases();
  for (const { name } of databases.filter((d) => d.name.startsWith("e2e_"))) await connection.useDb(name).dropDatabase();
  await connection.close();
});
