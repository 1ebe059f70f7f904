/**
 * The consent (152-FZ art. 9, regulation 1) per person and per school: its texts in the user's
 * language with the operator's name and address, and the decisions given in the bot. Records are
 * append-only and chained; the newest per account and school is in force (see access.ts `consentState`).
 */
import { Types } from "mongoose";
import { Guardian, School, type ConsentDecision } from "../db/models";
import { consentTextHash, consentVersionOf } from "../domain/consent";
import { escapeHtml } from "../domain/html";
import type { Translate } from "../i18n";
import { appendConsent } from "./consent-records";
import { cancelElectronicDeliveries } from "./privacy";

/** What a consent text needs to know about its school (plain data: dialogs store it). */
export interface ConsentSchool {
  id: string;
  name: string;
  address?: string;
  version: string;
  /** The operator's details (School.operator) where the school gave them. */
  operator?: ConsentOperator;
  /** The school's own terms (settings.consentText), added to the text as typed. */
  terms?: string;
}

export interface ConsentOperator {
  name?: string;
  inn?: string;
  ogrn?: string;
  responsible?: string;
  contact?: string;
}

type SchoolForConsent = {
  _id: Types.ObjectId;
  name: string;
  address?: string | null;
  operator?: { [K in keyof ConsentOperator]?: string | null } | null;
  settings?: { consentTextVersion?: string | null; consentRevision?: number | null; consentText?: string | null } | null;
};

/** The consent's view of a school record (also of one not saved yet: the settings page's preview). */
export function consentSchoolOf(school: SchoolForConsent): ConsentSchool {
  const operator: ConsentOperator = {};
  for (const key of ["name", "inn", "ogrn", "responsible", "contact"] as const) {
    const value = school.operator?.[key];
    if (value) operator[key] = value;
  }
  return {
    id: String(school._id),
    name: school.name,
    ...(school.address ? { address: school.address } : {}),
    version: consentVersionOf(school),
    ...(Object.keys(operator).length ? { operator } : {}),
    ...(school.settings?.consentText ? { terms: school.settings.consentText } : {}),
  };
}

export async function consentSchool(schoolId: string | Types.ObjectId): Promise<ConsentSchool | null> {
  if (!Types.ObjectId.isValid(String(schoolId))) return null;
  const school = await School.findById(schoolId, { name: 1, address: 1, operator: 1, settings: 1 }).lean();
  return school ? consentSchoolOf(school) : null;
}

/** Every school of the deployment, by name (the onboarding asks differently for one or several). */
export async function listSchools(): Promise<Array<{ id: string; name: string }>> {
  const schools = await School.find({}, { name: 1 }).sort({ name: 1 }).lean();
  return schools.map((s) => ({ id: String(s._id), name: s.name }));
}

function operatorAddress(t: Translate, school: ConsentSchool): string {
  return school.address ?? t("privacy:consent.noAddress");
}

/** The short version shown with the buttons (Telegram HTML): the operator by its legal name when the school gave one. */
export function consentSummary(t: Translate, school: ConsentSchool): string {
  return t("privacy:consent.summary", { school: escapeHtml(school.operator?.name ?? school.name), address: escapeHtml(operatorAddress(t, school)) });
}

/** "МБОУ «Школа № 12», ИНН …, ОГРН … (адрес: …)"; without operator details "Школа № 12 (адрес: …)" as before. */
function operatorLine(t: Translate, school: ConsentSchool): string {
  const address = operatorAddress(t, school);
  const op = school.operator;
  if (!op?.name && !op?.inn && !op?.ogrn) return t("privacy:consent.operator", { school: school.name, address });
  const ids = [op.inn && t("privacy:consent.inn", { inn: op.inn }), op.ogrn && t("privacy:consent.ogrn", { ogrn: op.ogrn })].filter(Boolean);
  return t("privacy:consent.operatorDetails", { name: op.name ?? school.name, ids: ids.length ? `, ${ids.join(", ")}` : "", address });
}

/** Paragraphs after the six of the text: the person responsible, the school's own terms (numbered on). */
function extraParagraphs(t: Translate, school: ConsentSchool): string {
  const parts: string[] = [];
  const responsible = school.operator?.responsible;
  if (responsible) {
    const contact = school.operator?.contact;
    parts.push(t(contact ? "privacy:consent.responsibleContact" : "privacy:consent.responsible", { n: 7, responsible, contact }));
  }
  if (school.terms) parts.push(`${7 + parts.length}. ${school.terms}`);
  return parts.map((p) => `\n\n${p}`).join("");
}

/** The full text (plain): what the guardian agrees to; its sha256 goes into the record. */
export function consentFullText(t: Translate, school: ConsentSchool): string {
  return t("privacy:consent.full", { operator: operatorLine(t, school), extra: extraParagraphs(t, school), version: school.version });
}

export interface TelegramDecision {
  accountId: Types.ObjectId;
  school: ConsentSchool;
  decision: Exclude<ConsentDecision, "withdrawn">;
  /** The translator of the language the text was shown in. */
  t: Translate;
  now: Date;
  /** The messenger whose buttons gave it (default Telegram). */
  form?: "telegram" | "max";
}

/**
 * Records a decision given with the bot's buttons: the account's own, for that school only.
 * Declining cancels the account's queued electronic messages there (its family gets paper: see
 * src/services/people.ts); agreeing ends the paper its family kept for it after a withdrawal.
 * Nothing another person of the family receives changes.
 */
export async function recordTelegramDecision(input: TelegramDecision): Promise<void> {
  const schoolId = new Types.ObjectId(input.school.id);
  const text = consentFullText(input.t, input.school);
  await appendConsent({
    accountId: input.accountId,
    schoolId,
    decision: input.decision,
    form: input.form ?? "telegram",
    textVersion: input.school.version,
    textHash: consentTextHash(text),
    recordedAt: input.now,
  });
  if (input.decision === "declined") await cancelElectronicDeliveries({ schoolId, accountId: input.accountId });
  else await endPaperKeptFor(input.accountId, schoolId);
}

/** The account consents again in the school: its families no longer keep paper on its behalf. */
export async function endPaperKeptFor(accountId: Types.ObjectId, schoolId: Types.ObjectId): Promise<void> {
  await Guardian.updateMany({ schoolId, "paperFor.accountId": accountId }, { $pull: { paperFor: { accountId } } });
}
