/**
 * Writing a section's plan with bulk operations (one round trip per kind of change). Creations are
 * upserts that insert only when the record is still missing; updates apply only if the record is
 * still the version the diff saw (its updatedAt). Whatever a concurrent import got to first is
 * returned as "unsettled" for the caller to diff again.
 */
import type { AnyBulkWriteOperation, BulkWriteResult } from "mongodb";
import type { Types } from "mongoose";
import type { SectionPlan } from "./plan";
import { RESOURCES, insertDefaults } from "./resources";
import { defined, type Doc } from "./state";

export interface SectionWrite {
  created: number;
  updated: number;
  deleted: number;
  /** externalIds whose change did not apply because another writer came first. */
  unsettled: string[];
}

const DUPLICATE_KEY = 11000;

interface WriteErrorLike {
  index: number;
  code: number;
  errmsg?: string;
}

/** Runs a bulk write; duplicate-key errors are returned by op index, any other failure is thrown. */
async function bulk(collection: { bulkWrite(ops: AnyBulkWriteOperation<Doc>[], options: object): Promise<BulkWriteResult> }, ops: AnyBulkWriteOperation<Doc>[]) {
  if (!ops.length) return { result: undefined, duplicates: new Set<number>() };
  try {
    return { result: await collection.bulkWrite(ops, { ordered: false }), duplicates: new Set<number>() };
  } catch (error) {
    const e = error as { writeErrors?: WriteErrorLike[] | WriteErrorLike; result?: BulkWriteResult };
    const writeErrors = e.writeErrors === undefined ? [] : Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    if (!e.result || !writeErrors.length || writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw error;
    return { result: e.result, duplicates: new Set(writeErrors.map((w) => w.index)) };
  }
}

/**
 * Writes one phase of a section's plan: "upserts" (creations, updates) or "deletes"; a bundle writes
 * the upserts of all its sections in dependency order, then the deletions in reverse.
 */
export async function writeSection(schoolId: Types.ObjectId, plan: SectionPlan, now: Date, phase: "upserts" | "deletes"): Promise<SectionWrite> {
  const def = RESOURCES[plan.resource];
  const collection = def.model.collection as unknown as Parameters<typeof bulk>[0];
  const out: SectionWrite = { created: 0, updated: 0, deleted: 0, unsettled: [] };
  if (phase === "deletes") {
    const deletes = await bulk(collection, plan.deletes.map((c) => ({ deleteOne: { filter: { _id: c.id } } })));
    out.deleted = deletes.result?.deletedCount ?? 0;
    return out;
  }

  const creates = await bulk(
    collection,
    plan.creates.map((c) => ({
      updateOne: {
        filter: { schoolId, externalId: c.externalId },
        update: { $setOnInsert: { ...insertDefaults(def), ...defined(c.after!), _id: c.id, createdAt: now, updatedAt: now } },
        upsert: true,
      },
    })),
  );
  const upserted = new Set(Object.keys(creates.result?.upsertedIds ?? {}).map(Number));
  out.created = upserted.size;
  plan.creates.forEach((c, i) => {
    if (!upserted.has(i)) out.unsettled.push(c.externalId);
  });

  const updates = await bulk(
    collection,
    plan.updates.map((c) => {
      const set: Doc = { updatedAt: now };
      const unset: Record<string, ""> = {};
      for (const field of c.changed) {
        if (c.after![field] === undefined) unset[field] = "";
        else set[field] = c.after![field];
      }
      return {
        updateOne: {
          filter: { _id: c.id, updatedAt: c.before!.updatedAt ?? null },
          update: Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set },
        },
      };
    }),
  );
  out.updated = updates.result?.matchedCount ?? 0;
  // Which update lost is not reported per operation: all of them are diffed again (cheap, and rare).
  if (out.updated < plan.updates.length) out.unsettled.push(...plan.updates.map((c) => c.externalId));
  return out;
}
