/**
 * Where the bot keeps per-chat state: a grammY (lazy) session and the conversations plugin's
 * dialog state, both in MongoDB through the `Session` model, so that a dialog survives a restart
 * and any bot instance can continue it. Only private chats have state.
 *
 * Conversations replay their function on every update and keep the log of what happened (updates
 * received, results of `external` calls and API calls); the state is stored as JSON, the way the
 * plugin expects it. Conversations build their own `Api` (DESIGN.md "Known traps"): its calls go to
 * the same `TELEGRAM_API_ROOT`, so the fake Bot API in tests sees them too, and the retry policy is
 * installed on it through the plugin's `plugins` option (dialog-api.ts).
 */
import { lazySession, type Context, type MiddlewareFn, type StorageAdapter } from "grammy";
import { conversations } from "@grammyjs/conversations";
import { Session } from "../db/models";
import type { BotContext, BotDeps } from "./context";
import { dialogApiPlugins } from "./dialog-api";

/** Small per-chat preferences; anything that matters for access lives in the database proper. */
export interface SessionData {
  /** The school a bootstrap admin of several schools chose last for /codes and /paperconsent. */
  adminSchoolId?: string;
}

/**
 * Bump when a dialog's steps change incompatibly: stored dialogs of the old shape are then dropped
 * (the user starts that dialog again) instead of being replayed against different code.
 */
export const DIALOG_STATE_VERSION = 2;

/**
 * Dialog state replays every update of the dialog, including what the user typed (an invite code
 * while it waits for the confirmation): it lives two hours, not the sessions' 90 days.
 */
export const DIALOG_TTL_MS = 2 * 60 * 60 * 1000;

/**
 * grammY storage on the `sessions` collection; writes go through the model so the TTL moves. With
 * `ttlMs`, a record is forgotten that long after its last write (read ignores it at once; MongoDB's
 * TTL monitor deletes it within a minute or so).
 */
export class MongoSessionStorage<T> implements StorageAdapter<T> {
  constructor(private readonly ttlMs?: number) {}

  async read(key: string): Promise<T | undefined> {
    const prefetched = takePrefetched(key);
    if (prefetched) return prefetched.value as T | undefined;
    const doc = await Session.findOne({ key, $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: new Date() } }] }, { value: 1 }).lean();
    return (doc?.value ?? undefined) as T | undefined;
  }

  async write(key: string, value: T): Promise<void> {
    prefetched.delete(key);
    // JSON semantics, as the plugins expect: no undefined, no class instances.
    const expiry = this.ttlMs ? { expiresAt: new Date(Date.now() + this.ttlMs) } : {};
    await Session.updateOne({ key }, { $set: { value: JSON.parse(JSON.stringify(value)), ...expiry } }, { upsert: true });
  }

  async delete(key: string): Promise<void> {
    prefetched.delete(key);
    await Session.deleteOne({ key });
  }
}

/**
 * Dialog states read together with the account (src/bot/middleware/account.ts), for the one read
 * the conversations plugin makes next in the same update. Updates of one chat run one at a time
 * (sequentialize), and every update of a private chat sets or clears its entry before that read, so
 * an entry is never an older update's.
 */
const prefetched = new Map<string, { value: unknown }>();

/** `stored`: the dialog document read with the account (null: none stored); undefined: not read, ask MongoDB. */
export function prefetchDialog(chatId: number, stored: { value: unknown; expiresAt?: Date | null } | null | undefined): void {
  const key = `dialog:${chatId}`;
  if (stored === undefined) {
    prefetched.delete(key);
    return;
  }
  const live = stored && (!stored.expiresAt || stored.expiresAt.getTime() > Date.now());
  prefetched.set(key, { value: live ? (stored.value ?? undefined) : undefined });
}

function takePrefetched(key: string): { value: unknown } | undefined {
  const entry = prefetched.get(key);
  prefetched.delete(key);
  return entry;
}

/** State belongs to a private chat; groups get none (the bot talks to guardians one to one). */
export function privateChatKey(ctx: Omit<Context, "session">): string | undefined {
  return ctx.chat?.type === "private" ? String(ctx.chat.id) : undefined;
}

export function sessionMiddleware(): MiddlewareFn<BotContext> {
  return lazySession<SessionData, BotContext>({
    initial: () => ({}),
    prefix: "session:",
    storage: new MongoSessionStorage<SessionData>(),
    getSessionKey: privateChatKey,
  });
}

/** The conversations plugin with its state in MongoDB (key `dialog:<chat id>`) and the retry policy on its `Api`s. */
export function dialogsMiddleware(deps: BotDeps): MiddlewareFn<BotContext> {
  return conversations<BotContext, Context>({
    plugins: dialogApiPlugins(deps),
    storage: {
      type: "key",
      version: DIALOG_STATE_VERSION,
      prefix: "dialog:",
      getStorageKey: privateChatKey,
      adapter: new MongoSessionStorage(DIALOG_TTL_MS),
    },
  }) as MiddlewareFn<BotContext>;
}
