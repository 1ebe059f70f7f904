/** Every BullMQ queue and scheduled job of the service, by name: defined below the queue, in src/services/jobs.ts. */
export { QUEUES, SCHEDULED_JOBS, type QueueName, type ScheduledJobName } from "../services/jobs";
