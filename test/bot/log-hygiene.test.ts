/**
 * Issue 16.9: the logs name accounts by their own id, never by the Telegram user id, and carry no
 * stack traces at info level (a stack repeats the error's message and the code's layout).
 */
import { Writable } from "node:stream";
import { Account } from "../../src/db/models";
import { createLogger } from "../../src/logger";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { useTestDb } from "../support/db";
import { linkedParent, makeSchool } from "./onboarding-support";

useTestDb();

function capture(level: string) {
  const lines: string[] = [];
  const logger = createLogger(level, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
  return { logger, lines };
}

describe("the logger", () => {
  test("at info: an error is its class and message, no stack, however it is passed", () => {
    const { logger, lines } = capture("info");
    const error = new TypeError("boom");
    logger.error({ err: error }, "as err");
    logger.error({ err: { type: "TypeError", message: "boom", stack: error.stack } }, "as a plain object");
    logger.warn({ job: { failure: { stack: error.stack, message: "boom" } } }, "nested");
    const records = lines.map((l) => JSON.parse(l));
    expect(records[0].err).toEqual({ type: "TypeError", message: "boom" });
    expect(records[1].err).toEqual({ type: "TypeError", message: "boom" });
    expect(records[2].job).toEqual({ failure: { message: "boom" } });
    expect(lines.join("")).not.toContain("log-hygiene.test");
  });

  test("at debug the stack is kept for the developer", () => {
    const { logger, lines } = capture("debug");
    logger.error({ err: new Error("boom") }, "x");
    expect(JSON.parse(lines[0]).err.stack).toContain("log-hygiene.test");
  });

  test("Telegram's identifiers are redacted if a caller slips", () => {
    const { logger, lines } = capture("info");
    logger.info({ telegramId: 555_000_111, userId: 555_000_112, update: { from: { id: 555_000_113, first_name: "Анна" }, chatId: 555_000_114 }, accountId: "a1" }, "x");
    expect(lines[0]).not.toMatch(/55500011\d|Анна/);
    expect(JSON.parse(lines[0]).accountId).toBe("a1");
  });
});

describe("the bot's logs at info level", () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness({ logLevel: "info" });
  });
  afterAll(async () => harness.stop());

  test("a parent's whole onboarding and a failed update: account ids only, no Telegram id, no stack", async () => {
    const school = await makeSchool();
    const parent = await linkedParent(harness, school, "s-masha", { id: 912_345_678 });
    const account = (await Account.findOne({ telegramId: 912_345_678 }).lean())!;
    // Telegram refuses the next message: the handler fails, the error boundary logs it.
    harness.fake.failNext("sendMessage", { status: 400, description: "Bad Request: message is too long" });
    await parent.send("/help");
    const failed = harness.logs.map((l) => JSON.parse(l)).filter((r) => r.msg === "bot update failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ accountId: String(account._id), err: { type: "GrammyError", message: expect.stringContaining("message is too long") } });
    const all = harness.logs.join("\n");
    expect(all).toContain(String(account._id));
    expect(all).not.toContain("912345678");
    expect(all).not.toContain('"stack"');
  });
});
