/**
 * The compliance report (issue 10.7, regulation 6): every final grade and exam result of a period,
 * its result time, how and when it reached each person (channel and time, or printed and handed
 * over) and the share within 24 hours; overdue ones first. A result is tied to its delivery records
 * through its domain events (`entity.id` → `eventId`), so a re-published final counts all its sends.
 */
import type { Types } from "mongoose";
import { Delivery, DomainEvent, ExamResult, FinalGrade, Guardian, SchoolClass, Student, type PeriodKind } from "../../db/models";
import { byUrgency, complianceShare, resultReach, sheetMark, smsPartsByMonth, type ComplianceShare, type ReachState, type RecipientReach, type SheetMark, type SmsMonth } from "../../domain/reports";
import { dayjs, inZone, zonedInstant } from "../../domain/time";
import { personKey } from "../people";
import { byName, loadSchool, resolvePeriod, subjectNamesOf } from "./school-data";

export interface ComplianceRequest {
  schoolId: Types.ObjectId;
  /** One class, or the whole school. */
  classId?: Types.ObjectId;
  /** A period's externalId; default: the school's reporting period of `today`. */
  periodId?: string;
  today: string;
  now: Date;
}

export interface ComplianceRecipient extends RecipientReach {
  /** The journal's guardian record the person acts for (staff see the name, as on the printouts). */
  guardian: string;
  /** An account (a person in a messenger or with their own e-mail) or the journal record itself. */
  person: "account" | "record";
}

export interface ComplianceRow {
  kind: "final" | "exam";
  className: string;
  student: string;
  /** The subject (finals) or the exam's name. */
  what: string;
  /** The mark or score as the journal gave it. */
  result: string;
  /** A final's mark as the sheets read it (the status words are translated where it is shown). */
  mark?: SheetMark;
  resultsAt: Date;
  state: ReachState;
  recipients: ComplianceRecipient[];
}

export interface ComplianceReport {
  schoolName: string;
  timezone: string;
  className: string | null;
  period: { externalId: string; name: string; start: string; end: string };
  today: string;
  generatedAt: Date;
  share: ComplianceShare;
  rows: ComplianceRow[];
  /**
   * SMS of the whole school sent in the months of the period, every kind (finals, exams, forecasts,
   * recommendations): messages and parts per month on the school's clock (issue 14). Empty without SMS.
   */
  smsParts: SmsMonth[];
}

const finalResult = (f: { status: string; value?: string | null; deferredUntil?: string | null }) =>
  f.status === "final" ? (f.value ?? "") : f.status === "deferred" && f.deferredUntil ? `${f.status} ${f.deferredUntil}` : f.status;

