/**
 * Consents, refusals and withdrawals given on paper or through an electronic document system
 * (regulation 1, 7, 9), registered by an admin in the bot or with the CLI. They are the record
 * person's (the journal's guardian record), so guardians without Telegram count in the weekly
 * printouts; the admin may say that the signer is also one of the bot accounts acting for the
 * record. A written statement may also hand over contact details (source `school-paper` / `school-edoc`).
 */
import { Types } from "mongoose";
import {
  EMAIL_RE, Guardian, GuardianLink, PHONE_RE, SchoolClass, Student, Account,
  type ConsentDecision, type ConsentForm, type ContactSource,
} from "../db/models";
import { consentTextHash } from "../domain/consent";
import { normalizePhone } from "../domain/codes";
import type { Translate } from "../i18n";
import { consentFullText, consentSchool, endPaperKeptFor } from "./consent";
import { appendConsent } from "./consent-records";
import { cancelElectronicDeliveries, leaveSchool } from "./privacy";
import { recordAudit } from "./audit";

export class PaperConsentError extends Error {}

export const PAPER_FORMS = ["paper", "edoc"] as const satisfies readonly ConsentForm[];
export type PaperForm = (typeof PAPER_FORMS)[number];

export async function classesOf(schoolId: Types.ObjectId) {
  const classes = await SchoolClass.find({ schoolId }, { name: 1, grade: 1 }).lean();
  return classes
    .sort((a, b) => a.grade - b.grade || a.name.localeCompare(b.name, "ru"))
    .map((c) => ({ id: String(c._id), name: c.name }));
}

export async function studentsOfClass(schoolId: Types.ObjectId, classId: string) {
  if (!Types.ObjectId.isValid(classId)) return [];
  const students = await Student.find({ schoolId, classId: new Types.ObjectId(classId), left: null }, { fullName: 1 }).sort({ fullName: 1 }).lean();
  return students.map((s) => ({ id: String(s._id), name: s.fullName }));
}

/** The student's guardian records with the decision in force for each (paper or linked account). */
export async function guardiansOfStudent(schoolId: Types.ObjectId, studentId: string) {
  if (!Types.ObjectId.isValid(studentId)) return [];
  const guardians = await Guardian.find({ schoolId, studentIds: new Types.ObjectId(studentId) }, { fullName: 1, delivery: 1 }).lean();
  return guardians.map((g) => ({ id: String(g._id), name: g.fullName ?? null, delivery: g.delivery }));
}

export interface PaperDecision {
  schoolId: Types.ObjectId;
  guardianId: Types.ObjectId;
  decision: ConsentDecision;
  form: PaperForm;
  /** Russian: paper forms are in Russian; the record keeps the hash of the bot's text of that version. */
  t: Translate;
  now: Date;
  recordedBy?: Types.ObjectId;
  note?: string;
  contacts?: { email?: string; phone?: string };
  /**
   * The bot account the admin says belongs to the signer (one of the accounts acting for the record),
   * or none (the default): the decision is then the record person's alone.
   */
  signerAccountId?: Types.ObjectId;
  /** The statement's number and date (YYYY-MM-DD) and, for an e-document, the sha256 of the signed file. */
  document?: WrittenDocument;
}

export interface WrittenDocument {
  number: string;
  date: string;
  fileHash?: string;
}

export interface PaperResult {
  recordId: string;
  /** Accounts disconnected: the signer's, when named with a refusal or withdrawal. */
  unlinkedAccounts: number;
  /** Accounts still acting for the record: other persons, whom this decision does not concern. */
  otherAccounts: number;
}

