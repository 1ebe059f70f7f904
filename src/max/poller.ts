/**
 * Long polling of the MAX Bot API (`GET /updates`, issue 14). The `marker` of each answer names the
 * next expected update; passing it acknowledges everything before. Updates are handled one at a time
 * in order (a user's messages and presses never race over their dialog step), and the marker is
 * passed only after a batch is handled, so a process that dies mid-batch gets it again. 429s and
 * server or network errors back off (0.5 s doubling to 30 s); anything else is logged and retried
 * after 30 s. One polling process per bot token (like Telegram's long polling).
 */
import type { Update } from "@maxhub/max-bot-api/types";
import { sleep } from "../channels/telegram-retry";
import { classifyMaxError, maxErrorText } from "./api";
import type { MaxDeps } from "./context";
import { handleMaxUpdate } from "./router";

/** The update types the front end acts on. */
export const MAX_UPDATE_TYPES = ["bot_started", "bot_stopped", "dialog_removed", "message_created", "message_callback"] as const;

export interface MaxPoller {
  /** Resolves once polling stopped (after `stop`): the update being handled finishes first. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function startMaxPolling(deps: MaxDeps, options: { timeoutSeconds?: number; handle?: (update: Update) => Promise<void> } = {}): MaxPoller {
  const abort = new AbortController();
  const handle = options.handle ?? ((update: Update) => handleMaxUpdate(deps, update));
  const log = deps.logger.child({ component: "max-polling" });
  const timeout = options.timeoutSeconds ?? 30;

  async function loop(): Promise<void> {
    let marker: number | undefined;
    let backoff = 500;
    while (!abort.signal.aborted) {
      let batch: { updates: Update[]; marker: number };
      try {
        batch = await deps.api.raw.subscriptions.getUpdates({ marker, timeout, limit: 100, types: MAX_UPDATE_TYPES.join(","), signal: abort.signal });
        backoff = 500;
      } catch (error) {
        if (abort.signal.aborted) return;
        const kind = classifyMaxError(error).kind;
        const wait = kind === "rate-limited" || kind === "transient" ? backoff : 30_000;
        backoff = Math.min(backoff * 2, 30_000);
        log.warn({ error: maxErrorText(error), waitMs: wait }, "max: getting updates failed");
        await sleep(wait, abort.signal).catch(() => undefined);
        continue;
      }
      for (const update of batch.updates) {
        try {
          await handle(update);
        } catch (error) {
          log.error({ updateType: update.update_type, err: { type: error instanceof Error ? error.name : "unknown" } }, "max: update not handled");
        }
      }
      marker = batch.marker;
    }
  }

  const done = loop();
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
