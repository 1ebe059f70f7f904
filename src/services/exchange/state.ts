/**
 * Comparing and hashing stored states: a canonical form in which ObjectIds are hex strings, Dates
 * ISO strings, keys sorted, and null, absent and empty arrays all mean "not set".
 */
import { createHash } from "node:crypto";
import { Types } from "mongoose";

export type Doc = Record<string, unknown>;

function isObjectId(value: unknown): value is Types.ObjectId {
  return typeof value === "object" && value !== null && (value as { _bsontype?: string })._bsontype === "ObjectId";
}

export function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isObjectId(value)) return value.toHexString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length ? value.map(canonical) : null;
  if (typeof value === "object") {
    const entries = Object.keys(value as Doc)
      .sort()
      .map((key) => [key, canonical((value as Doc)[key])] as const)
      .filter(([, v]) => v !== null);
    return entries.length ? Object.fromEntries(entries) : null;
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The fields of `state` whose values differ from `existing`. */
export function changedFields(state: Doc, existing: Doc): string[] {
  return Object.keys(state).filter((key) => !sameValue(state[key], existing[key]));
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function stateHash(state: Doc): string {
  return sha256(JSON.stringify(canonical(state)));
}

/**
 * The _id a journal record gets when it is created: derived from school, resource and externalId,
 * so two concurrent imports of the same new item agree on it (and a re-created record keeps the id
 * that bot records may still point to).
 */
export function recordId(schoolId: Types.ObjectId, resource: string, externalId: string): Types.ObjectId {
  return new Types.ObjectId(sha256(`${schoolId.toHexString()}|${resource}|${externalId}`).slice(0, 24));
}

/** `state` without undefined values (the driver would store them as null). */
export function defined(state: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(state)) if (value !== undefined) out[key] = value;
  return out;
}
