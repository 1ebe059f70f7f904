/**
 * The records of paper sheets — the weekly Printout and the daily ResultSlip — written for any
 * number of classes at once (the weekly job's batch, or one class): the sheets with their slips
 * (only ever appended, so a slip's id `<sheetId>.<n>` stays valid), the claim of the guardians'
 * pending paper items, and the delivery log's entry of each slip. A batch costs the same few
 * commands as one class (src/services/printout-build.ts).
 */
import { Types } from "mongoose";
import { Delivery, type DeliveryKind, type Printout } from "../db/models";
import type { PaperSlip } from "./paper-families";
import type { PendingItem } from "./reports/pending-paper";

export interface SlipState {
  id: string;
  studentName: string;
  guardianName: string;
  handed: boolean;
}

export function slipId(printoutId: Types.ObjectId, index: number): string {
  return `${printoutId.toHexString()}.${index}`;
}

export function parseSlipId(id: string): { printoutId: Types.ObjectId; index: number } | null {
  const match = /^([0-9a-f]{24})\.(\d{1,3})$/.exec(id);
  return match ? { printoutId: new Types.ObjectId(match[1]), index: Number(match[2]) } : null;
}

export const sameSlip = (a: PaperSlip, b: PaperSlip) => a.studentId.equals(b.studentId) && a.guardianId.equals(b.guardianId);

type SheetModel = { find: typeof Printout.find; insertMany: typeof Printout.insertMany; bulkWrite: typeof Printout.bulkWrite };
type SheetDoc = { _id: Types.ObjectId; producedAt: Date; slips: Array<PaperSlip & { handedAt?: Date | null; handedBy?: Types.ObjectId | null }> } & Record<string, unknown>;

export interface SheetWanted {
  /** The sheet's unique key, e.g. {schoolId, classId, weekStart}. */
  key: Record<string, unknown>;
  wanted: PaperSlip[];
  fileName: string;
}

const sameKey = (doc: Record<string, unknown>, key: Record<string, unknown>) => Object.entries(key).every(([k, v]) => String(doc[k]) === String(v));
const isDuplicate = (error: unknown) => {
  const e = error as { code?: number; writeErrors?: Array<{ code?: number }> };
  return e.code === 11000 || (!!e.writeErrors?.length && e.writeErrors.every((w) => w.code === 11000));
};

/** A printout (or daily results slip) with every wanted slip: see `upsertSheets`. */
export async function upsertSheet(model: SheetModel, key: Record<string, unknown>, wanted: PaperSlip[], now: Date, fileName: string) {
  return (await upsertSheets(model, [{ key, wanted, fileName }], now))[0];
}

/**
 * The sheets with every wanted slip, in the order asked: created, or appended to with an optimistic
 * check on the count (slips are only ever appended, so their ids stay valid). One read, one insert
 * and one bulk write for all of them; a sheet another build changed meanwhile is read again.
 * `known`: the sheets as just read by the caller (saves the first read).
 */
export async function upsertSheets(model: SheetModel, sheets: readonly SheetWanted[], now: Date, known?: readonly SheetDoc[]): Promise<SheetDoc[]> {
  const done: Array<SheetDoc | undefined> = sheets.map(() => undefined);
  let docs = known;
  for (let attempt = 0; attempt < 5; attempt++) {
    const open = sheets.map((_, i) => i).filter((i) => !done[i]);
    if (!open.length) return done as SheetDoc[];
    docs ??= (await model.find({ $or: open.map((i) => sheets[i].key) }).lean()) as unknown as SheetDoc[];
    const creates: number[] = [];
    const pushes: Array<{ i: number; doc: SheetDoc; missing: PaperSlip[] }> = [];
    for (const i of open) {
      const doc = docs.find((d) => sameKey(d, sheets[i].key));
      const missing = doc ? sheets[i].wanted.filter((w) => !doc.slips.some((s) => sameSlip(s, w))) : [];
      if (!doc) creates.push(i);
      else if (!missing.length) done[i] = doc;
      else pushes.push({ i, doc, missing });
    }
    docs = undefined;
    if (creates.length) {
      try {
        const created = await model.insertMany(creates.map((i) => ({ ...sheets[i].key, producedAt: now, fileName: sheets[i].fileName, slips: sheets[i].wanted })), { ordered: false });
        for (const doc of created) {
          const plain = doc.toObject() as unknown as SheetDoc;
          done[creates.find((i) => sameKey(plain, sheets[i].key))!] = plain;
        }
      } catch (error) {
        if (!isDuplicate(error)) throw error; // another build created some: read them again
      }
    }
    if (pushes.length) {
      const pushed = await model.bulkWrite(
        pushes.map(({ doc, missing }) => ({ updateOne: { filter: { _id: doc._id, slips: { $size: doc.slips.length } }, update: { $push: { slips: { $each: missing } } } } })),
        { ordered: false },
      );
      // All applied: the docs as they are now. Otherwise some changed meanwhile: read those again.
      if (pushed.modifiedCount === pushes.length) {
        for (const { i, doc, missing } of pushes) done[i] = { ...doc, slips: [...doc.slips, ...missing.map((m) => ({ ...m, handedAt: undefined, handedBy: undefined }))] };
      }
    }
  }
  if (done.every(Boolean)) return done as SheetDoc[];
  throw new Error("the printout kept changing while it was built");
}

