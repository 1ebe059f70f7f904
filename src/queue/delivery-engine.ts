/**
 * The delivery engine: the processor of QUEUES.deliveries. One job = one message to one person on
 * one channel; its `Delivery` record is the truth about what happened.
 *
 * Exactly-once as far as Telegram allows: the record is claimed atomically (queued → sending) as
 * the job starts — the claim is also how the job learns there is something to do — then the
 * person's consent gate is asked, and the record is marked sent right after the channel call. A
 * job whose record is settled (a retry, a stalled job taken over after a worker died) is skipped.
 * A final costs the database a claim, one gate (4 commands) and the settle: the fewer commands a
 * final has, the less it waits behind a running broadcast's. The one window left is a worker killed between
 * Telegram's answer and the "sent" write (milliseconds): the claim then expires after
 * SENDING_LEASE_MS and the message is sent again. We chose at-least-once there on purpose: a final
 * grade that never arrives breaks regulation 6, a rare duplicate does not; the record's `attempts`
 * shows it. The lease is longer than the request timeout, so two live workers never both send.
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Processor, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { i18n } from "i18next";
import { Delivery, Account } from "../db/models";
import type { Logger } from "../logger";
import type { TelegramChannel } from "../channels/telegram";
import type { EmailChannel } from "../channels/email";
import type { SmsChannel } from "../channels/sms";
import type { MaxChannel } from "../channels/max";
import { channelEntry, type ChannelIO, type ChannelOutcome } from "../services/notify/channels";
import { personGate, type GateInput, type GateOutcome } from "../services/notify/consent";
import { fallBack, SETTLED } from "../services/notify/deliveries";
import { quietUntil } from "../services/notify/quiet-hours";
import { asUrgent } from "../services/notify/urgent";
import { isLanguage, type Language } from "../i18n";
import type { DeliveryJobData } from "./jobs";
import { DEFAULT_PACING, holdGlobal, MAX_PER_SECOND, releaseSendSlot, reserveChat, smsPacing, waitForSendSlot, type Lane, type Pacing, type SendSlot } from "./rate-limits";

/** A "sending" claim older than this is taken to be a dead worker's (request timeout is 20 s). */
export const SENDING_LEASE_MS = 45_000;

/**
 * How old a consent gate may be when its message goes: about one second of sends, as a batch
 * chunk's gate (delivery-batch.ts). A single job gates once after its claim and asks again only
 * when the wait for Telegram's slot (a 429 hold, a busy second) made that answer older.
 */
export const GATE_FRESH_MS = 1000;

export interface EngineDeps {
  queue: Queue;
  redis: Redis;
  prefix: string;
  telegram: TelegramChannel;
  email: EmailChannel | null;
  /** The MAX bot of this worker (null: MAX off). */
  max?: MaxChannel | null;
  /** The SMSC session of this worker (null: SMS off). */
  sms?: SmsChannel | null;
  /** SMS_RATE_PER_SECOND, shared by every worker through Redis (default 10). */
  smsRatePerSecond?: number;
  /** WEB_URL: SMS texts link to the cabinet. */
  webUrl?: string;
  i18n: i18n;
  logger: Logger;
  now?: () => Date;
  pacing?: Pacing;
  /** Called after each accepted Telegram send (benchmarks, metrics). */
  onSent?: (data: DeliveryJobData) => void;
  on429?: () => void;
}

type Target = Extract<GateOutcome, { ok: true }>;

export const gateInputOf = (d: DeliveryJobData): GateInput => ({ schoolId: d.schoolId, channel: d.channel, guardianId: d.guardianId, accountId: d.accountId, studentId: d.studentId });

/** Finals and exams go before broadcasts and forecasts at Telegram's send slot (regulation 6: within 24 h, and at once). */
export const URGENT_KINDS: ReadonlySet<string> = new Set(["final", "exam"]);

/** An SMSC's throttling with no wait of its own: the SMS lane holds this long before the job is tried again. */
export const SMS_THROTTLE_HOLD_MS = 5000;

/** The shared send lane of a channel that has a rate limit of its own (e-mail and paper have none). */
export function laneOf(channel: string): Lane | null {
  return channel === "telegram" ? "tg" : channel === "max" || channel === "sms" ? channel : null;
}

const ioOf = (deps: EngineDeps): ChannelIO => ({ telegram: deps.telegram, max: deps.max ?? null, email: deps.email, sms: deps.sms ?? null, i18n: deps.i18n, webUrl: deps.webUrl });

