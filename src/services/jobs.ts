/**
 * The worker's contracts, below the queue that carries them: the queues' and scheduled jobs' names
 * and the jobs' data (plain JSON: BullMQ stores it in Redis). The services that plan work build
 * these; src/queue runs them (src/queue/names.ts and jobs.ts re-export them). A job's `Notice`
 * (what a message says) is defined with the services that plan it: src/services/notify/notice.ts.
 */
import type { Channel, DeliveryKind } from "../db/models";
import type { Notice } from "./notify/notice";

/** Every BullMQ queue of the service, by name. */
export const QUEUES = {
  /** Domain events from the exchange (a grade added, a lesson substituted...), for the notifier. */
  events: "domain-events",
  /** One job per message to one person on one channel. */
  deliveries: "deliveries",
  /**
   * Many messages of one source per job (a broadcast, a forecast): resolved, claimed and settled
   * with set queries (src/queue/delivery-batch.ts); few at a time, so finals on QUEUES.deliveries
   * always find a worker.
   */
  bulk: "deliveries-bulk",
  /**
   * Work on schedules and timers: forecast broadcasts, digests, grouped grade alerts, the 24-hour
   * watchdog, the outbox sweep, admin broadcasts and recommendation receipts.
   */
  scheduled: "scheduled",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job names on QUEUES.scheduled. */
export const SCHEDULED_JOBS = {
  forecast: "forecast-broadcast",
  digest: "daily-digest",
  /** Weekly, on the school's digest day and time (src/services/notify/weekly-digest.ts). */
  weeklyDigest: "weekly-digest",
  gradeBatch: "grade-batch",
  watchdog: "finals-watchdog",
  outbox: "outbox-sweep",
  broadcast: "admin-broadcast",
  receipt: "recommendation-receipt",
  /** Hourly: staff roles past their school year removed, teachers' classes recorded (src/services/staff-upkeep.ts). */
  staffUpkeep: "staff-upkeep",
  /**
   * Each morning of a school (at `settings.dailySlipTime`): the first day after holidays, the
   * period's end and its closing (src/queue/school-rhythm.ts).
   */
  rhythm: "school-rhythm",
  /** Daily: the own data of persons whose consent ended more than the retention period ago are erased (src/services/data-lifecycle.ts). */
  retention: "data-retention",
} as const;
export type ScheduledJobName = (typeof SCHEDULED_JOBS)[keyof typeof SCHEDULED_JOBS];

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
