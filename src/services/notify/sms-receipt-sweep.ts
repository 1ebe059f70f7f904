/**
 * The watchdog's look at SMS receipts (every 15 minutes: src/queue/scheduled-processor.ts).
 * - Receipts held because no delivery record knew their message id (src/channels/sms-progress.ts)
 *   are applied once a record has it: normally its writer applies them at once (`recorded`), this
 *   catches a writer that died between the write and that call. A receipt that never found its
 *   message within RECEIPT_HOLD_MS is dropped, counted and logged by its stat only (no message
 *   ids, numbers or texts).
 * - An SMS `sent` SMS_RECEIPT_WAIT_MS ago without a final receipt is taken as not delivered and goes
 *   to the next channel, as after an UNDELIV (the receipt is the proof: docs/decisions.md).
 */
import { Delivery } from "../../db/models";
import { RECEIPT_HOLD_MS, redisSmsProgress } from "../../channels/sms-progress";
import type { SmsProgressStore } from "../../channels/sms";
import type { NotifyEnv } from "./env";
import { applySmsReceipt, smsFallBack, type ReceiptDeps } from "./sms-receipts";

/** A `sent` SMS with no final receipt after this long has not reached the person (6 h). */
export const SMS_RECEIPT_WAIT_MS = 6 * 3600_000;
/** Older records are left alone (the first run after an upgrade must not send last month's news on paper). */
const LOOKBACK_MS = 7 * 24 * 3600_000;

export interface SmsSweepReport {
  /** Held receipts whose message is recorded now (applied). */
  applied: number;
  /** Held receipts still waiting for their message. */
  waiting: number;
  /** Receipts dropped after RECEIPT_HOLD_MS without their message, per stat. */
  lost: Record<string, number>;
  /** `sent` SMS without a receipt in time, passed to the next channel. */
  silent: number;
}

export async function sweepSmsReceipts(env: NotifyEnv, store: SmsProgressStore = redisSmsProgress(env.redis, env.prefix)): Promise<SmsSweepReport> {
  const deps: ReceiptDeps = { queue: env.deliveries, logger: env.logger, now: env.now };
  const now = env.now().getTime();
  const report: SmsSweepReport = { applied: 0, waiting: 0, lost: {}, silent: 0 };
  for (const { messageId, receipts } of await store.held()) {
    // Applying is idempotent: a writer taking the same receipts meanwhile does no harm.
    let found = false;
    for (const receipt of receipts) if ((await applySmsReceipt(deps, receipt)) !== "unknown") found = true;
    if (found) {
      report.applied += (await store.take([messageId])).length;
      continue;
    }
    // No list left under an indexed id: Redis forgot it (no sweep for a day past the limit); counted too.
    if (receipts.length && now - Math.min(...receipts.map((r) => r.heldAt)) < RECEIPT_HOLD_MS) {
      report.waiting += receipts.length;
      continue;
    }
    const gone = await store.take([messageId]);
    for (const { stat } of gone.length ? gone : [{ stat: "EXPIRED_IN_STORE" }]) report.lost[stat] = (report.lost[stat] ?? 0) + 1;
  }
  const lost = Object.values(report.lost).reduce((a, b) => a + b, 0);
  if (lost) env.logger.warn({ component: "sms-receipts", lost, byStat: report.lost }, "sms receipts that never found their message, dropped");

  const silent = await Delivery.find({ channel: "sms", status: "sent", sentAt: { $lte: new Date(now - SMS_RECEIPT_WAIT_MS), $gte: new Date(now - LOOKBACK_MS) } }).lean();
  const hours = SMS_RECEIPT_WAIT_MS / 3600_000;
  for (const record of silent) if (await smsFallBack(deps, record, null, `sms receipt: none within ${hours} h`)) report.silent++;
  if (report.silent) env.logger.info({ component: "sms-receipts", silent: report.silent }, "sms without a receipt in time; fell back");
  return report;
}
