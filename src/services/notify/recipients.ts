/**
 * Who hears about a child, on which channel (loaded in bulk: a broadcast plans thousands at once).
 * A guardian gets Telegram messages on every linked, active account whose consent is in force;
 * else the next channel of their `channelOrder`; paper last. The student's own accounts get their
 * finals, exams and timetable changes.
 */
import { Types } from "mongoose";
import {
  ConsentRecord,
  Guardian,
  GuardianLink,
  School,
  Account,
  DEFAULT_CHANNEL_ORDER,
  type Channel,
  type GuardianDocument,
} from "../../db/models";
import { consentVersionOf } from "../../domain/consent";
import { deliverableEmail } from "../../channels/email";
import { refusedElectronic } from "./consent";

export interface GuardianTarget {
  guardianId: Types.ObjectId;
  studentId: Types.ObjectId;
  notify: GuardianDocument["notify"];
  channelOrder: Channel[];
  /** Consent in force and no refusal: electronic channels allowed. */
  electronic: boolean;
  /** Linked, active accounts with consent for this child. */
  accountIds: Types.ObjectId[];
  email: string | null;
}

type ConsentLean = {
  accountId?: Types.ObjectId | null;
  guardianId?: Types.ObjectId | null;
  decision: string;
  form: string;
  textVersion: string;
  recordedAt: Date;
};

function newestBy(records: ConsentLean[], key: (r: ConsentLean) => string | null): Map<string, ConsentLean> {
  const newest = new Map<string, ConsentLean>();
  for (const r of records) {
    const k = key(r);
    if (k && !newest.has(k)) newest.set(k, r); // records come newest first
  }
  return newest;
}

/** Guardians of each student of the school, with what may reach them. */
export async function guardianTargets(schoolId: Types.ObjectId, studentIds: Types.ObjectId[]): Promise<Map<string, GuardianTarget[]>> {
  const result = new Map<string, GuardianTarget[]>();
  if (!studentIds.length) return result;
  const [school, guardians, links] = await Promise.all([
    School.findById(schoolId, { settings: 1 }).lean(),
    Guardian.find({ schoolId, studentIds: { $in: studentIds } }, { studentIds: 1, notify: 1, channelOrder: 1, delivery: 1, deliveryReason: 1, contacts: 1 }).lean(),
    GuardianLink.find({ schoolId, studentId: { $in: studentIds } }, { accountId: 1, guardianId: 1, studentId: 1 }).lean(),
  ]);
  if (!school) return result;
  const version = consentVersionOf(school);
  const accountIds = [...new Set(links.map((l) => String(l.accountId)))].map((id) => new Types.ObjectId(id));
  const guardianIds = guardians.map((g) => g._id);
  const [accounts, records] = await Promise.all([
    Account.find({ _id: { $in: accountIds } }, { active: 1 }).lean(),
    ConsentRecord.find({ schoolId, $or: [{ accountId: { $in: accountIds } }, { guardianId: { $in: guardianIds } }] })
      .sort({ recordedAt: -1, _id: -1 })
      .lean(),
  ]);
  const active = new Set(accounts.filter((a) => a.active).map((a) => String(a._id)));
  const granted = (r: ConsentLean | undefined) => !!r && r.decision === "granted" && (r.form !== "telegram" || r.textVersion === version);
  const byAccount = newestBy(records, (r) => (r.accountId ? String(r.accountId) : null));
  const byGuardian = newestBy(records, (r) => (r.guardianId ? String(r.guardianId) : null));
  const linksOf = new Map<string, typeof links>();
  for (const l of links) linksOf.set(String(l.guardianId), [...(linksOf.get(String(l.guardianId)) ?? []), l]);
  const wanted = new Set(studentIds.map(String));
  for (const g of guardians) {
    const own = linksOf.get(String(g._id)) ?? [];
    // The guardian as a person: the newest decision of theirs or of any account acting for them.
    const mine = [byGuardian.get(String(g._id)), ...own.map((l) => byAccount.get(String(l.accountId)))]
      .filter((r): r is ConsentLean => !!r)
      .sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
    const electronic = granted(mine[0]) && !refusedElectronic(g);
    for (const studentId of g.studentIds.filter((s) => wanted.has(String(s)))) {
      const accountIds_ = own
        .filter((l) => l.studentId.equals(studentId) && active.has(String(l.accountId)) && granted(byAccount.get(String(l.accountId))))
        .map((l) => l.accountId);
      const target: GuardianTarget = {
        guardianId: g._id,
        studentId,
        notify: g.notify,
        channelOrder: g.channelOrder?.length ? [...g.channelOrder] : [...DEFAULT_CHANNEL_ORDER],
        electronic,
        accountIds: electronic ? accountIds_ : [],
        email: deliverableEmail(g.contacts ?? []),
      };
      result.set(String(studentId), [...(result.get(String(studentId)) ?? []), target]);
    }
  }
  return result;
}

/** The student's own active accounts (finals and exams go to students too: regulation 6). */
export async function studentAccounts(studentIds: Types.ObjectId[]): Promise<Map<string, Types.ObjectId[]>> {
  const accounts = await Account.find({ "roles.studentId": { $in: studentIds }, active: true }, { roles: 1 }).lean();
  const out = new Map<string, Types.ObjectId[]>();
  for (const account of accounts) {
    for (const role of account.roles) {
      if (role.role !== "student" || !role.studentId) continue;
      const key = String(role.studentId);
      out.set(key, [...(out.get(key) ?? []), account._id]);
    }
  }
  return out;
}

/** The school's admins' accounts (watchdog alerts). */
export async function adminAccounts(schoolId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const accounts = await Account.find({ roles: { $elemMatch: { schoolId, role: "admin" } }, active: true }, { _id: 1 }).lean();
  return accounts.map((a) => a._id);
}
