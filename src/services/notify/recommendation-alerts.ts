/**
 * Pushes a teacher's recommendation to the consenting persons of the student (or of the whole
 * class), once per person, then — once the deliveries have settled — sends the teacher a receipt
 * with the count of families reached.
 */
import { createHash } from "node:crypto";
import { Delivery, DomainEvent, Recommendation, SchoolClass, Student, Subject, Teacher, type DomainEventDocument } from "../../db/models";
import { SCHEDULED_JOBS, type ScheduledJobData } from "../jobs";
import { personsOfChildren } from "../people";
import { enqueueDeliveries, planForPerson, type DeliveryBase, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { messengersOf } from "./recipients";

type Event = Pick<DomainEventDocument, "eventId" | "schoolId" | "entity">;

export const RECEIPT_CHECK_MS = 10_000;
/** Give up waiting for stragglers (quiet hours, retries) after this many checks: the receipt says what is known. */
export const RECEIPT_MAX_ROUNDS = 30;

export async function onRecommendationEvent(env: NotifyEnv, event: Event): Promise<number> {
  const rec = await Recommendation.findById(event.entity.id).lean();
  if (!rec) return 0;
  const [teacher, subject, cls, student] = await Promise.all([
    Teacher.findById(rec.teacherId, { fullName: 1 }).lean(),
    Subject.findById(rec.subjectId, { name: 1 }).lean(),
    SchoolClass.findById(rec.classId, { name: 1 }).lean(),
    rec.studentId ? Student.findById(rec.studentId, { fullName: 1 }).lean() : null,
  ]);
  const studentIds = rec.studentId ? [rec.studentId] : (await Student.find({ schoolId: rec.schoolId, classId: rec.classId, left: null }, { _id: 1 }).lean()).map((s) => s._id);
  const persons = await personsOfChildren(rec.schoolId, studentIds);
  const base: DeliveryBase = {
    source: event.eventId,
    schoolId: rec.schoolId,
    kind: "recommendation",
    eventId: event.eventId,
    notice: { template: "recommendation", teacher: teacher?.fullName ?? "", subject: subject?.name ?? "", className: cls?.name ?? "", ...(student ? { student: student.fullName } : {}), text: rec.text },
  };
  const seen = new Set<string>();
  const planned: PlannedDelivery[] = [];
  for (const person of persons) {
    if (seen.has(person.key)) continue; // a class-wide one reaches a parent of two pupils once
    seen.add(person.key);
    planned.push(...planForPerson(person, base));
  }
  const counts = await enqueueDeliveries(env.deliveries, planned, env.now());
  const data: ScheduledJobData = { schoolId: String(rec.schoolId), eventId: event.eventId, round: 0 };
  await env.scheduled.add(SCHEDULED_JOBS.receipt, data, { jobId: `receipt-${event.eventId}-0`, delay: RECEIPT_CHECK_MS, removeOnComplete: true, attempts: 3 });
  return counts.jobs;
}

/** The receipt job: waits (re-scheduling itself) until no delivery is pending, then tells the teacher. */
export async function sendReceipt(env: NotifyEnv, eventId: string, round: number): Promise<"sent" | "waiting" | "gone"> {
  const event = await DomainEvent.findOne({ eventId }, { entity: 1, schoolId: 1 }).lean();
  const rec = event ? await Recommendation.findById(event.entity.id).lean() : null;
  if (!event || !rec) return "gone";
  const deliveries = await Delivery.find({ eventId, kind: "recommendation" }, { status: 1, recipient: 1 }).lean();
  const pending = deliveries.some((d) => d.status === "queued" || d.status === "sending");
  if (pending && round < RECEIPT_MAX_ROUNDS) {
    const data: ScheduledJobData = { schoolId: String(event.schoolId), eventId, round: round + 1 };
    await env.scheduled.add(SCHEDULED_JOBS.receipt, data, { jobId: `receipt-${eventId}-${round + 1}`, delay: RECEIPT_CHECK_MS, removeOnComplete: true, attempts: 3 });
    return "waiting";
  }
  const guardians = new Set(deliveries.map((d) => String(d.recipient?.guardianId)));
  const delivered = new Set(deliveries.filter((d) => d.status === "sent" || d.status === "delivered").map((d) => String(d.recipient?.guardianId)));
  const [cls, student] = await Promise.all([
    SchoolClass.findById(rec.classId, { name: 1 }).lean(),
    rec.studentId ? Student.findById(rec.studentId, { fullName: 1 }).lean() : null,
  ]);
  const target = student ? `${student.fullName}, ${cls?.name ?? ""}` : (cls?.name ?? "");
  const channel = (await messengersOf([rec.authorAccountId])).get(String(rec.authorAccountId)) ?? "telegram";
  const source = `receipt-${createHash("sha256").update(eventId).digest("hex").slice(0, 32)}`;
  await enqueueDeliveries(
    env.deliveries,
    [
      {
        source,
        schoolId: event.schoolId,
        kind: "recommendation",
        channel,
        accountId: rec.authorAccountId,
        notice: { template: "receipt", delivered: delivered.size, total: guardians.size, paper: 0, target },
      },
    ],
    env.now(),
  );
  return "sent";
}

