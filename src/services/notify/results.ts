/**
 * Final grades and exam results (regulation 6): on the event, to every person of the child on
 * their first working channel (the family's paper when one of them is on paper) and to the
 * student's own accounts. Notification settings do not apply: these must arrive within 24 hours.
 */
import type { Types } from "mongoose";
import { ExamResult, FinalGrade, Period, Student, Subject, type DomainEventDocument, type FinalGradeStatus } from "../../db/models";
import type { Notice } from "./notice";
import { familiesOf } from "../people";
import { enqueueDeliveries, planForFamily, type DeliveryBase, type EnqueueCounts, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { studentAccounts } from "./recipients";

type Event = Pick<DomainEventDocument, "eventId" | "schoolId" | "entity" | "payload">;

async function toEveryone(env: NotifyEnv, base: DeliveryBase, studentId: Types.ObjectId): Promise<EnqueueCounts> {
  const schoolId = base.schoolId as Types.ObjectId;
  const [families, own] = await Promise.all([familiesOf(schoolId, [studentId]), studentAccounts(schoolId, [studentId])]);
  // Each person on their own first working channel; paper once per family (its key is the family's).
  const planned: PlannedDelivery[] = (families.get(String(studentId)) ?? []).flatMap((f) => planForFamily(f, base));
  for (const { accountId, channel } of own.get(String(studentId)) ?? []) planned.push({ ...base, channel, accountId });
  return enqueueDeliveries(env.deliveries, planned, env.now());
}

export async function notifyFinal(env: NotifyEnv, event: Event): Promise<EnqueueCounts | null> {
  const final = await FinalGrade.findById(event.entity.id).lean();
  if (!final) return null;
  const after = ((event.payload as { after?: Record<string, unknown> } | null)?.after ?? {}) as { value?: string; status?: FinalGradeStatus; deferredUntil?: string };
  const [student, subject, period] = await Promise.all([
    Student.findById(final.studentId, { fullName: 1 }).lean(),
    Subject.findById(final.subjectId, { name: 1 }).lean(),
    Period.findById(final.periodId, { name: 1 }).lean(),
  ]);
  if (!student) return null;
  const status = after.status ?? final.status;
  const notice: Notice = {
    template: "final",
    student: student.fullName,
    subject: subject?.name ?? "",
    period: period?.name ?? "",
    status,
    ...((after.value ?? final.value) ? { value: after.value ?? final.value ?? undefined } : {}),
    ...((after.deferredUntil ?? final.deferredUntil) ? { deferredUntil: after.deferredUntil ?? final.deferredUntil ?? undefined } : {}),
    ...(final.reason && status !== "final" ? { reason: final.reason } : {}),
  };
  const base: DeliveryBase = { source: event.eventId, schoolId: event.schoolId, kind: "final", studentId: final.studentId, eventId: event.eventId, resultsAt: final.resultsAt, notice };
  return toEveryone(env, base, final.studentId);
}

export async function notifyExam(env: NotifyEnv, event: Event): Promise<EnqueueCounts | null> {
  const exam = await ExamResult.findById(event.entity.id).lean();
  if (!exam) return null;
  const student = await Student.findById(exam.studentId, { fullName: 1 }).lean();
  if (!student) return null;
  const notice: Notice = {
    template: "exam",
    student: student.fullName,
    name: exam.name,
    date: exam.date,
    score: exam.score,
    ...(exam.maxScore !== undefined && exam.maxScore !== null ? { maxScore: exam.maxScore } : {}),
    ...(exam.value ? { value: exam.value } : {}),
  };
  const base: DeliveryBase = { source: event.eventId, schoolId: event.schoolId, kind: "exam", studentId: exam.studentId, eventId: event.eventId, resultsAt: exam.resultsAt, notice };
  return toEveryone(env, base, exam.studentId);
}
