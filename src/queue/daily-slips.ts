/**
 * The daily results slips on BullMQ (regulation 6 for families on paper): one job scheduler per
 * school at `settings.dailySlipTime` (default 08:00) on weekdays in the school's zone; a school-wide
 * holiday skips the run (the items wait for the next school morning). For every class with a final
 * or exam result waiting on paper it builds the slip and sends the PDF and the hand-over checklist to
 * the homeroom teacher, as the weekly printout does (src/queue/printouts.ts); then tells the teachers
 * and admins about non-responders (src/queue/non-responders.ts). Safe to retry.
 */
import type { Job, JobSchedulerTemplateOptions, Queue } from "bullmq";
import type { Types } from "mongoose";
import { Holiday, School, SchoolClass } from "../db/models";
import { isSchoolDay, weekOf, type WeekOptions } from "../domain/school-calendar";
import { schoolDay } from "../domain/time";
import { buildResultSlip, RESULT_KINDS } from "../services/daily-slips";
import { classesWithPaperGuardians } from "../services/printouts";
import { byName } from "../services/reports/school-data";
import { sendNonResponders } from "./non-responders";
import { sendClassSheet, type PrintoutJobDeps } from "./printouts";

/** The job's name on QUEUES.scheduled. */
export const DAILY_SLIP_JOB = "daily-slips";
export const dailySlipSchedulerId = (schoolId: string) => `daily-slips-${schoolId}`;

const JOB_OPTIONS: JobSchedulerTemplateOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 60_000 },
  removeOnComplete: { age: 30 * 24 * 3600 },
  removeOnFail: { age: 90 * 24 * 3600 },
};

/** `mm hh * * 1-5` from "HH:MM" (`1-6` in a six-day week). */
export function dailySlipCron(time: string, week: WeekOptions = {}): string {
  const [hour, minute] = time.split(":").map(Number);
  return `${minute} ${hour} * * ${week.sixDayWeek ? "1-6" : "1-5"}`;
}

export async function registerDailySlipSchedulers(
  queue: Queue,
  schools: ReadonlyArray<{ _id: Types.ObjectId; timezone: string; settings: { dailySlipTime?: string | null; sixDayWeek?: boolean | null } }>,
  existing: ReadonlyMap<string, { pattern?: string | null; tz?: string | null }>,
): Promise<void> {
  for (const school of schools) {
    const schoolId = school._id.toHexString();
    const pattern = dailySlipCron(school.settings.dailySlipTime ?? "08:00", weekOf(school));
    const current = existing.get(dailySlipSchedulerId(schoolId));
    if (current?.pattern === pattern && current.tz === school.timezone) continue;
    await queue.upsertJobScheduler(dailySlipSchedulerId(schoolId), { pattern, tz: school.timezone }, { name: DAILY_SLIP_JOB, data: { schoolId }, opts: JOB_OPTIONS });
  }
}

export interface DailySlipJobResult {
  skipped?: "holiday";
  classes: number;
  slips: number;
  sent: number;
  failed: number;
  /** Classes with non-responders, and the messages sent about them (src/queue/non-responders.ts). */
  nonResponders?: { classes: number; sent: number };
}

export async function processDailySlipJob(job: Pick<Job<{ schoolId: string }>, "data">, deps: PrintoutJobDeps): Promise<DailySlipJobResult> {
  const now = deps.now?.() ?? new Date();
  const lang = deps.language ?? "ru";
  const result: DailySlipJobResult = { classes: 0, slips: 0, sent: 0, failed: 0 };
  const school = await School.findById(job.data.schoolId, { timezone: 1, settings: 1 }).lean();
  if (!school) return result;
  const holidays = await Holiday.find({ schoolId: school._id }, { start: 1, end: 1, classIds: 1 }).lean();
  const ranges = holidays.map((h) => ({ start: h.start, end: h.end, classIds: (h.classIds ?? []).map(String) }));
  if (!isSchoolDay(schoolDay(now, school.timezone), ranges, undefined, weekOf(school))) return { ...result, skipped: "holiday" };
  const classes = await SchoolClass.find({ _id: { $in: await classesWithPaperGuardians(school._id, RESULT_KINDS) } }).lean();
  for (const schoolClass of classes.sort((a, b) => a.grade - b.grade || byName(a.name, b.name))) {
    const built = await buildResultSlip({ schoolId: school._id, classId: schoolClass._id, now, t: deps.i18n.getFixedT(lang), lang });
    if (!built) continue;
    result.classes += 1;
    result.slips += built.slips.length;
    const checklist = { className: schoolClass.name, weekStart: built.day, day: built.day, slips: built.slips };
    const sent = await sendClassSheet(deps, school._id, schoolClass, { key: `result-slip-sent/${built.resultSlipId.toHexString()}`, printoutId: built.resultSlipId, pdf: built.pdf, fileName: built.fileName, checklist });
    result.sent += sent.sent;
    result.failed += sent.failed;
  }
  const nonResponders = await sendNonResponders(deps, school._id, school.settings.nonResponderDays ?? 7, now);
  deps.logger.info({ schoolId: String(school._id), ...result, nonResponderClasses: nonResponders.classes }, "daily results slips produced");
  return { ...result, nonResponders };
}