/** The accounts acting for the record with what an admin needs to tell them apart (no names are stored). */
export async function accountsOfRecord(schoolId: Types.ObjectId, guardianId: Types.ObjectId | string) {
  if (!Types.ObjectId.isValid(String(guardianId))) return [];
  const gid = new Types.ObjectId(String(guardianId));
  const [links, withRole] = await Promise.all([
    GuardianLink.find({ schoolId, guardianId: gid }, { accountId: 1, linkedAt: 1 }).sort({ linkedAt: 1 }).lean(),
    Account.find({ roles: { $elemMatch: { role: "guardian", schoolId, guardianId: gid } } }, { _id: 1 }).lean(),
  ]);
  const ids = [...new Map([...links.map((l) => l.accountId), ...withRole.map((a) => a._id)].map((id) => [String(id), id])).values()];
  const accounts = await Account.find({ _id: { $in: ids } }, { telegramId: 1, createdAt: 1 }).lean();
  return accounts
    .map((a) => ({ id: String(a._id), telegramId: a.telegramId, since: links.find((l) => l.accountId.equals(a._id))?.linkedAt ?? (a as { createdAt?: Date }).createdAt ?? null }))
    .sort((x, y) => (x.since?.getTime() ?? 0) - (y.since?.getTime() ?? 0));
}

/**
 * Records a written decision and applies it. It belongs to the record person: a refusal or
 * withdrawal puts the record (and so its family) on paper and cancels the record person's queued
 * e-mails; a consent switches back a record that was on paper because of an earlier written refusal
 * or withdrawal. Accounts acting for the record keep their own decisions — except the signer's
 * account when the admin names it: the same statement is then that account's decision too (152-FZ:
 * a written withdrawal stops processing for that human), and a refusal or withdrawal disconnects it.
 */
export async function registerPaperDecision(input: PaperDecision): Promise<PaperResult> {
  const guardian = await Guardian.findOne({ _id: input.guardianId, schoolId: input.schoolId }).lean();
  if (!guardian) throw new PaperConsentError("Guardian not found in this school");
  const school = await consentSchool(input.schoolId);
  if (!school) throw new PaperConsentError("School not found");
  const contacts = normalizedContacts(input.contacts);
  const document = checkedDocument(input.document, input.form, input.now);
  const acting = await accountsOfRecord(input.schoolId, guardian._id);
  const signer = input.signerAccountId;
  if (signer && !acting.some((a) => a.id === String(signer))) throw new PaperConsentError("The signer's account does not act for this guardian");
  const record = await appendConsent({
    schoolId: input.schoolId, guardianId: guardian._id, ...(signer ? { accountId: signer } : {}), decision: input.decision, form: input.form,
    textVersion: school.version, textHash: consentTextHash(consentFullText(input.t, school)),
    recordedAt: input.now, recordedBy: input.recordedBy, note: input.note, ...(document ? { document } : {}),
  });
  let unlinkedAccounts = 0;
  if (input.decision === "granted") {
    await Guardian.updateOne(
      { _id: guardian._id, delivery: "paper", deliveryReason: { $in: ["paper-refusal", "declined", "withdrawn"] } },
      { $set: { delivery: "electronic" }, $unset: { deliveryReason: 1 } },
    );
    if (signer) await endPaperKeptFor(signer, input.schoolId);
    await writeContacts({ guardianId: guardian._id, signer, form: input.form, now: input.now }, contacts);
  } else {
    // A written refusal and a written withdrawal both mean: no electronic processing for the record
    // person. The reason stays apart, since a later written consent switches back only these.
    const reason = input.decision === "declined" ? "paper-refusal" : "withdrawn";
    await Guardian.updateOne({ _id: guardian._id }, { $set: { delivery: "paper", deliveryReason: reason }, $pull: { contacts: { source: "guardian" } } });
    await cancelElectronicDeliveries({ guardianId: guardian._id });
    if (signer) {
      await leaveSchool({ accountId: signer, schoolId: input.schoolId, now: input.now, reason: input.decision === "declined" ? "declined" : "withdrawn" });
      unlinkedAccounts = 1;
    }
  }
  return { recordId: String(record._id), unlinkedAccounts, otherAccounts: acting.length - unlinkedAccounts };
}

type Contact = { kind: "email" | "phone"; value: string };

/** The statement's contacts are the signer's: their account's when named, else the record person's. */
async function writeContacts(to: { guardianId: Types.ObjectId; signer?: Types.ObjectId; form: PaperForm; now: Date }, contacts: Contact[], remove: Array<Contact["kind"]> = []) {
  const source: ContactSource = to.form === "edoc" ? "school-edoc" : "school-paper";
  const apply = (update: object) => (to.signer ? Account.updateOne({ _id: to.signer }, update) : Guardian.updateOne({ _id: to.guardianId }, update));
  // Contacts the school received in writing, of any form, are replaced or removed together.
  const written = { $in: ["school-paper", "school-edoc"] };
  for (const kind of remove) await apply({ $pull: { contacts: { kind, source: written } } });
  for (const c of contacts) {
    // A contact of each kind from the school: the newer statement replaces the older one ($pull and $push of one array need two updates).
    await apply({ $pull: { contacts: { kind: c.kind, source: written } } });
    await apply({ $push: { contacts: { ...c, source, verifiedAt: to.now } } });
  }
}