/**
 * One channel call for a resolved person, through the channel registry (src/services/notify/channels.ts),
 * after the channel's shared send slot: Telegram's when `slot` asks for one (urgent senders first)
 * or brings one already `granted`; SMS_RATE_PER_SECOND for SMS, MAX's limit for MAX. A Telegram slot
 * is given back once the answer is in (rate-limits.ts: it counts as in flight until then). The one
 * place where a message leaves the service.
 */
export async function sendThrough(deps: EngineDeps, data: DeliveryJobData, target: Target, lang: Language, slot?: { pacing: Pacing; urgent: boolean } | { granted: SendSlot }): Promise<ChannelOutcome> {
  let granted: SendSlot | undefined;
  if (slot && "granted" in slot) granted = slot.granted;
  else if (slot && data.channel === "telegram") granted = await waitForSendSlot(deps.redis, deps.prefix, slot.pacing, slot.urgent);
  // SMS and MAX count from the grant, as before (the SMSC session paces the parts of a message itself).
  if (data.channel === "sms") await releaseSendSlot(deps.redis, deps.prefix, await waitForSendSlot(deps.redis, deps.prefix, smsPacing(deps.smsRatePerSecond ?? 10), URGENT_KINDS.has(data.kind), "sms"));
  if (data.channel === "max") await releaseSendSlot(deps.redis, deps.prefix, await waitForSendSlot(deps.redis, deps.prefix, smsPacing(MAX_PER_SECOND), URGENT_KINDS.has(data.kind), "max"));
  try {
    return await channelEntry(data.channel).send(ioOf(deps), { address: target.address, lang, timeZone: target.timeZone, notice: data.notice, rules: target.rules, key: data.key });
  } finally {
    if (granted) await releaseSendSlot(deps.redis, deps.prefix, granted);
  }
}

