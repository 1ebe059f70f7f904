/**
 * Consents, refusals and withdrawals given on paper or through an electronic document system
 * (regulation 1, 7, 9), registered by an admin in the bot or with the CLI. They name the guardian
 * record, so guardians without Telegram count in the weekly printouts; a written statement may
 * also hand over contact details (source `school-paper` / `school-edoc`).
 */
import { Types } from "mongoose";
import {
  ConsentRecord, EMAIL_RE, Guardian, GuardianLink, PHONE_RE, SchoolClass, Student, Account,
  type ConsentDecision, type ConsentForm, type ContactSource,
} from "../db/models";
import { consentTextHash } from "../domain/consent";
import { normalizePhone } from "../domain/codes";
import type { Translate } from "../i18n";
import { consentFullText, consentSchool } from "./consent";
import { cancelElectronicDeliveries } from "./privacy";

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
  const students = await Student.find({ schoolId, classId: new Types.ObjectId(classId) }, { fullName: 1 }).sort({ fullName: 1 }).lean();
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
}

/**
 * Records the decision and applies it: a refusal or withdrawal switches the guardian to paper,
 * unlinks the accounts that act for this guardian record and cancels queued electronic messages;
 * a consent switches back a guardian who was on paper only because of a refusal or withdrawal.
 */
export async function registerPaperDecision(input: PaperDecision): Promise<{ recordId: string; unlinkedAccounts: number }> {
  const guardian = await Guardian.findOne({ _id: input.guardianId, schoolId: input.schoolId }).lean();
  if (!guardian) throw new PaperConsentError("Guardian not found in this school");
  const school = await consentSchool(input.schoolId);
  if (!school) throw new PaperConsentError("School not found");
  const contacts = normalizedContacts(input.contacts);
  const record = await ConsentRecord.create({
    schoolId: input.schoolId, guardianId: guardian._id, decision: input.decision, form: input.form,
    textVersion: school.version, textHash: consentTextHash(consentFullText(input.t, school)),
    recordedAt: input.now, recordedBy: input.recordedBy, note: input.note,
  });
  const ids = [guardian._id];
  let unlinkedAccounts = 0;
  if (input.decision === "granted") {
    await Guardian.updateOne(
      { _id: guardian._id, delivery: "paper", deliveryReason: { $in: ["paper-refusal", "declined", "withdrawn"] } },
      { $set: { delivery: "electronic" }, $unset: { deliveryReason: 1 } },
    );
    const source: ContactSource = input.form === "edoc" ? "school-edoc" : "school-paper";
    for (const c of contacts) {
      await Guardian.updateOne({ _id: guardian._id }, { $pull: { contacts: { kind: c.kind, source } } });
      await Guardian.updateOne({ _id: guardian._id }, { $push: { contacts: { ...c, source, verifiedAt: input.now } } });
    }
  } else {
    // A written refusal and a written withdrawal both mean: no electronic processing for this
    // guardian record. The accounts acting for it are unlinked even if they gave their own consent
    // in the bot; the reason stays apart, since a later consent switches back only a refusal's or
    // a withdrawal's paper.
    const reason = input.decision === "declined" ? "paper-refusal" : "withdrawn";
    await Guardian.updateOne({ _id: guardian._id }, { $set: { delivery: "paper", deliveryReason: reason } });
    unlinkedAccounts = await unlinkAccountsActingFor(guardian._id);
    await cancelElectronicDeliveries(ids);
  }
  return { recordId: String(record._id), unlinkedAccounts };
}

/**
 * Disconnects every Telegram account acting for the guardian record (links and guardian roles) and
 * forgets the contacts the guardian entered for electronic delivery; the school's paper/e-document
 * contacts stay. Returns how many accounts were disconnected.
 */
async function unlinkAccountsActingFor(guardianId: Types.ObjectId): Promise<number> {
  const [links, withRole] = await Promise.all([
    GuardianLink.find({ guardianId }, { accountId: 1 }).lean(),
    Account.find({ "roles.guardianId": guardianId }, { _id: 1 }).lean(),
  ]);
  const accounts = new Set([...links.map((l) => String(l.accountId)), ...withRole.map((a) => String(a._id))]);
  await GuardianLink.deleteMany({ guardianId });
  await Account.updateMany({ "roles.guardianId": guardianId }, { $pull: { roles: { role: "guardian", guardianId } } });
  await Guardian.updateOne({ _id: guardianId }, { $pull: { contacts: { source: "guardian" } } });
  return accounts.size;
}

function normalizedContacts(input: PaperDecision["contacts"]): Array<{ kind: "email" | "phone"; value: string }> {
  const out: Array<{ kind: "email" | "phone"; value: string }> = [];
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
