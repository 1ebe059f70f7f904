/** Producing domain events the way the exchange import does (outbox record + job with jobId = eventId). */
import { createHash } from "node:crypto";
import type { Types } from "mongoose";
import { DomainEvent, FinalGrade, Period, type DomainEventType, type EventResource, type GradeValue } from "../../src/db/models";
import { QUEUES } from "../../src/queue/names";
import type { QueueFactory } from "../../src/queue/connection";
import type { SchoolFixture } from "../support/fixtures";

let counter = 0;

export async function publishEvent(
  queues: QueueFactory,
  schoolId: Types.ObjectId,
  type: DomainEventType,
  entity: { resource: EventResource; id: Types.ObjectId },
  extra: { studentIds?: Types.ObjectId[]; classIds?: Types.ObjectId[]; payload?: unknown } = {},
): Promise<string> {
  const eventId = `${type}-${createHash("sha256").update(`${String(entity.id)}|${++counter}|${Date.now()}`).digest("hex")}`;
  await DomainEvent.create({ schoolId, eventId, type, entity, studentIds: extra.studentIds ?? [], classIds: extra.classIds ?? [], payload: extra.payload ?? null, enqueuedAt: new Date() });
  await queues.queue(QUEUES.events).add(type, { eventId, type, schoolId: String(schoolId) }, { jobId: eventId });
  return eventId;
}

export async function termPeriod(fx: SchoolFixture): Promise<Types.ObjectId> {
  const existing = await Period.findOne({ schoolId: fx.school._id, name: "1 четверть" }).lean();
  if (existing) return existing._id;
  const p = await Period.create({ schoolId: fx.school._id, externalId: `q1-${++counter}`, name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-24" });
  return p._id;
}

export async function publishFinal(
  queues: QueueFactory,
  fx: SchoolFixture,
  student: { _id: Types.ObjectId },
  values: { value?: GradeValue; status?: "final" | "deferred" | "not_attested"; subject?: string; resultsAt?: Date; deferredUntil?: string; reason?: string } = {},
): Promise<{ eventId: string; finalId: Types.ObjectId }> {
  const periodId = await termPeriod(fx);
  const final = await FinalGrade.create({
    schoolId: fx.school._id,
    externalId: `fg-${++counter}`,
    studentId: student._id,
    subjectId: fx.subjects[values.subject ?? "alg"],
    periodId,
    status: values.status ?? "final",
    ...(values.value !== undefined || !values.status || values.status === "final" ? { value: values.value ?? "5" } : {}),
    ...(values.deferredUntil ? { deferredUntil: values.deferredUntil } : {}),
    ...(values.reason ? { reason: values.reason } : {}),
    resultsAt: values.resultsAt ?? new Date(),
  });
  const eventId = await publishEvent(queues, fx.school._id, "final.published", { resource: "finalGrades", id: final._id }, {
    studentIds: [student._id],
    payload: { after: { status: final.status, value: final.value, deferredUntil: final.deferredUntil } },
  });
  return { eventId, finalId: final._id };
}