export async function complianceReport(request: ComplianceRequest): Promise<ComplianceReport> {
  const { schoolId, today, now } = request;
  const school = await loadSchool(schoolId);
  const period = await resolvePeriod(schoolId, school.settings.periodKind as PeriodKind, today, request.periodId);
  const classes = await SchoolClass.find({ schoolId, ...(request.classId ? { _id: request.classId } : {}) }, { name: 1 }).lean();
  const students = await Student.find({ schoolId, classId: { $in: classes.map((c) => c._id) } }, { fullName: 1, classId: 1 }).lean();
  const studentIds = students.map((s) => s._id);
  const [finals, exams, subjects] = await Promise.all([
    FinalGrade.find({ schoolId, periodId: period._id, studentId: { $in: studentIds } }, { studentId: 1, subjectId: 1, status: 1, value: 1, deferredUntil: 1, resultsAt: 1 }).lean(),
    ExamResult.find({ schoolId, studentId: { $in: studentIds }, date: { $gte: period.start, $lte: period.end } }, { studentId: 1, name: 1, score: 1, maxScore: 1, value: 1, resultsAt: 1 }).lean(),
    subjectNamesOf(schoolId),
  ]);
  const resultIds = [...finals, ...exams].map((r) => r._id);
  const events = resultIds.length ? await DomainEvent.find({ schoolId, "entity.id": { $in: resultIds } }, { eventId: 1, entity: 1 }).lean() : [];
  const deliveries = events.length
    ? await Delivery.find({ eventId: { $in: events.map((e) => e.eventId) } }, { eventId: 1, recipient: 1, channel: 1, status: 1, queuedAt: 1, sentAt: 1 }).lean()
    : [];
  const guardians = await Guardian.find({ _id: { $in: [...new Set(deliveries.map((d) => String(d.recipient?.guardianId ?? "")).filter(Boolean))] } }, { fullName: 1 }).lean();

  const resultOfEvent = new Map(events.map((e) => [e.eventId, String(e.entity.id)]));
  const deliveriesOf = new Map<string, typeof deliveries>();
  for (const d of deliveries) {
    const resultId = resultOfEvent.get(d.eventId ?? "");
    if (resultId) deliveriesOf.set(resultId, [...(deliveriesOf.get(resultId) ?? []), d]);
  }
  const guardianName = new Map(guardians.map((g) => [String(g._id), g.fullName ?? "—"]));
  const className = new Map(classes.map((c) => [String(c._id), c.name]));
  const student = new Map(students.map((s) => [String(s._id), { name: s.fullName, className: className.get(String(s.classId)) ?? "—" }]));

  const rowOf = (kind: ComplianceRow["kind"], id: Types.ObjectId, studentId: Types.ObjectId, what: string, result: string, resultsAt: Date): ComplianceRow => {
    const records = deliveriesOf.get(String(id)) ?? [];
    const guardianOf = new Map<string, string | undefined>();
    const reach = resultReach(
      resultsAt,
      records.map((d) => {
        // Paper goes to the family (its record's key); everything else to the person.
        const recipient = d.channel === "paper" ? `g${String(d.recipient?.guardianId)}` : personKey(d.recipient ?? {});
        guardianOf.set(recipient, d.recipient?.guardianId ? String(d.recipient.guardianId) : undefined);
        return { recipient, family: d.recipient?.guardianId ? `g${String(d.recipient.guardianId)}` : undefined, channel: d.channel, status: d.status, queuedAt: d.queuedAt, sentAt: d.sentAt ?? null };
      }),
      now,
    );
    const recipients = reach.recipients.map((r) => ({
      ...r,
      guardian: guardianName.get(guardianOf.get(r.recipient) ?? "") ?? "—",
      person: r.recipient.startsWith("a") ? ("account" as const) : ("record" as const),
    }));
    const who = student.get(String(studentId));
    return { kind, className: who?.className ?? "—", student: who?.name ?? "—", what, result, resultsAt, state: reach.state, recipients };
  };

  const rows = [
    ...finals.map((f) => ({ ...rowOf("final", f._id, f.studentId, subjects.get(String(f.subjectId)) ?? "—", finalResult(f), f.resultsAt), mark: sheetMark({ studentId: "", subjectId: "", status: f.status, value: f.value, deferredUntil: f.deferredUntil }) })),
    ...exams.map((e) => rowOf("exam", e._id, e.studentId, e.name, e.value ?? `${e.score}${e.maxScore != null ? `/${e.maxScore}` : ""}`, e.resultsAt)),
  ].sort((a, b) => byUrgency(a, b) || byName(a.className, b.className) || byName(a.student, b.student));

  // The school's SMS bill: the whole months the period touches, not only this class's results.
  const from = zonedInstant(dayjs(period.start).startOf("month").format("YYYY-MM-DD"), "00:00", school.timezone);
  const to = zonedInstant(dayjs(period.end).add(1, "month").startOf("month").format("YYYY-MM-DD"), "00:00", school.timezone);
  const sms = await Delivery.find({ schoolId, channel: "sms", sentAt: { $gte: from, $lt: to }, "sms.parts": { $gt: 0 } }, { sentAt: 1, sms: 1 }).lean();
  const smsParts = smsPartsByMonth(sms.map((d) => ({ sentAt: d.sentAt!, parts: d.sms?.parts ?? 0 })), (at) => inZone(at, school.timezone).format("YYYY-MM"));

  const requested = request.classId ? classes[0] : null;
  return {
    schoolName: school.name,
    timezone: school.timezone,
    className: requested?.name ?? null,
    period: { externalId: period.externalId, name: period.name, start: period.start, end: period.end },
    today,
    generatedAt: now,
    share: complianceShare(rows.map((r) => r.state)),
    rows,
    smsParts,
  };
}
