/**
 * The consent (152-FZ art. 9, regulation 1) per account and per school: its texts in the user's
 * language with the operator's name and address, and the decisions given in the bot. Records are
 * append-only; the newest per account and school is in force (see access.ts `consentState`).
 */
import { Types } from "mongoose";
import { ConsentRecord, Guardian, GuardianLink, School, Account, type ConsentDecision } from "../db/models";
import { consentTextHash, consentVersionOf } from "../domain/consent";
import { escapeHtml } from "../domain/html";
import type { Translate } from "../i18n";
import { cancelElectronicDeliveries } from "./privacy";

/** What a consent text needs to know about its school (plain data: dialogs store it). */
export interface ConsentSchool {
  id: string;
  name: string;
  address?: string;
  version: string;
}

export async function consentSchool(schoolId: string | Types.ObjectId): Promise<ConsentSchool | null> {
  if (!Types.ObjectId.isValid(String(schoolId))) return null;
  const school = await School.findById(schoolId, { name: 1, address: 1, settings: 1 }).lean();
  if (!school) return null;
  return { id: String(school._id), name: school.name, ...(school.address ? { address: school.address } : {}), version: consentVersionOf(school) };
}

/** Every school of the deployment, by name (the onboarding asks differently for one or several). */
export async function listSchools(): Promise<Array<{ id: string; name: string }>> {
  const schools = await School.find({}, { name: 1 }).sort({ name: 1 }).lean();
  return schools.map((s) => ({ id: String(s._id), name: s.name }));
}

function operatorAddress(t: Translate, school: ConsentSchool): string {
  return school.address ?? t("privacy:consent.noAddress");
}

/** The short version shown with the buttons (Telegram HTML). */
export function consentSummary(t: Translate, school: ConsentSchool): string {
  return t("privacy:consent.summary", { school: escapeHtml(school.name), address: escapeHtml(operatorAddress(t, school)) });
}

/** The full text (plain): what the guardian agrees to; its sha256 goes into the record. */
export function consentFullText(t: Translate, school: ConsentSchool): string {
  return t("privacy:consent.full", { school: school.name, address: operatorAddress(t, school), version: school.version });
}

/** The guardian records this account acts for in a school: through its links and its roles. */
export async function guardianIdsOfAccount(accountId: Types.ObjectId, schoolId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const [links, account] = await Promise.all([
    GuardianLink.find({ accountId, schoolId }, { guardianId: 1 }).lean(),
    Account.findById(accountId, { roles: 1 }).lean(),
  ]);
  const ids = [
    ...links.map((l) => l.guardianId),
    ...(account?.roles ?? []).filter((r) => r.role === "guardian" && r.guardianId && r.schoolId.equals(schoolId)).map((r) => r.guardianId!),
  ];
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}

export interface TelegramDecision {
  accountId: Types.ObjectId;
  school: ConsentSchool;
  decision: Exclude<ConsentDecision, "withdrawn">;
  /** The translator of the language the text was shown in. */
  t: Translate;
  now: Date;
}

/**
 * Records a decision given with the bot's buttons. Declining switches the account's guardian
 * records in that school to paper and cancels queued electronic messages; agreeing switches back
 * those that were on paper only because of an earlier refusal or withdrawal.
 */
export async function recordTelegramDecision(input: TelegramDecision): Promise<void> {
  const schoolId = new Types.ObjectId(input.school.id);
  const text = consentFullText(input.t, input.school);
  await ConsentRecord.create({
    accountId: input.accountId,
    schoolId,
    decision: input.decision,
    form: "telegram",
    textVersion: input.school.version,
    textHash: consentTextHash(text),
    recordedAt: input.now,
  });
  const guardianIds = await guardianIdsOfAccount(input.accountId, schoolId);
  if (!guardianIds.length) return;
  if (input.decision === "declined") {
    await Guardian.updateMany({ _id: { $in: guardianIds } }, { $set: { delivery: "paper", deliveryReason: "declined" } });
    await cancelElectronicDeliveries(guardianIds);
  } else {
    await Guardian.updateMany(
      { _id: { $in: guardianIds }, delivery: "paper", deliveryReason: { $in: ["declined", "withdrawn"] } },
      { $set: { delivery: "electronic" }, $unset: { deliveryReason: 1 } },
    );
  }
}
