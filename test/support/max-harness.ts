/**
 * The MAX front end as it runs in production — the long-polling loop, the router, the services —
 * against the fake MAX Bot API on loopback and the test database. A step makes the fake MAX produce
 * an update (a user writes, presses, starts the bot) and waits until the bot has taken it and asked
 * for the next one; it returns what the bot sent that user meanwhile. Use in a file with useTestDb().
 */
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config";
import { createI18n } from "../../src/i18n";
import { createLogger } from "../../src/logger";
import { createMaxApi } from "../../src/max/api";
import type { MaxDeps } from "../../src/max/context";
import { startMaxPolling, type MaxPoller } from "../../src/max/poller";
import { FakeMax, type FakeMaxUser, type MaxSent } from "./fake-max";
import { TEST_BOT_TOKEN } from "./bot-harness";

export interface MaxHarness {
  fake: FakeMax;
  deps: MaxDeps;
  logs: string[];
  setNow(at: Date): void;
  user(profile?: Partial<FakeMaxUser>): MaxTestUser;
  /** Waits until every update given so far was handled. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface MaxTestUser {
  profile: FakeMaxUser;
  start(payload?: string): Promise<MaxSent[]>;
  write(text: string): Promise<MaxSent[]>;
  press(payload: string, on?: MaxSent): Promise<MaxSent[]>;
}

let nextUserId = 81_000_000;

export async function startMaxHarness(options: { now?: Date; env?: Record<string, string> } = {}): Promise<MaxHarness> {
  const fake = await FakeMax.start();
  const config = loadConfig({ BOT_TOKEN: TEST_BOT_TOKEN, MAX_BOT_TOKEN: fake.token, MAX_API_ROOT: fake.apiRoot, NODE_ENV: "test", ...options.env });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { logs.push(String(chunk)); done(); } });
  let now = options.now ?? new Date();
  const deps: MaxDeps = {
    config, logger: createLogger("debug", sink), i18n: createI18n(config.DEFAULT_LOCALE), now: () => now,
    api: createMaxApi(config.MAX_BOT_TOKEN!, config.MAX_API_ROOT),
    // The interactive policy, shortened: a 429 waits 50 ms, then 100 ms …
    retry: { maxAttempts: 5, maxRetryAfterSeconds: 30, backoffBaseMs: 20, backoffMaxMs: 200, maxTotalWaitMs: 60_000 },
  };
  const poller: MaxPoller = startMaxPolling(deps, { timeoutSeconds: 2 });

  async function settled(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (fake.pending > 0) {
      if (Date.now() > deadline) throw new Error(`the MAX bot did not take ${fake.pending} update(s) within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  async function step(userId: number, act: () => void): Promise<MaxSent[]> {
    const before = fake.sentTo(userId).length;
    act();
    await settled();
    return fake.sentTo(userId).slice(before);
  }

  return {
    fake, deps, logs, settled,
    setNow(at) { now = at; },
    user(profile = {}) {
      const u = fake.user({ user_id: nextUserId++, ...profile });
      return {
        profile: u,
        start: (payload) => step(u.user_id, () => fake.start(u, payload)),
        write: (text) => step(u.user_id, () => fake.write(u, text)),
        press: (payload, on) => step(u.user_id, () => fake.press(u, payload, on)),
      };
    },
    async stop() {
      await poller.stop();
      await fake.stop();
    },
  };
}

/** The callback payloads of a message's buttons. */
export const payloads = (m: MaxSent | undefined): string[] => m?.buttons.flat().map((b) => b.payload ?? b.url ?? "") ?? [];
export const labels = (m: MaxSent | undefined): string[] => m?.buttons.flat().map((b) => b.text) ?? [];
export const plainOf = (messages: MaxSent[]): string => messages.map((m) => m.plain).join("\n---\n");
