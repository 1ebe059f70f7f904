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
