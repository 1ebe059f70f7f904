/**
 * SMS over SMPP 3.4 (the `smpp` package): one bound transceiver session per worker, kept alive with
 * enquire_link, rebound with backoff after a drop, closed on shutdown. Texts go as UCS-2, long ones
 * as concatenated parts (src/domain/sms.ts). Delivery receipts (deliver_sm) reach `onReceipt`.
 * A multi-part message given a `key` resumes where an earlier attempt stopped: the parts the SMSC
 * accepted are kept in a `progress` store (Redis: sms-progress.ts) and are not submitted again, and
 * the rest go with the same concatenation reference, so the handset joins them into one message.
 * A receipt no delivery record knows yet (it overtook the write of the message's ids, or its part
 * belongs to a message not finished) is held in the same store, and applied when the ids are
 * written (`recorded`, called by whichever worker writes them) or by the watchdog's sweep; the
 * deliver_sm is answered only once the receipt is applied or held, so a worker that dies before
 * leaves it to the SMSC to send again.
 */
import { createHash } from "node:crypto";
import smpp, { type Pdu, type Session } from "smpp";
import { fitText, maskPhone, parseReceipt, splitUcs2, toE164, type Receipt } from "../domain/sms";
import type { Logger } from "../logger";
import type { SendOutcome } from "./outcome";

export interface SmsMessage {
  /** The guardian's number as entered; made E.164 here. */
  to: string;
  text: string;
  /** The school's limit of concatenated parts (default 2). */
  maxParts?: number;
  /** The delivery's idempotency key: with a progress store, a retry resumes after the last part accepted. */
  key?: string;
}

/** The parts of one message the SMSC has accepted so far (kept between attempts). */
export interface SmsProgress {
  /** The number and the text's hash: a changed message starts over. */
  to: string;
  textHash: string;
  ref: number;
  total: number;
  /** The SMSC's message ids of the parts accepted, in order. */
  ids: string[];
}

export interface SmsProgressStore {
  load(key: string): Promise<SmsProgress | null>;
  save(key: string, progress: SmsProgress): Promise<void>;
  clear(key: string): Promise<void>;
  /** Keeps a receipt whose message id no delivery record has yet (`heldAt`: when it first came). */
  hold(receipt: Receipt & { heldAt?: number }): Promise<void>;
  /** Takes (and forgets) the receipts held for these message ids. */
  take(ids: readonly string[]): Promise<Array<Receipt & { heldAt: number }>>;
  /** Every message id with receipts held, and those receipts (the sweep). */
  held(): Promise<Array<{ messageId: string; receipts: Array<Receipt & { heldAt: number }> }>>;
}

/** Whether a receipt found its message: false = no delivery record has its id yet (it is then held). */
export type ReceiptHandler = (receipt: Receipt) => Promise<boolean | void> | boolean | void;

/** A sent SMS: the SMSC's message id of every part (receipts name them). */
export type SmsOutcome = SendOutcome & { messageIds?: string[]; parts?: number };

