/** Every BullMQ queue of the service, by name. */
export const QUEUES = {
  /** Domain events from the exchange (a grade added, a lesson substituted...), for the notifier. */
  events: "domain-events",
  /** One job per message to one person on one channel. */
  deliveries: "deliveries",
  /** Work on schedules: forecast broadcasts, weekly printouts, the 24-hour watchdog. */
  scheduled: "scheduled",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
