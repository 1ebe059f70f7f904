/**
 * Recipients who are not a child's guardians: the students themselves (their own finals, exams and
 * timetable changes) and the school's admins. A child's guardians are persons of the child:
 * src/services/people.ts (`familiesOf`, `personsOfChildren`).
 */
import type { Types } from "mongoose";
import { Account } from "../../db/models";
import { childrenWithGuardianConsent } from "../people";

/**
 * The student's own active accounts (finals and exams go to students too: regulation 6), only for
 * children some guardian of whom has consent in force (docs/decisions.md, "Students' own accounts").
 */
export async function studentAccounts(schoolId: Types.ObjectId, studentIds: Types.ObjectId[]): Promise<Map<string, Types.ObjectId[]>> {
  const out = new Map<string, Types.ObjectId[]>();
  if (!studentIds.length) return out;
  const accounts = await Account.find({ "roles.studentId": { $in: studentIds }, active: true }, { roles: 1 }).lean();
  if (!accounts.length) return out;
  const allowed = await childrenWithGuardianConsent(schoolId, studentIds);
  for (const account of accounts) {
    for (const role of account.roles) {
      if (role.role !== "student" || !role.studentId || !role.schoolId.equals(schoolId) || !allowed.has(String(role.studentId))) continue;
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
