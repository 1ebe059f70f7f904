/**
 * The school's morning (issue 15), one job per school and day on QUEUES.scheduled at the school's
 * `dailySlipTime` (default 08:00, its own zone): the first school day after holidays brings the
 * day's timetable to the families of the classes coming back. Every part decides from the day
 * itself (src/domain/rhythm.ts) and plans deliveries with stable keys, so a retried or repeated
 * run sends nothing twice.
 */
import type { Types } from "mongoose";
import type { NotifyEnv } from "../services/notify/env";
import { sendAfterHolidaysTimetables, type AfterHolidaysResult } from "../services/notify/after-holidays";

export interface SchoolMorningResult {
  afterHolidays: AfterHolidaysResult;
}

export async function runSchoolMorning(env: NotifyEnv, schoolId: Types.ObjectId): Promise<SchoolMorningResult> {
  const afterHolidays = await sendAfterHolidaysTimetables(env, schoolId);
  return { afterHolidays };
}
