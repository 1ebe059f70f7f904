/**
 * The consent gate of every electronic message to a guardian (152-FZ, regulation 1): asked when a
 * delivery is planned and again right before it is sent, so that a withdrawal stops queued jobs.
 */
import { Types } from "mongoose";
import { ConsentRecord, Guardian, GuardianLink, School, Account, type GuardianDocument } from "../../db/models";
import { consentVersionOf } from "../../domain/consent";
import { consentState } from "../access";

type Id = Types.ObjectId | string;
const oid = (id: Id) => (typeof id === "string" ? new Types.ObjectId(id) : id);

/** Paper by choice or refusal keeps a guardian off electronic channels; a blocked bot does not (e-mail may still work). */
export function refusedElectronic(guardian: Pick<GuardianDocument, "delivery" | "deliveryReason">): boolean {
  return guardian.delivery === "paper" && guardian.deliveryReason !== "blocked";
}

/** A Telegram message to this account about this guardian's child may go out now. */
export async function accountMayReceive(accountId: Id, guardianId: Id, schoolId: Id): Promise<boolean> {
  const [guardian, link, state] = await Promise.all([
    Guardian.findById(oid(guardianId), { delivery: 1, deliveryReason: 1 }).lean(),
    GuardianLink.exists({ accountId: oid(accountId), guardianId: oid(guardianId) }),
    consentState(oid(accountId), oid(schoolId)),
  ]);
  return !!guardian && !!link && state === "granted" && !refusedElectronic(guardian);
}

/**
 * Consent in force for a guardian as a person (e-mail): the newest decision among the guardian's
 * paper/edoc records and the records of the accounts that act for them in this school.
 */
export async function guardianMayReceive(guardianId: Id, schoolId: Id): Promise<boolean> {
  const guardian = await Guardian.findById(oid(guardianId), { delivery: 1, deliveryReason: 1 }).lean();
  if (!guardian || refusedElectronic(guardian)) return false;
  const accountIds = await accountsActingFor(oid(guardianId));
  const [latest, school] = await Promise.all([
    ConsentRecord.findOne({ schoolId: oid(schoolId), $or: [{ guardianId: oid(guardianId) }, { accountId: { $in: accountIds } }] })
      .sort({ recordedAt: -1, _id: -1 })
      .lean(),
    School.findById(oid(schoolId), { settings: 1 }).lean(),
  ]);
  if (!latest || !school || latest.decision !== "granted") return false;
  return latest.form !== "telegram" || latest.textVersion === consentVersionOf(school);
}

export async function accountsActingFor(guardianId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const [links, roles] = await Promise.all([
    GuardianLink.find({ guardianId }, { accountId: 1 }).lean(),
    Account.find({ "roles.guardianId": guardianId }, { _id: 1 }).lean(),
  ]);
  const ids = new Map<string, Types.ObjectId>();
  for (const id of [...links.map((l) => l.accountId), ...roles.map((r) => r._id)]) ids.set(String(id), id);
  return [...ids.values()];
}