export interface SmsChannel {
  send(message: SmsMessage): Promise<SmsOutcome>;
  onReceipt(handler: ReceiptHandler): void;
  /** The ids were written to their delivery record: the receipts held for them are applied now. */
  recorded(messageIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface SmsOptions {
  url: string;
  source: string;
  ratePerSecond?: number;
  logger: Logger;
  enquireLinkMs?: number;
  /** How long a send waits for a bound session or an answer before it is retried later. */
  timeoutMs?: number;
  /** Throttling answers retried in place before the job is given back to the queue. */
  throttleRetries?: number;
  throttleBackoffMs?: number;
  /** After the in-place retries: how long every SMS waits before the job is tried again (default 5 s). */
  throttleHoldMs?: number;
  reconnectBackoffMs?: { min: number; max: number };
  /** Where the accepted parts of a message with a `key` are kept between attempts (absent: every attempt sends all parts). */
  progress?: SmsProgressStore;
}

/** Errors that say the number will never take this message: the person is unreachable by SMS. */
const UNREACHABLE = new Set(["ESME_RINVDSTADR", "ESME_RINVDSTTON", "ESME_RINVDSTNPI", "ESME_RX_P_APPN", "ESME_RINVNUMDESTS"]);
/** The SMSC is busy: try again later, within its window. */
const THROTTLED = new Set(["ESME_RTHROTTLED", "ESME_RMSGQFUL"]);

const errorName = (status: number) => Object.entries(smpp.errors).find(([, code]) => code === status)?.[0] ?? `0x${status.toString(16)}`;

export function parseSmppUrl(url: string): { url: string; systemId: string; password: string } {
  const u = new URL(url);
  return { url: `${u.protocol}//${u.hostname}:${u.port || (u.protocol === "ssmpp:" ? 3550 : 2775)}`, systemId: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

export function createSmsChannel(options: SmsOptions): SmsChannel {
  const log = options.logger.child({ component: "sms" });
  const { url, systemId, password } = parseSmppUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const backoff = options.reconnectBackoffMs ?? { min: 500, max: 30_000 };
  const interval = 1000 / (options.ratePerSecond ?? 10);
  const receiptHandlers: ReceiptHandler[] = [];
  let session: Session | null = null;
  let bound: Promise<Session> | null = null;
  let closed = false;
  let failures = 0;
  let nextSlot = 0;
  let nextRef = Math.floor(Math.random() * 256);
  let retryTimer: NodeJS.Timeout | undefined;

  function connect(): Promise<Session> {
    return new Promise((resolve, reject) => {
      const s = smpp.connect({ url, auto_enquire_link_period: options.enquireLinkMs ?? 30_000 });
      let settled = false;
      const fail = (why: string) => {
        if (!settled) {
          settled = true;
          reject(new Error(why));
        }
      };
      s.on("error", (error: Error) => fail(`smpp connection: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
      s.on("close", () => {
        fail("smpp connection closed before bind");
        if (session === s) {
          session = null;
          bound = null;
          if (!closed) scheduleReconnect();
        }
      });
      s.on("connect", () => {
        s.bind_transceiver({ system_id: systemId, password }, (pdu) => {
          if (pdu.command_status !== 0) {
            fail(`smpp bind: ${errorName(pdu.command_status)}`);
            s.destroy();
            return;
          }
          settled = true;
          session = s;
          failures = 0;
          log.info("smpp transceiver bound");
          resolve(s);
        });
      });
      s.on("deliver_sm", (pdu: Pdu) => void onDeliver(s, pdu));
      s.on("enquire_link", (pdu: Pdu) => s.send(pdu.response()));
      s.on("unbind", (pdu: Pdu) => {
        s.send(pdu.response());
        s.close();
      });
    });
  }

  function ensureBound(): Promise<Session> {
    if (closed) return Promise.reject(new Error("sms channel closed"));
    if (!bound) {
      bound = connect();
      bound.catch((error: Error) => {
        log.warn({ error: error.message }, "smpp bind failed");
        bound = null;
        scheduleReconnect();
      });
    }
    return bound;
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    const wait = Math.min(backoff.max, backoff.min * 2 ** failures++);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!bound && !closed) void ensureBound().catch(() => undefined);
    }, wait);
  }

  async function onDeliver(s: Session, pdu: Pdu): Promise<void> {
    const esm = Number(pdu.esm_class ?? 0);
    // A mobile-originated message, not a receipt: nothing to do with it.
    if ((esm & 0x3c) === 0) return void s.send(pdu.response());
    const message = pdu.short_message as { message?: string | Buffer } | undefined;
    const text = typeof message?.message === "string" ? message.message : (message?.message?.toString("latin1") ?? "");
    const receiptedMessageId = typeof pdu.receipted_message_id === "string" ? pdu.receipted_message_id : undefined;
    const messageState = typeof pdu.message_state === "number" ? pdu.message_state : undefined;
    const receipt = parseReceipt(text, { receiptedMessageId, messageState });
    let kept = true;
    if (receipt) kept = await place(receipt);
    // Answered once the receipt is applied or held: otherwise a temporary error, and the SMSC sends it again.
    s.send(pdu.response(kept ? {} : { command_status: smpp.errors.ESME_RX_T_APPN }));
  }

  /** Applies a receipt, or holds it until its message id is written. Whether it is safe (applied or held). */
  async function place(receipt: Receipt & { heldAt?: number }): Promise<boolean> {
    if (await handReceipt(receipt)) return true;
    if (!options.progress) {
      log.warn({ stat: receipt.stat }, "receipt for a message not recorded and no store to hold it");
      return true;
    }
    try {
      await options.progress.hold(receipt);
    } catch (error) {
      log.warn({ error: (error as Error).message }, "sms receipt store unavailable; the SMSC will send the receipt again");
      return false;
    }
    // The ids may have been written meanwhile by a worker that looked before the hold was there: ask again.
    if (await handReceipt(receipt)) await options.progress.take([receipt.messageId]).catch(() => undefined);
    return true;
  }

  /** Whether the receipt found its message (a handler that failed counts as not: the receipt is held). */
  async function handReceipt(receipt: Receipt): Promise<boolean> {
    try {
      const found = await Promise.all(receiptHandlers.map((handler) => handler(receipt)));
      return found.every((f) => f !== false);
    } catch (error) {
      log.error({ error: (error as Error).message }, "receipt handler failed; receipt held");
      return false;
    }
  }

  function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`smpp ${what} timed out`)), timeoutMs)))]).finally(() => clearTimeout(timer));
  }

  async function paced(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + interval;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  function submit(s: Session, fields: Record<string, unknown>): Promise<Pdu> {
    return new Promise((resolve, reject) => {
      if (!s.submit_sm(fields, resolve)) reject(new Error("smpp connection not writable"));
    });
  }

  /** One part, throttling retried in place: the SMSC's message id, or the refusal's name. */
  async function submitPart(s: Session, to: string, part: ReturnType<typeof splitUcs2>[number]): Promise<string | { name: string }> {
    for (let attempt = 0; ; attempt++) {
      await paced();
      const response = await withTimeout(
        submit(s, {
          source_addr: options.source,
          source_addr_ton: /^\+?\d+$/.test(options.source) ? 1 : 5,
          source_addr_npi: /^\+?\d+$/.test(options.source) ? 1 : 0,
          destination_addr: to.slice(1),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          registered_delivery: 1,
          data_coding: 8,
          short_message: part.udh ? { udh: part.udh, message: part.message } : part.message,
        }),
        "submit",
      );
      if (response.command_status === 0) return String(response.message_id);
      const name = errorName(response.command_status);
      if (!(THROTTLED.has(name) && attempt < (options.throttleRetries ?? 3))) return { name };
      await new Promise((r) => setTimeout(r, (options.throttleBackoffMs ?? 1000) * 2 ** attempt));
    }
  }

  return {
    async send(message) {
      const to = toE164(message.to);
      if (!to) return { ok: false, kind: "unreachable", error: "sms: not a phone number" };
      const text = fitText(message.text, message.maxParts);
      const textHash = createHash("sha256").update(text).digest("hex");
      const store = message.key ? options.progress : undefined;
      const key = message.key ?? "";
      try {
        // An earlier attempt of the same message that stopped after some parts: go on from there, same reference.
        const earlier = store ? await store.load(key) : null;
        const resumed = earlier && earlier.to === to && earlier.textHash === textHash ? earlier : null;
        const ref = resumed ? resumed.ref : nextRef++ & 0xff;
        const parts = splitUcs2(text, ref);
        const messageIds: string[] = resumed && resumed.total === parts.length ? [...resumed.ids] : [];
        const s = await withTimeout(ensureBound(), "bind");
        for (const part of parts.slice(messageIds.length)) {
          const refused = await submitPart(s, to, part);
          if (typeof refused === "string") {
            messageIds.push(refused);
            if (store && parts.length > 1 && messageIds.length < parts.length) await store.save(key, { to, textHash, ref, total: parts.length, ids: messageIds });
            continue;
          }
          const error = `smpp ${refused.name}${messageIds.length ? ` after ${messageIds.length} part(s)` : ""}`;
          log.warn({ to: maskPhone(to), error }, "submit_sm refused");
          if (UNREACHABLE.has(refused.name)) {
            if (store) await store.clear(key);
            return { ok: false, kind: "unreachable", error };
          }
          // Still busy: the queue tries again later, within the SMSC's window (no attempt used).
          if (THROTTLED.has(refused.name)) return { ok: false, kind: "rate-limited", retryAfterMs: options.throttleHoldMs ?? 5000, error };
          return { ok: false, kind: "retry", error };
        }
        if (store && (earlier || parts.length > 1)) await store.clear(key);
        return { ok: true, messageIds, parts: parts.length };
      } catch (error) {
        return { ok: false, kind: "retry", error: (error as Error).message };
      }
    },
    onReceipt(handler) {
      receiptHandlers.push(handler);
    },
    async recorded(messageIds) {
      if (!options.progress || !messageIds.length) return;
      try {
        // Each one applied, or held again (with its first time) if its record still lacks the id.
        for (const receipt of await options.progress.take(messageIds)) await place(receipt);
      } catch (error) {
        log.warn({ error: (error as Error).message }, "held sms receipts not applied now; the watchdog's sweep will");
      }
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const s = session;
      session = null;
      bound = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        const done = setTimeout(() => s.destroy(() => resolve()), 2000);
        s.unbind({}, () => {
          clearTimeout(done);
          s.close(() => resolve());
        });
      });
    },
  };
}
