import { Schema, model, type HydratedDocument, type InferSchemaType, type QueryFilter } from "mongoose";
import { CONSENT_DECISIONS, CONSENT_FORMS, SHA256_HEX_RE } from "./enums";
import { appendOnly } from "./append-only";
import { MAX, ObjectId, optionalRefField, optionalTextField } from "./fields";

export const CONSENT_APPEND_ONLY_MESSAGE = "consent records are append-only";

/**
 * A consent, refusal or withdrawal (regulation 1, 152-FZ); collection `consent_records`.
 * APPEND-ONLY: a new decision is a new record; the newest record for an account or guardian is the
 * one in force (see `latestConsent`). Telegram records name the account; paper and edoc records,
 * registered by an admin (`recordedBy`), name the guardian record (the record person) and, when the
 * admin said the signer is also a given bot account, that account too (`accountId`).
 *
 * Each record is a link of a hash chain per person and school (`chain`, `seq`, `prevHash`, `hash`;
 * src/domain/consent-chain.ts): written only through `appendConsent` (src/services/consent-records.ts),
 * checked by `npm run consent:verify`.
 */
/** The written statement behind a paper or edoc record (issue 13): its number and date, and the signed file's hash (edoc). */
const documentSchema = new Schema(
  {
    number: { type: String, required: true, trim: true, minlength: 1, maxlength: MAX.short },
    /** The statement's date, YYYY-MM-DD (the school's calendar). */
    date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    /** sha256 (hex) of the signed e-document file; the file itself is not kept. */
    fileHash: { type: String, match: SHA256_HEX_RE },
  },
  { _id: false },
);

export const consentRecordSchema = new Schema(
  {
    /** Absent when the account consented before it was linked to any school. */
    schoolId: optionalRefField("School"),
    accountId: {
      type: ObjectId,
      ref: "Account",
      required: [function (this: { form?: string }) { return this.form === "telegram" || this.form === "max"; }, "a consent given in a messenger needs accountId"],
    },
    guardianId: {
      type: ObjectId,
      ref: "Guardian",
      required: [
        function (this: { form?: string }) { return this.form === "paper" || this.form === "edoc"; },
        "a paper or edoc consent needs guardianId",
      ],
    },
    decision: { type: String, enum: CONSENT_DECISIONS, required: true },
    form: { type: String, enum: CONSENT_FORMS, required: true },
    textVersion: { type: String, required: true, trim: true, minlength: 1, maxlength: MAX.short },
    /** sha256 (hex) of the exact consent text shown or signed. */
    textHash: { type: String, required: true, match: SHA256_HEX_RE },
    recordedAt: { type: Date, required: true, default: () => new Date() },
    /** The admin's account that registered a paper or edoc decision. */
    recordedBy: optionalRefField("Account"),
    /** E.g. the number of the written statement; no personal data beyond what the form needs. */
    note: optionalTextField(MAX.comment),
    /** The statement's number, date and (edoc) file hash; covered by the chain's hash when present. */
    document: { type: documentSchema, default: undefined },
    /** The person and school whose chain this record extends: `a<accountId>:<schoolId>` or `g<guardianId>:<schoolId>`. */
    chain: { type: String, maxlength: 100 },
    /** Position in the chain, from 0. */
    seq: { type: Number, min: 0, validate: { validator: Number.isInteger, message: "{PATH} must be an integer" } },
    /** The hash of the previous record of the chain (absent for the first). */
    prevHash: { type: String, match: SHA256_HEX_RE },
    /** sha256 over this record's content and `prevHash`. */
    hash: { type: String, match: SHA256_HEX_RE },
  },
  { collection: "consent_records", timestamps: false },
);

consentRecordSchema.index({ accountId: 1, recordedAt: -1 });
consentRecordSchema.index({ guardianId: 1, recordedAt: -1 });
// One record per place in a chain: of two decisions written at once for the same person, one retries.
consentRecordSchema.index({ chain: 1, seq: 1 }, { unique: true, partialFilterExpression: { chain: { $type: "string" } } });

appendOnly(consentRecordSchema, CONSENT_APPEND_ONLY_MESSAGE);

export const ConsentRecord = model("ConsentRecord", consentRecordSchema);
export type ConsentRecord = InferSchemaType<typeof consentRecordSchema>;
export type ConsentRecordDocument = HydratedDocument<ConsentRecord>;
export type ConsentRecordModel = typeof ConsentRecord;

/**
 * The newest record matching `filter` (e.g. `{ accountId }` or `{ guardianId }`), or null: the
 * decision in force. Ties on `recordedAt` go to the later insert.
 */
export function latestConsent(filter: QueryFilter<ConsentRecord>) {
  return ConsentRecord.findOne(filter).sort({ recordedAt: -1, _id: -1 }).lean().exec();
}
