/**
 * The school's morning (issue 15), one job per school and day on QUEUES.scheduled at the school's
 * `dailySlipTime` (default 08:00, its own zone): the first school day after holidays brings the
 * day's timetable to the families of the classes coming back; N school days before a period's end
 * the teachers and families hear who is at risk, and after the end the admins hear which finals
 * are missing and get each complete class's sheets (src/services/notify/period-end.ts); after a
 * change of the consent text, those who agreed to the older one are asked to agree again
 * (src/services/notify/consent-renewal.ts). Every part
 * decides from the day itself (src/domain/rhythm.ts) and plans deliveries with stable keys (and
 * marks what is done), so a retried or repeated run sends nothing twice.
 */
import type { Types } from "mongoose";
import type { NotifyEnv } from "../services/notify/env";
import { sendAfterHolidaysTimetables, type AfterHolidaysResult } from "../services/notify/after-holidays";
import { runPeriodEnd, type PeriodEndResult } from "../services/notify/period-end";
import { announceConsentRenewal, type ConsentRenewalResult } from "../services/notify/consent-renewal";
import type { PrintoutJobDeps } from "./printouts";

export interface SchoolMorningResult {
  afterHolidays: AfterHolidaysResult;
  periodEnd: PeriodEndResult;
  consentRenewal: ConsentRenewalResult | null;
}

/** `files`: the Bot API for the reports sent as PDF (the scheduled worker's printouts deps). */
export async function runSchoolMorning(env: NotifyEnv, schoolId: Types.ObjectId, files?: PrintoutJobDeps): Promise<SchoolMorningResult> {
  const afterHolidays = await sendAfterHolidaysTimetables(env, schoolId);
  const periodEnd = await runPeriodEnd(env, schoolId, files);
  const consentRenewal = await announceConsentRenewal(env, schoolId);
  return { afterHolidays, periodEnd, consentRenewal };
}