export function deliveryProcessor(deps: EngineDeps): Processor<DeliveryJobData> {
  const now = deps.now ?? (() => new Date());
  const pacing = deps.pacing ?? DEFAULT_PACING;
  const log = deps.logger.child({ component: "delivery" });
  const defaultLang: Language = isLanguage(deps.i18n.language) ? deps.i18n.language : "ru";

  async function delay(job: Job, token: string | undefined, until: number): Promise<never> {
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  }

  // Finals and exams: a running broadcast's database work waits while they run (services/notify/urgent.ts).
  return async (job, token) => (URGENT_KINDS.has(job.data.kind) ? asUrgent(deps.redis, deps.prefix, () => deliver(job, token)) : deliver(job, token));

  async function deliver(job: Job<DeliveryJobData>, token: string | undefined): Promise<string> {
    const data = job.data;
    // The claim first (queued|failed → sending, or a dead worker's lease): one atomic command says
    // whether this job has anything to do and makes the record ours.
    const claimed = await Delivery.findOneAndUpdate(
      {
        idempotencyKey: data.key,
        $or: [{ status: { $in: ["queued", "failed"] } }, { status: "sending", updatedAt: { $lt: new Date(Date.now() - SENDING_LEASE_MS) } }],
      },
      { $set: { status: "sending", channel: data.channel }, $inc: { attempts: 1 } },
      { returnDocument: "after", projection: { _id: 1, attempts: 1 } },
    ).lean();
    if (!claimed) {
      const record = await Delivery.findOne({ idempotencyKey: data.key }, { status: 1 }).lean();
      if (!record) {
        log.warn({ key: data.key }, "delivery job without its record; skipped");
        return "no-record";
      }
      if (SETTLED.has(record.status)) return `skipped:${record.status}`;
      throw new Error("delivery is being sent by another worker"); // retried after backoff, once the lease is clear
    }
    // Not sending now after all (quiet hours, the chat's spacing): the record is queued again, the attempt not counted.
    const unclaim = (set: Record<string, unknown> = {}) => Delivery.updateOne({ _id: claimed._id, status: "sending" }, { $set: { status: "queued", ...set }, $inc: { attempts: -1 } });

    const target = await personGate(gateInputOf(data));
    let gatedAt = Date.now();
    if (!target.ok) {
      if (target.why === "unreachable") {
        const next = await fallBack(deps.queue, data, target.error, now());
        return `fell_back:${next ?? "none"}`;
      }
      await Delivery.updateOne({ _id: claimed._id, status: "sending" }, { $set: { status: "cancelled", lastError: target.error } });
      return `cancelled:${target.why}`;
    }

    const quietEnd = quietUntil(now(), target.quiet, target.timeZone);
    if (quietEnd) {
      await unclaim({ notBefore: quietEnd });
      await delay(job, token, quietEnd.getTime());
    }
    if (target.chatId !== undefined) {
      const wait = await reserveChat(deps.redis, deps.prefix, target.chatId, pacing.perChatMs);
      if (wait > 0) {
        await unclaim();
        await delay(job, token, Date.now() + wait);
      }
    }

    const lang = target.language ?? defaultLang;
    // Finals and exams go ahead of broadcasts and forecasts at the bot's send slot.
    const slot = target.chatId !== undefined ? await waitForSendSlot(deps.redis, deps.prefix, pacing, URGENT_KINDS.has(data.kind)) : undefined;
    // The wait for a send slot can be long (a 429 hold): a gate older than GATE_FRESH_MS is asked
    // again, so a consent withdrawn meanwhile still stops the message.
    if (Date.now() - gatedAt > GATE_FRESH_MS && (data.guardianId || data.studentId)) {
      const current = await personGate(gateInputOf(data)).catch(async (error: unknown) => {
        if (slot) await releaseSendSlot(deps.redis, deps.prefix, slot);
        throw error;
      });
      gatedAt = Date.now();
      if (!current.ok && current.why === "consent") {
        if (slot) await releaseSendSlot(deps.redis, deps.prefix, slot);
        await Delivery.updateOne({ _id: claimed._id, status: "sending" }, { $set: { status: "cancelled", lastError: "no consent in force at send time" } });
        return "cancelled:consent";
      }
    }
    const outcome = await sendThrough(deps, data, target, lang, slot && { granted: slot });
    return settle(job, token, data, claimed._id, outcome);
  }

  async function settle(job: Job<DeliveryJobData>, token: string | undefined, data: DeliveryJobData, id: unknown, outcome: ChannelOutcome): Promise<string> {
    if (outcome.ok) {
      const record = "record" in outcome ? outcome.record : {};
      await Delivery.updateOne({ _id: id, status: "sending" }, { $set: { status: "sent", sentAt: now(), ...record }, $unset: { lastError: 1 } });
      if ("recorded" in outcome) await outcome.recorded?.(); // an SMS's receipts that overtook this write
      if (data.channel === "telegram") deps.onSent?.(data);
      log.debug({ key: data.key, kind: data.kind, channel: data.channel }, "delivered");
      return "sent";
    }
    const release = (status: "queued" | "failed") =>
      Delivery.updateOne({ _id: id, status: "sending" }, { $set: { status, lastError: outcome.error, ...(status === "failed" ? { failedAt: now() } : {}) } });
    switch (outcome.kind) {
      case "rate-limited": {
        const lane = laneOf(data.channel);
        if (lane && lane !== "tg") {
          // MAX's 429, the SMSC's throttling (ESME_RTHROTTLED, ESME_RMSGQFUL): every worker's sends on
          // that channel wait, this job without using an attempt; Telegram's lane goes on.
          const wait = outcome.retryAfterMs || SMS_THROTTLE_HOLD_MS;
          log.warn({ key: data.key, channel: data.channel, retryAfterMs: wait }, "channel rate limit: trying again later");
          await release("queued");
          await holdGlobal(deps.redis, deps.prefix, wait, lane);
          return delay(job, token, Date.now() + wait);
        }
        // Not sent: back to queued, the whole bot waits retry_after, the job returns to "waiting" without using an attempt.
        deps.on429?.();
        log.warn({ key: data.key, retryAfterMs: outcome.retryAfterMs }, "telegram 429: obeying retry_after");
        await release("queued");
        await holdGlobal(deps.redis, deps.prefix, outcome.retryAfterMs);
        await deps.queue.rateLimit(outcome.retryAfterMs);
        throw Worker.RateLimitError();
      }
      case "unreachable": {
        await markBlocked(data, now());
        const next = await fallBack(deps.queue, data, outcome.error, now());
        log.info({ key: data.key, channel: data.channel, next }, "recipient unreachable; fell back");
        return `fell_back:${next ?? "none"}`;
      }
      case "permanent":
        await release("failed");
        log.error({ key: data.key, error: outcome.error }, "delivery refused for good");
        throw new UnrecoverableError(outcome.error);
      case "retry": {
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        await release(last ? "failed" : "queued");
        if (last) log.error({ key: data.key, error: outcome.error }, "delivery failed after the last attempt");
        throw new Error(outcome.error);
      }
    }
  }
}

/**
 * A messenger said the person stopped the bot (Telegram's 403, MAX's refusal): the account is
 * unreachable there until its person writes again; other persons and the other messenger are not concerned.
 */
export async function markBlocked(data: Pick<DeliveryJobData, "channel" | "accountId">, at: Date): Promise<void> {
  if (!data.accountId) return;
  if (data.channel === "telegram") await Account.updateOne({ _id: data.accountId }, { $set: { active: false, blockedAt: at } });
  if (data.channel === "max") await Account.updateOne({ _id: data.accountId, "max.userId": { $exists: true } }, { $set: { "max.blockedAt": at } });
}
