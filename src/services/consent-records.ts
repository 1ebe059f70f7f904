/**
 * Writing and checking consent records (issue #16.8). Every record is appended through
 * `appendConsent`, which links it to the previous record of the same person and school (a hash
 * chain: src/domain/consent-chain.ts); `verifyConsentChains` walks the chains and names the first
 * record that was changed, removed or inserted outside the application.
 */
import { Types } from "mongoose";
import { ConsentRecord, type ConsentDecision, type ConsentForm } from "../db/models";
import { chainOf, checkChain, recordHash, type ChainBreak, type StoredRecord } from "../domain/consent-chain";

export interface NewConsent {
  schoolId?: Types.ObjectId;
  accountId?: Types.ObjectId;
  guardianId?: Types.ObjectId;
  decision: ConsentDecision;
  form: ConsentForm;
  textVersion: string;
  textHash: string;
  recordedAt: Date;
  recordedBy?: Types.ObjectId;
  note?: string;
  /** The written statement (paper/edoc): number, date YYYY-MM-DD, the signed file's sha256 (edoc). */
  document?: { number: string; date: string; fileHash?: string };
}

const hex = (id: Types.ObjectId | null | undefined) => (id ? id.toHexString() : null);
const MAX_ATTEMPTS = 5;

/** Appends one record at the head of its chain (two round trips); a concurrent append to the same chain makes it retry. */
export async function appendConsent(input: NewConsent) {
  const note = input.note?.trim() || undefined;
  const chain = chainOf({ accountId: hex(input.accountId), guardianId: hex(input.guardianId), form: input.form, schoolId: hex(input.schoolId) });
  for (let attempt = 1; ; attempt++) {
    const head = await ConsentRecord.findOne({ chain }, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean();
    const _id = new Types.ObjectId();
    const seq = head ? (head.seq ?? 0) + 1 : 0;
    const prevHash = head?.hash ?? null;
    const hash = recordHash({
      id: _id.toHexString(), chain, seq, prevHash, schoolId: hex(input.schoolId), accountId: hex(input.accountId), guardianId: hex(input.guardianId),
      decision: input.decision, form: input.form, textVersion: input.textVersion, textHash: input.textHash, recordedAt: input.recordedAt.toISOString(),
      recordedBy: hex(input.recordedBy), note: note ?? null, document: chainedDocument(input.document),
    });
    try {
      const document = input.document ? { ...input.document, number: input.document.number.trim() } : undefined;
      return await ConsentRecord.create({ ...input, note, document, _id, chain, seq, ...(prevHash ? { prevHash } : {}), hash });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000 || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

const chainedDocument = (d: { number: string; date: string; fileHash?: string | null } | null | undefined) =>
  d ? { number: d.number.trim(), date: d.date, fileHash: d.fileHash ?? null } : null;

type Lean = {
  _id: Types.ObjectId; chain?: string | null; seq?: number | null; prevHash?: string | null; hash?: string | null; schoolId?: Types.ObjectId | null;
  accountId?: Types.ObjectId | null; guardianId?: Types.ObjectId | null; decision: string; form: string; textVersion: string; textHash: string;
  recordedAt: Date; recordedBy?: Types.ObjectId | null; note?: string | null; document?: { number: string; date: string; fileHash?: string | null } | null;
};

export function storedRecord(r: Lean): StoredRecord {
  return {
    id: r._id.toHexString(), chain: r.chain ?? null, seq: typeof r.seq === "number" ? r.seq : null, prevHash: r.prevHash ?? null, hash: r.hash ?? null,
    schoolId: hex(r.schoolId), accountId: hex(r.accountId), guardianId: hex(r.guardianId), decision: r.decision, form: r.form,
    textVersion: r.textVersion, textHash: r.textHash, recordedAt: new Date(r.recordedAt).toISOString(), recordedBy: hex(r.recordedBy), note: r.note ?? null,
    document: chainedDocument(r.document),
  };
}

export interface ChainReport {
  records: number;
  chains: number;
  /** Every chain that is broken, with its first bad record; unchained records first. */
  broken: ChainBreak[];
  /** The last record of each chain: keep a copy elsewhere to notice a removed last record later. */
  heads: Array<{ chain: string; seq: number; hash: string }>;
}

/**
 * Walks every chain (of one school, or all) in `seq` order with a cursor, so memory stays flat
 * whatever the number of records. A record without a hash after the chains began (written through
 * the raw driver) is reported as `not-chained`.
 */
export async function verifyConsentChains(schoolId?: Types.ObjectId): Promise<ChainReport> {
  const scope = schoolId ? { schoolId } : {};
  const report: ChainReport = { records: 0, chains: 0, broken: [], heads: [] };
  const unchained = await ConsentRecord.find({ ...scope, $or: [{ chain: { $exists: false } }, { hash: { $exists: false } }] }).sort({ recordedAt: 1, _id: 1 }).lean<Lean[]>();
  for (const r of unchained) report.broken.push({ id: r._id.toHexString(), chain: r.chain ?? "", seq: r.seq ?? null, problem: "not-chained" });
  report.records += unchained.length;

  let current: StoredRecord[] = [];
  const finish = () => {
    if (!current.length) return;
    report.chains++;
    const broken = checkChain(current);
    if (broken) report.broken.push(broken);
    const head = current[current.length - 1];
    report.heads.push({ chain: head.chain!, seq: head.seq!, hash: head.hash! });
    current = [];
  };
  const cursor = ConsentRecord.find({ ...scope, chain: { $type: "string" }, hash: { $exists: true } }).sort({ chain: 1, seq: 1 }).lean<Lean[]>().cursor();
  for await (const doc of cursor) {
    const record = storedRecord(doc as unknown as Lean);
    if (current.length && current[0].chain !== record.chain) finish();
    current.push(record);
    report.records++;
  }
  finish();
  return report;
}
