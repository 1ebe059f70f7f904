/**
 * Delivery receipts of SMS (deliver_sm with a receipt, src/channels/sms.ts): the delivery record
 * becomes `delivered` once every part's receipt said DELIVRD; a failed one (UNDELIV, EXPIRED,
 * REJECTD, ...) makes it `fell_back`, the receipt's word kept, and the next channel of the person's
 * order takes the message over (e-mail, else the family's paper and its daily results slip), as
 * for any failure. Receipts in between (ENROUTE, ACCEPTD) change nothing. A receipt no record knows
 * yet is "unknown": the SMS channel then holds it until the ids are written (src/channels/sms.ts);
 * nothing here waits or gives up.
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

export type ReceiptResult = "delivered" | "partly" | "failed" | "pending" | "unknown";

/** Applies a receipt to its delivery record, once however often it comes; "unknown": no record has its id (yet). */
export async function applySmsReceipt(deps: ReceiptDeps, receipt: Receipt): Promise<ReceiptResult> {
  if (receipt.state === "pending") return "pending";
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
  await smsFallBack(deps, record, receipt.stat, `sms receipt: ${receipt.stat}`);
  return "failed";
}

/**
 * A `sent` SMS that did not reach the person (a failed receipt, or none in time: sms-receipt-sweep.ts)
 * goes to the next channel. Claimed from `sent` first: two receipts of one message fall back once.
 */
export async function smsFallBack(deps: ReceiptDeps, record: Parameters<typeof jobDataOf>[0] & { _id: unknown }, stat: string | null, why: string): Promise<boolean> {
  const claimed = await Delivery.updateOne({ _id: record._id, status: "sent" }, { $set: { status: "fell_back", ...(stat ? { "sms.stat": stat } : {}) } });
  if (!claimed.modifiedCount) return false;
  if (!record.notice) return false; // its text erased (data lifecycle): nothing left to send another way
  const next = await fallBack(deps.queue, jobDataOf(record), why, deps.now());
  deps.logger.child({ component: "sms-receipts" }).info({ key: record.idempotencyKey, stat, next }, "sms not delivered; fell back");
  return true;
}
