/**
 * Many families at once for broadcasts (tests and `npm run bench:broadcast`): each guardian record
 * with one child, one Telegram account (its own chat) linked to it and consent in force, all
 * inserted in bulk (a few commands per thousand families).
 */
import mongoose, { Types } from "mongoose";
import { Account, ConsentRecord, Guardian, GuardianLink, School } from "../../src/db/models";
import { consentVersionOf } from "../../src/domain/consent";

export interface BulkFamilies {
  chats: number[];
  accountIds: Types.ObjectId[];
  studentIds: Types.ObjectId[];
}

/** `studentIds` given: those students (already stored) get the families; else new students of `classId`. */
export async function bulkFamilies(schoolId: Types.ObjectId, classId: Types.ObjectId, n: number, firstChat: number, studentIds?: Types.ObjectId[]): Promise<BulkFamilies> {
  const school = (await School.findById(schoolId).lean())!;
  const version = consentVersionOf(school);
  const out: BulkFamilies = { chats: [], accountIds: [], studentIds: [] };
  for (let start = 0; start < n; start += 1000) {
    const size = Math.min(1000, n - start);
    const students = studentIds?.slice(start, start + size) ?? Array.from({ length: size }, () => new Types.ObjectId());
    if (!studentIds) {
      await mongoose.connection.collection("students").insertMany(
        students.map((_id, i) => ({ _id, schoolId, externalId: `bst-${firstChat + start + i}`, fullName: `Ученик ${start + i}`, classId, groupIds: [], individualPlan: false, individualTeacherIds: [] })),
      );
    }
    const guardians = students.map((s) => ({ _id: new Types.ObjectId(), schoolId, studentIds: [s] }));
    await Guardian.insertMany(guardians);
    const accounts = guardians.map((g, i) => ({ _id: new Types.ObjectId(), telegramId: firstChat + start + i, chatId: firstChat + start + i, roles: [{ role: "guardian", schoolId, guardianId: g._id }] }));
    await Account.insertMany(accounts);
    await GuardianLink.insertMany(accounts.map((a, i) => ({ accountId: a._id, guardianId: guardians[i]._id, studentId: students[i], schoolId })));
    await ConsentRecord.insertMany(accounts.map((a) => ({ accountId: a._id, schoolId, decision: "granted", form: "telegram", textVersion: version, textHash: "0".repeat(64) })));
    out.chats.push(...accounts.map((a) => a.chatId));
    out.accountIds.push(...accounts.map((a) => a._id));
    out.studentIds.push(...students);
  }
  return out;
}
