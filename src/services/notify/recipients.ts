/**
 * Recipients who are not a child's guardians: the students themselves (their own finals, exams and
 * timetable changes) and the school's admins. A child's guardians are persons of the child:
 * src/services/people.ts (`familiesOf`, `personsOfChildren`).
 */
import type { Types } from "mongoose";
import { Account, type Messenger } from "../../db/models";
import { childrenWithGuardianConsent } from "../people";
import { messengerOf } from "./channels";

/** An account reached on its own messenger (Telegram or MAX: the first of its order that reaches it). */
export interface AccountRecipient {
  accountId: Types.ObjectId;
  channel: Messenger;
}

const MESSENGER_FIELDS = { telegramId: 1, active: 1, max: 1, channelOrder: 1 } as const;

/** The messenger of each account (receipts to a teacher, alerts to the people a CLI names). */
export async function messengersOf(accountIds: readonly Types.ObjectId[]): Promise<Map<string, Messenger>> {
  if (!accountIds.length) return new Map();
  const accounts = await Account.find({ _id: { $in: accountIds } }, MESSENGER_FIELDS).lean();
  return new Map(accounts.map((a) => [String(a._id), messengerOf(a)]));
}

/**
 * The student's own active accounts (finals and exams go to students too: regulation 6), only for
 * children some guardian of whom has consent in force (docs/decisions.md, "Students' own accounts").
 */
export async function studentAccounts(schoolId: Types.ObjectId, studentIds: Types.ObjectId[]): Promise<Map<string, AccountRecipient[]>> {
  const out = new Map<string, AccountRecipient[]>();
  if (!studentIds.length) return out;
  const accounts = await Account.find({ "roles.studentId": { $in: studentIds }, active: true }, { roles: 1, ...MESSENGER_FIELDS }).lean();
  if (!accounts.length) return out;
  const allowed = await childrenWithGuardianConsent(schoolId, studentIds);
  for (const account of accounts) {
    for (const role of account.roles) {
      if (role.role !== "student" || !role.studentId || !role.schoolId.equals(schoolId) || !allowed.has(String(role.studentId))) continue;
      const key = String(role.studentId);
      out.set(key, [...(out.get(key) ?? []), { accountId: account._id, channel: messengerOf(account) }]);
    }
  }
  return out;
}

/** The school's admins' accounts (watchdog alerts). */
export async function adminAccounts(schoolId: Types.ObjectId): Promise<AccountRecipient[]> {
  const accounts = await Account.find({ roles: { $elemMatch: { schoolId, role: "admin" } }, active: true }, MESSENGER_FIELDS).lean();
  return accounts.map((a) => ({ accountId: a._id, channel: messengerOf(a) }));
}