export interface ClaimingSheet {
  printoutId: Types.ObjectId;
  slips: readonly PaperSlip[];
}

/** The slip an item goes on: one about a child on that child's slip, one about no child on the guardian's first. */
const slipOf = (slips: readonly PaperSlip[], recipient: { guardianId?: Types.ObjectId | null; studentId?: Types.ObjectId | null }) =>
  slips.findIndex((s) => recipient.guardianId?.equals(s.guardianId) && (!recipient.studentId || recipient.studentId.equals(s.studentId)));

/** `claimPendingOf` for one sheet. */
export async function claimPending(schoolId: Types.ObjectId, printoutId: Types.ObjectId, slips: PaperSlip[], kinds?: readonly DeliveryKind[]): Promise<Map<number, PendingItem[]>> {
  return (await claimPendingOf(schoolId, [{ printoutId, slips }], kinds))[0];
}

/**
 * Claims the guardians' pending paper items for these sheets and returns every item each holds, by
 * slip. An item that fits slips of several sheets (a guardian of children in two classes) goes to
 * the first of them, as if the sheets were built one after another in this order.
 */
export async function claimPendingOf(schoolId: Types.ObjectId, sheets: readonly ClaimingSheet[], kinds?: readonly DeliveryKind[]): Promise<Array<Map<number, PendingItem[]>>> {
  const guardianIds = [...new Map(sheets.flatMap((sheet) => sheet.slips.map((s) => [String(s.guardianId), s.guardianId] as const))).values()];
  const result = sheets.map(() => new Map<number, PendingItem[]>());
  if (!guardianIds.length) return result;
  const candidates = await Delivery.find(
    { schoolId, channel: "paper", status: "pending_paper", "recipient.guardianId": { $in: guardianIds }, ...(kinds ? { kind: { $in: kinds } } : {}) },
    { recipient: 1 },
  ).lean();
  const claims = new Map<number, Types.ObjectId[]>();
  for (const d of candidates) {
    const owner = sheets.findIndex((sheet) => slipOf(sheet.slips, d.recipient) >= 0);
    if (owner >= 0) claims.set(owner, [...(claims.get(owner) ?? []), d._id]);
  }
  if (claims.size) {
    await Delivery.bulkWrite(
      [...claims].map(([owner, ids]) => ({ updateMany: { filter: { _id: { $in: ids }, status: "pending_paper" }, update: { $set: { status: "printed", printoutId: sheets[owner].printoutId } } } })),
      { ordered: false },
    );
  }
  // Through the guardians: {recipient.guardianId, channel, status} is indexed, printoutId is not.
  const held = await Delivery.find({
    "recipient.guardianId": { $in: guardianIds },
    channel: "paper",
    status: { $in: ["printed", "handed"] },
    printoutId: { $in: sheets.map((s) => s.printoutId) },
    kind: { $ne: "printout" },
  })
    .sort({ queuedAt: 1 })
    .lean();
  for (const d of held) {
    const owner = sheets.findIndex((sheet) => sheet.printoutId.equals(d.printoutId!));
    const n = owner >= 0 ? slipOf(sheets[owner].slips, d.recipient) : -1;
    if (n < 0) continue;
    const raw = d as unknown as { notice?: unknown };
    const bySlip = result[owner];
    bySlip.set(n, [...(bySlip.get(n) ?? []), { deliveryId: String(d._id), kind: d.kind, eventId: d.eventId ?? null, queuedAt: d.queuedAt, notice: raw.notice }]);
  }
  return result;
}

/** The delivery log's entry of each slip of these printouts: printed now, handed later (the weekly obligation's proof). */
export async function recordSlipDeliveries(schoolId: Types.ObjectId, sheets: ReadonlyArray<ClaimingSheet & { producedAt: Date }>): Promise<void> {
  const ops = sheets.flatMap(({ printoutId, slips, producedAt }) =>
    slips.map((s) => ({
      updateOne: {
        filter: { idempotencyKey: slipDeliveryKey(printoutId, s) },
        update: {
          $setOnInsert: { schoolId, kind: "printout", channel: "paper", status: "printed", recipient: { guardianId: s.guardianId, studentId: s.studentId }, printoutId, queuedAt: producedAt, attempts: 0 },
        },
        upsert: true,
      },
    })),
  );
  if (ops.length) await Delivery.bulkWrite(ops as Parameters<typeof Delivery.bulkWrite>[0]);
}

const slipDeliveryKey = (printoutId: Types.ObjectId, s: PaperSlip) => `printout/${printoutId.toHexString()}/${s.studentId.toHexString()}/${s.guardianId.toHexString()}`;
