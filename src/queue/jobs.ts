/** Data of the jobs the worker runs: defined below the queue, in src/services/jobs.ts (the services build it). */
export type { BroadcastTarget, DeliveryJobData, ScheduledJobData } from "../services/jobs";
export type { ForecastLine, GradeItem, HomeworkItem, MissingFinalItem, Notice, NoticeTemplate, OverdueItem, RiskItem } from "../services/notify/notice";
