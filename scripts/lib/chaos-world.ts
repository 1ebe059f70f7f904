/**
 * The school of the chaos run (scripts/chaos.ts): `recipients` pupils in grade 5 (the broadcast's
 * audience) and `finals` pupils in 9А (one final grade each), loaded through the exchange API as
 * the journal would; one guardian per pupil with a Telegram account of their own (chat id = the
 * pupil's number + a base) and consent, inserted in bulk.
 */
import { Types } from "mongoose";
import mongoose from "mongoose";
import { Account, ConsentRecord, Guardian, GuardianLink, School } from "../../src/db/models";
import { consentVersionOf } from "../../src/domain/consent";
import { createSchool } from "../../src/services/schools";
import { chunks } from "./bench-data";
import { exchangePut } from "./bench-env";

export const BROADCAST_CHAT_BASE = 100_000_000;
export const FINALS_CHAT_BASE = 200_000_000;
const BROADCAST_CLASSES = ["5А", "5Б", "5В", "5Г", "5Д", "5Е", "5Ж", "5И", "5К", "5Л"];

export interface ChaosWorld {
  schoolId: Types.ObjectId;
  token: string;
  put: ReturnType<typeof exchangePut>;
  broadcastChats: number[];
  /** The chat of the guardian of pupil `fin<i>`. */
  finalsChat: (i: number) => number;
}

export async function buildWorld(base: string, recipients: number, finals: number): Promise<ChaosWorld> {
  const { schoolId: id, token } = await createSchool({ name: "Школа хаоса", address: "г. Москва, ул. Проверочная, 1" });
  const schoolId = new Types.ObjectId(id);
  await School.updateOne({ _id: schoolId }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } }); // any hour
  const put = exchangePut(base, token);
  await put("classes", [...BROADCAST_CLASSES.map((name, i) => ({ externalId: `c5-${i}`, name, grade: 5 })), { externalId: "c9", name: "9А", grade: 9 }]);
  await put("subjects", [{ externalId: "math", name: "Математика" }]);
  await put("periods", [{ externalId: "q1", name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" }]);
  const pupils = [
    ...Array.from({ length: recipients }, (_, i) => ({ externalId: `bc${i}`, fullName: `Ученик ${i + 1}`, classId: `c5-${i % BROADCAST_CLASSES.length}` })),
    ...Array.from({ length: finals + 1 }, (_, i) => ({ externalId: `fin${i}`, fullName: `Выпускник ${i + 1}`, classId: "c9" })),
  ];
  for (const part of chunks(pupils, 1000)) await put("students", part);
  // The first load of a resource is silent: a warm-up final of the extra pupil.
  await put("finalGrades", [{ externalId: "warm", studentId: `fin${finals}`, subjectId: "math", periodId: "q1", value: "5", status: "final", resultsAt: new Date().toISOString() }]);

  const students = await mongoose.connection.collection("students").find({ schoolId }, { projection: { externalId: 1 } }).toArray();
  const chatOf = (externalId: string) => (externalId.startsWith("bc") ? BROADCAST_CHAT_BASE + Number(externalId.slice(2)) : FINALS_CHAT_BASE + Number(externalId.slice(3)));
  const family = students.filter((s) => s.externalId !== `fin${finals}`);
  const version = consentVersionOf((await School.findById(schoolId).lean())!);
  for (const part of chunks(family, 1000)) {
    const guardians = part.map((s) => ({ _id: new Types.ObjectId(), schoolId, externalId: `g-${s.externalId as string}`, fullName: "Родитель", studentIds: [s._id] }));
    await Guardian.insertMany(guardians);
    const accounts = part.map((s, i) => ({ _id: new Types.ObjectId(), telegramId: chatOf(s.externalId as string), chatId: chatOf(s.externalId as string), roles: [{ role: "guardian", schoolId, guardianId: guardians[i]._id }] }));
    await Account.insertMany(accounts);
    await GuardianLink.insertMany(accounts.map((a, i) => ({ accountId: a._id, guardianId: guardians[i]._id, studentId: part[i]._id, schoolId })));
    await ConsentRecord.insertMany(accounts.map((a) => ({ accountId: a._id, schoolId, decision: "granted", form: "telegram", textVersion: version, textHash: "0".repeat(64) })));
  }
  return {
    schoolId,
    token,
    put,
    broadcastChats: Array.from({ length: recipients }, (_, i) => BROADCAST_CHAT_BASE + i),
    finalsChat: (i) => FINALS_CHAT_BASE + i,
  };
}
