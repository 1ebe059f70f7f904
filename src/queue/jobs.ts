/**
 * Data of the jobs the worker runs. Everything is plain JSON (BullMQ stores it in Redis). A job's
 * `Notice` (what a message says) is defined with the services that plan it: src/services/notify/notice.ts.
 */
import type { Channel, DeliveryKind } from "../db/models";
import type { Notice } from "../services/notify/notice";

export type { ForecastLine, GradeItem, HomeworkItem, MissingFinalItem, Notice, NoticeTemplate, OverdueItem, RiskItem } from "../services/notify/notice";


/** One message to one person on one channel (QUEUES.deliveries); jobId = `key`. */
export interface DeliveryJobData {
  /** The idempotency key: `<source>/<recipient>/<channel>` (BullMQ ids may not contain ":"). */
  key: string;
  /** What the message is about (an eventId or a batch/broadcast id): the fallback keeps it. */
  source: string;
  schoolId: string;
  kind: DeliveryKind;
  channel: Channel;
  guardianId?: string;
  accountId?: string;
  studentId?: string;
  eventId?: string;
  /** Finals and exams: when the result was obtained (ISO). */
  resultsAt?: string;
  notice: Notice;
}

/** Jobs of QUEUES.scheduled (see SCHEDULED_JOBS for the names). */
export interface ScheduledJobData {
  schoolId?: string;
  /** grade-batch: whose batch, the person (`a<accountId>` / `g<guardianId>`; a bare guardian id in jobs of an older release). */
  person?: string;
  guardianId?: string;
  studentId?: string;
  /** recommendation-receipt: the event; how many times it has waited for deliveries to settle. */
  eventId?: string;
  round?: number;
  /** admin-broadcast. */
  broadcast?: { id: string; text: string; target: BroadcastTarget; authorAccountId: string };
}

export type BroadcastTarget = { kind: "school" } | { kind: "class"; classId: string } | { kind: "parallel"; grade: number };
