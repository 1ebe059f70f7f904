/**
 * The notifier against real Redis (the test's prefix), the test database and the fake Bot API
 * (limits enforced), plus a local SMTP server that keeps what arrives. Use once per test file.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { Delivery } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { createQueueFactory, type QueueFactory } from "../../src/queue/connection";
import { startNotifier, type Notifier, type NotifierOptions } from "../../src/queue/notifier";
import { FakeTelegram } from "../support/fake-telegram";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export interface NotifyHarness {
  fake: FakeTelegram;
  queues: QueueFactory;
  mails: Mail[];
  smtpUrl: string;
  logs: string[];
  redisPrefix: string;
  start(options?: Partial<NotifierOptions>): Promise<Notifier>;
  /** Stops the running notifier (its workers finish their jobs). */
  stopNotifier(): Promise<void>;
  /** Polls MongoDB until the delivery with this key (or matching this filter) has the status. */
  waitForStatus(filter: Record<string, unknown>, status: string | string[], timeoutMs?: number): Promise<void>;
}

export function useNotifyHarness(): NotifyHarness {
  useTestDb();
  const redis = useTestRedis();
  const h = { mails: [] as Mail[], logs: [] as string[] } as NotifyHarness;
  let smtp: SMTPServer;
  let notifier: Notifier | undefined;
  beforeAll(async () => {
    h.fake = await FakeTelegram.start();
    h.queues = createQueueFactory(redis.url, redis.prefix);
    h.redisPrefix = redis.prefix;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      // Mailboxes named "nobody@..." do not exist: the server refuses them for good, quoting the address as real servers do.
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith("nobody@")) {
          const error = Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 });
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          h.mails.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    h.smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await notifier?.stop();
    await h.queues.close();
    await h.fake.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });
  const sink = new Writable({
    write(chunk, _e, done) {
      h.logs.push(String(chunk));
      done();
    },
  });
  h.start = async (options = {}) => {
    notifier = await startNotifier({
      config: { BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot, SMTP_URL: h.smtpUrl, SMTP_FROM: "school@example.org" },
      logger: pino({ level: "debug" }, sink),
      i18n: createI18n("ru"),
      queues: h.queues,
      schedulers: false,
      ...options,
    });
    return notifier;
  };
  h.stopNotifier = async () => {
    await notifier?.stop();
    notifier = undefined;
  };
  h.waitForStatus = async (filter, status, timeoutMs = 15_000) => {
    const wanted = Array.isArray(status) ? status : [status];
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = await Delivery.findOne(filter).lean();
      if (found && wanted.includes(found.status)) return;
      if (Date.now() > until) throw new Error(`delivery ${JSON.stringify(filter)} is ${found?.status ?? "missing"}, not ${wanted.join("/")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return h;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
