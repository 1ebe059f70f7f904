/**
 * SMS text rules (pure): UCS-2 parts with a concatenation header (UDH), E.164 numbers, delivery
 * receipts. Every text goes as UCS-2 (data_coding 8): the school's texts are Cyrillic, and one
 * encoding keeps the part count predictable (70 characters alone, 67 per part when concatenated).
 */

/** Characters of one UCS-2 SMS without a header; 67 per part once a 6-byte UDH takes its place. */
export const SINGLE_PART_CHARS = 70;
export const CONCAT_PART_CHARS = 67;
export const DEFAULT_MAX_PARTS = 2;

export interface SmsPart {
  /** UCS-2 big-endian bytes of this part's text. */
  message: Buffer;
  /** 05 00 03 <ref> <total> <seq> when the text needs more than one part. */
  udh?: Buffer;
}

/** The text cut to what `maxParts` can carry (an ellipsis marks a cut); never splits a surrogate pair. */
export function fitText(text: string, maxParts: number = DEFAULT_MAX_PARTS): string {
  const limit = maxParts <= 1 ? SINGLE_PART_CHARS : CONCAT_PART_CHARS * maxParts;
  if (text.length <= limit) return text;
  let cut = limit - 1;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, cut).trimEnd() + "…";
}

/** Splits a text (already fitted) into UCS-2 parts; `ref` is the concatenation reference (0..255). */
export function splitUcs2(text: string, ref: number): SmsPart[] {
  if (text.length <= SINGLE_PART_CHARS) return [{ message: ucs2(text) }];
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + CONCAT_PART_CHARS, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    chunks.push(text.slice(i, end));
    i = end;
  }
  if (chunks.length > 255) throw new RangeError("an SMS has at most 255 parts");
  return chunks.map((chunk, n) => ({ message: ucs2(chunk), udh: Buffer.from([0x05, 0x00, 0x03, ref & 0xff, chunks.length, n + 1]) }));
}

/** Parts a text needs after fitting (for the compliance report's count). */
export function partCount(text: string, maxParts: number = DEFAULT_MAX_PARTS): number {
  const fitted = fitText(text, maxParts);
  return fitted.length <= SINGLE_PART_CHARS ? 1 : Math.ceil(fitted.length / CONCAT_PART_CHARS);
}

export function ucs2(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return le;
}

export function fromUcs2(bytes: Buffer): string {
  const le = Buffer.from(bytes);
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return le.toString("utf16le");
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A phone number as E.164 ("+79123456789") or null. Russian habits are understood: "8 912 …" and
 * "912 …" (ten digits) are +7 numbers.
 */
export function toE164(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[+\d][\d\s()\-.]*$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, "");
  let full: string;
  if (trimmed.startsWith("+")) full = digits;
  else if (digits.length === 11 && digits.startsWith("8")) full = "7" + digits.slice(1);
  else if (digits.length === 11 && digits.startsWith("7")) full = digits;
  else if (digits.length === 10 && digits.startsWith("9")) full = "7" + digits;
  else return null;
  if (full.length < 8 || full.length > 15 || full.startsWith("0")) return null;
  if (full.startsWith("7") && full.length !== 11) return null;
  return "+" + full;
}

/** "+79123456789" → "+7912***6789": numbers never reach logs whole. */
export function maskPhone(e164: string): string {
  return e164.length > 8 ? e164.slice(0, 5) + "***" + e164.slice(-4) : "***";
}

export type ReceiptState = "delivered" | "failed" | "pending";

export interface Receipt {
  messageId: string;
  state: ReceiptState;
  /** The SMSC's word for it (DELIVRD, UNDELIV, EXPIRED, ...). */
  stat: string;
}

const FINAL_FAILED = new Set(["UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN"]);
/** message_state TLV values (SMPP 3.4 5.3.2.35): 2 delivered, 3 expired, 4 deleted, 5 undeliverable, 7 unknown, 8 rejected. */
const STATE_NAMES: Record<number, string> = { 1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD", 7: "UNKNOWN", 8: "REJECTD" };

/**
 * A delivery receipt from a deliver_sm: the receipted_message_id/message_state TLVs when present,
 * else the text form "id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:…".
 */
export function parseReceipt(text: string, tlv: { receiptedMessageId?: string; messageState?: number } = {}): Receipt | null {
  const id = tlv.receiptedMessageId ?? /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const stat = (tlv.messageState !== undefined ? STATE_NAMES[tlv.messageState] : undefined) ?? /(?:^|\s)stat:(\S+)/i.exec(text)?.[1]?.toUpperCase();
  if (!id || !stat) return null;
  const state: ReceiptState = stat === "DELIVRD" ? "delivered" : FINAL_FAILED.has(stat) ? "failed" : "pending";
  return { messageId: id, state, stat };
}

/**
 * The number an SMS may go to (regulation 7, as for e-mail): the person's own (shared with the
 * messenger's contact button, so verified) or one the school received in writing or by edoc; a
 * number that only came from the journal is not used. E.164, or null.
 */
export function deliverablePhone(contacts: ReadonlyArray<{ kind: string; value: string; source: string; verifiedAt?: Date | null }>): string | null {
  for (const c of contacts) {
    if (c.kind !== "phone") continue;
    if (c.source === "school-paper" || c.source === "school-edoc" || (c.source === "guardian" && c.verifiedAt)) {
      const e164 = toE164(c.value);
      if (e164) return e164;
    }
  }
  return null;
}
