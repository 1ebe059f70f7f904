/**
 * Delivery receipts of SMS (deliver_sm with a receipt, src/channels/sms.ts): the delivery record
 * becomes `delivered` once every part's receipt said DELIVRD; a failed one (UNDELIV, EXPIRED,
 * REJECTD, ...) makes it `fell_back`, the receipt's word kept, and the next channel of the person's
 * order takes the message over (e-mail, else the family's paper and its daily results slip), as
 * for any failure. Receipts in between (ENROUTE, ACCEPTD) change nothing.
 */
import type { Queue } from "bullmq";
import { Delivery } from "../../db/models";
import type { Receipt } from "../../domain/sms";
import type { Logger } from "../../logger";
import { fallBack, jobDataOf } from "./deliveries";

export interface ReceiptDeps {
  queue: Queue;
  logger: Logger;
  now: () => Date;
}

/** A receipt can overtake the write of its message ids (an SMSC that answers at once): asked again this often. */
const LOOKUP_RETRIES = [500, 1500, 4000];

export type ReceiptResult = "delivered" | "partly" | "failed" | "pending" | "unknown";

export async function applySmsReceipt(deps: ReceiptDeps, receipt: Receipt): Promise<ReceiptResult> {
  if (receipt.state === "pending") return "pending";
  for (let i = 0; ; i++) {
    const result = await applyOnce(deps, receipt);
    if (result !== "unknown" || i >= LOOKUP_RETRIES.length) return result;
    await new Promise((r) => setTimeout(r, LOOKUP_RETRIES[i]));
  }
}

async function applyOnce(deps: ReceiptDeps, receipt: Receipt): Promise<ReceiptResult> {
  const log = deps.logger.child({ component: "sms-receipts" });
  if (receipt.state === "delivered") {
    const record = await Delivery.findOneAndUpdate(
      { "sms.ids": receipt.messageId, status: "sent" },
      { $addToSet: { "sms.delivered": receipt.messageId }, $set: { "sms.stat": receipt.stat } },
      { returnDocument: "after", projection: { sms: 1 } },
    ).lean();
    if (!record) return (await Delivery.exists({ "sms.ids": receipt.messageId })) ? "delivered" : "unknown";
    const ids = record.sms?.ids ?? [];
    const done = record.sms?.delivered ?? [];
    if (!ids.every((id) => done.includes(id))) return "partly";
    await Delivery.updateOne({ _id: record._id, status: "sent" }, { $set: { status: "delivered", deliveredAt: deps.now() } });
    return "delivered";
  }
  const record = await Delivery.findOne({ "sms.ids": receipt.messageId }).lean();
  if (!record) return "unknown";
  if (record.status !== "sent") return "failed"; // already settled (an earlier part's receipt, a second receipt)
  // Claimed from `sent` first: two receipts of one message fall back once.
  const claimed = await Delivery.updateOne({ _id: record._id, status: "sent" }, { $set: { status: "fell_back", "sms.stat": receipt.stat } });
  if (!claimed.modifiedCount) return "failed";
  if (!record.notice) return "failed"; // its text erased (data lifecycle): nothing left to send another way
  const next = await fallBack(deps.queue, jobDataOf(record), `sms receipt: ${receipt.stat}`, deps.now());
  log.info({ key: record.idempotencyKey, stat: receipt.stat, next }, "sms not delivered; fell back");
  return "failed";
}
