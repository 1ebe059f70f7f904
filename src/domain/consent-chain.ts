/**
 * The hash chain of consent records (issue #16.8): each record carries the hash of the previous
 * record of the same person and school, and its own hash over its content and that link, so that a
 * record changed, removed or slipped in outside the application breaks the chain where it happened.
 * Pure: the service reads and writes the records (src/services/consent-records.ts).
 */
import { createHash } from "node:crypto";

/** What a record's hash covers (ids as hex strings, instants as ISO strings, absent values as ""). */
export interface ChainedFields {
  id: string;
  chain: string;
  seq: number;
  prevHash: string | null;
  schoolId: string | null;
  accountId: string | null;
  guardianId: string | null;
  decision: string;
  form: string;
  textVersion: string;
  textHash: string;
  recordedAt: string;
  recordedBy: string | null;
  note: string | null;
  /**
   * The written statement's number, date (YYYY-MM-DD) and, for an e-document, the sha256 of the signed
   * file (issue 13). Covered only when present, so that the records written before it keep their hashes.
   */
  document?: { number: string; date: string; fileHash: string | null } | null;
}

/**
 * The chain a record belongs to: its person and school. A written (paper/edoc) decision is the
 * record person's (`g<guardianId>`), even when the admin named an account as its signer; a decision
 * in the bot is the account's (`a<accountId>`).
 */
export function chainOf(record: { accountId?: string | null; guardianId?: string | null; form: string; schoolId?: string | null }): string {
  const written = record.form === "paper" || record.form === "edoc";
  const person = written && record.guardianId ? `g${record.guardianId}` : record.accountId ? `a${record.accountId}` : `g${record.guardianId ?? ""}`;
  return `${person}:${record.schoolId ?? "-"}`;
}

export function recordHash(f: ChainedFields): string {
  const content: unknown[] = [f.id, f.chain, f.seq, f.prevHash ?? "", f.schoolId ?? "", f.accountId ?? "", f.guardianId ?? "", f.decision, f.form, f.textVersion, f.textHash, f.recordedAt, f.recordedBy ?? "", f.note ?? ""];
  if (f.document) content.push([f.document.number, f.document.date, f.document.fileHash ?? ""]);
  return createHash("sha256").update(JSON.stringify(content), "utf8").digest("hex");
}

export type ChainProblem =
  | "not-chained"
  | "wrong-chain"
  | "sequence-gap"
  | "previous-hash-mismatch"
  | "hash-mismatch";

export interface ChainBreak {
  id: string;
  chain: string;
  seq: number | null;
  problem: ChainProblem;
}

/** A record as stored: the chained fields plus the stored hash (null when the record has none). */
export type StoredRecord = Omit<ChainedFields, "chain" | "seq"> & { chain: string | null; seq: number | null; hash: string | null };

/**
 * Checks one chain, its records in `seq` order: the first problem found, or null. Records of one
 * chain are checked together so that a removed record shows as a gap and a changed one as a hash
 * that no longer matches.
 */
export function checkChain(records: readonly StoredRecord[]): ChainBreak | null {
  let previous: StoredRecord | null = null;
  for (const r of records) {
    const at = (problem: ChainProblem): ChainBreak => ({ id: r.id, chain: r.chain ?? "", seq: r.seq, problem });
    if (r.chain === null || r.seq === null || r.hash === null) return at("not-chained");
    if (r.chain !== chainOf(r)) return at("wrong-chain");
    if (r.seq !== (previous ? previous.seq! + 1 : 0)) return at("sequence-gap");
    if ((r.prevHash ?? null) !== (previous ? previous.hash : null)) return at("previous-hash-mismatch");
    if (recordHash({ ...r, chain: r.chain, seq: r.seq }) !== r.hash) return at("hash-mismatch");
    previous = r;
  }
  return null;
}
