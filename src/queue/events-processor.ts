/**
 * The processor of QUEUES.events: turns one domain event (jobId = eventId, written by the exchange
 * import or the bot) into deliveries. Running it twice plans the same deliveries (same keys).
 */
import type { Job, Processor } from "bullmq";
import { DomainEvent, type DomainEventType } from "../db/models";
import type { NotifyEnv } from "../services/notify/env";
import { markProcessed } from "../services/exchange/events";
import { notifyExam, notifyFinal } from "../services/notify/results";
import { onGradeEvent, onHomeworkEvent } from "../services/notify/grade-alerts";
import { onAssessmentEvent, onLessonEvent } from "../services/notify/timetable";
import { onRecommendationEvent } from "../services/notify/recommendation-alerts";
import { runBroadcast, type BroadcastRequest } from "../services/broadcast";
import { asUrgent } from "../services/notify/urgent";

export interface EventJobData {
  eventId: string;
  type: DomainEventType;
  schoolId: string;
}

/** Events whose messages are urgent (finals, exams): their planning is urgent work too (services/notify/urgent.ts). */
const URGENT_EVENTS: ReadonlySet<string> = new Set(["final.published", "exam.published"]);

export function eventsProcessor(env: NotifyEnv): Processor<EventJobData> {
  const log = env.logger.child({ component: "notify-events" });
  return async (job) => (URGENT_EVENTS.has(job.data.type) ? asUrgent(env.redis, env.prefix, () => plan(job)) : plan(job));

  async function plan(job: Job<EventJobData>): Promise<unknown> {
    const event = await DomainEvent.findOne({ eventId: job.data.eventId }).lean();
    if (!event) {
      log.warn({ eventId: job.data.eventId }, "event job without its event; skipped");
      return "missing";
    }
    let result: unknown;
    switch (event.type) {
      case "final.published":
        result = await notifyFinal(env, event);
        break;
      case "exam.published":
        result = await notifyExam(env, event);
        break;
      case "grade.created":
      case "grade.changed":
      case "grade.removed":
        result = await onGradeEvent(env, event);
        break;
      case "homework.created":
      case "homework.changed":
        result = await onHomeworkEvent(env, event);
        break;
      case "lesson.cancelled":
      case "lesson.substituted":
      case "lesson.moved":
        result = await onLessonEvent(env, event);
        break;
      case "assessment.scheduled":
      case "assessment.moved":
        result = await onAssessmentEvent(env, event);
        break;
      case "recommendation.created":
        result = await onRecommendationEvent(env, event);
        break;
      case "broadcast.requested": {
        const broadcast = (event.payload as { broadcast?: BroadcastRequest } | null)?.broadcast;
        result = broadcast ? await runBroadcast(env, event.schoolId, broadcast) : "no broadcast";
        break;
      }
      case "holidays.changed":
        result = "not notified"; // the holiday schedule is in /holidays and on printouts
        break;
    }
    // Grade and homework alerts wait in Redis lists (batches, digests): their flush marks the event
    // processed, so that a Redis loss before it re-drives the event (src/queue/redrive.ts).
    const waitsInRedis = (event.type.startsWith("grade.") || event.type.startsWith("homework.")) && typeof result === "number" && result > 0;
    if (!waitsInRedis) await markProcessed([event.eventId], env.now());
    log.debug({ eventId: event.eventId, type: event.type, result }, "event planned");
    return result;
  }
}