export interface WrittenContacts {
  schoolId: Types.ObjectId;
  guardianId: Types.ObjectId;
  form: PaperForm;
  now: Date;
  recordedBy: Types.ObjectId;
  document: WrittenDocument;
  contacts: { email?: string; phone?: string };
  /** Kinds of the school's written contacts the statement takes back. */
  remove?: Array<"email" | "phone">;
  signerAccountId?: Types.ObjectId;
}

/**
 * A change of contacts given in writing on its own, without a new decision (issue 13): the new
 * contacts replace the school's written ones (or the statement takes them back), for the signer's
 * account when named, else for the record person. Written to the audit log (kinds and the
 * statement, never the values).
 */
export async function registerWrittenContacts(input: WrittenContacts): Promise<{ changed: number }> {
  const guardian = await Guardian.findOne({ _id: input.guardianId, schoolId: input.schoolId }, { _id: 1 }).lean();
  if (!guardian) throw new PaperConsentError("Guardian not found in this school");
  const contacts = normalizedContacts(input.contacts);
  const remove = (input.remove ?? []).filter((k) => !contacts.some((c) => c.kind === k));
  if (!contacts.length && !remove.length) throw new PaperConsentError("No contacts given");
  const document = checkedDocument(input.document, input.form, input.now)!;
  const signer = input.signerAccountId;
  if (signer && !(await accountsOfRecord(input.schoolId, guardian._id)).some((a) => a.id === String(signer))) {
    throw new PaperConsentError("The signer's account does not act for this guardian");
  }
  await writeContacts({ guardianId: guardian._id, signer, form: input.form, now: input.now }, contacts, remove);
  await recordAudit([{
    at: input.now, schoolId: input.schoolId, actor: { kind: "account", accountId: input.recordedBy }, action: "contacts.written",
    target: signer ? { kind: "account", id: signer } : { kind: "guardian", id: guardian._id },
    after: { set: contacts.map((c) => c.kind), removed: remove, form: input.form, document },
  }]);
  return { changed: contacts.length + remove.length };
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The statement's details, checked: a number, a real date not after today (UTC+14 at most), a hash only for an e-document. */
function checkedDocument(document: WrittenDocument | undefined, form: PaperForm, now: Date): WrittenDocument | undefined {
  if (!document) return undefined;
  const number = document.number.trim();
  if (!number || number.length > 100) throw new PaperConsentError("The statement's number is missing or too long");
  const day = new Date(`${document.date}T00:00:00Z`);
  if (!DAY_RE.test(document.date) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== document.date) {
    throw new PaperConsentError("The statement's date is not a date (YYYY-MM-DD)");
  }
  if (day.getTime() > now.getTime() + 14 * 3600_000) throw new PaperConsentError("The statement's date is in the future");
  if (form === "edoc" && !(document.fileHash && /^[0-9a-f]{64}$/.test(document.fileHash))) throw new PaperConsentError("An e-document needs the signed file");
  if (form === "paper" && document.fileHash) throw new PaperConsentError("A paper statement has no file");
  return { number, date: document.date, ...(document.fileHash ? { fileHash: document.fileHash } : {}) };
}

function normalizedContacts(input: PaperDecision["contacts"]): Contact[] {
  const out: Contact[] = [];
  if (input?.email !== undefined) {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL_RE.test(email)) throw new PaperConsentError("--email is not a valid e-mail address");
    out.push({ kind: "email", value: email });
  }
  if (input?.phone !== undefined) {
    const phone = normalizePhone(input.phone);
    if (!PHONE_RE.test(phone)) throw new PaperConsentError("--phone is not a valid phone number");
    out.push({ kind: "phone", value: phone });
  }
  return out;
}
