/**
 * The weekly printouts on BullMQ (regulation 9): one job scheduler per school, on the school's
 * printout weekday and time in its own time zone (default Friday 12:00), and the job that builds
 * each class's PDF and sends it with the hand-over checklist to the homeroom teacher (the school's
 * admins when the class has no homeroom teacher in the bot).
 *
 * The job is safe to retry: the Printout and its claimed items are the record (a rebuild gives the
 * same slips), and each send to a teacher is a Delivery with a unique key, skipped once `sent`.
 */
import { GrammyError, InputFile, type Api } from "grammy";
import type { MaxChannel } from "../channels/max";
import type { Job, JobSchedulerTemplateOptions, Queue } from "bullmq";
import type { i18n } from "i18next";
import type { Types } from "mongoose";
import { Delivery, School, Account } from "../db/models";
import { printoutCron, type PrintoutSchedule } from "../domain/reports";
import type { Language } from "../i18n";
import type { Logger } from "../logger";
import { checklistKeyboard, checklistText, type ChecklistInput } from "../print/printout-checklist";
import { buildClassPrintouts, classesWithPaperGuardians, printoutRecipients } from "../services/printouts";
import { registerDailySlipSchedulers } from "./daily-slips";

/** The job's name on QUEUES.scheduled. */
export const PRINTOUT_JOB = "weekly-printouts";

export interface PrintoutJobData {
  schoolId: string;
}

export const printoutSchedulerId = (schoolId: string) => `printouts-${schoolId}`;

const JOB_OPTIONS: JobSchedulerTemplateOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 60_000 },
  removeOnComplete: { age: 30 * 24 * 3600 },
  removeOnFail: { age: 90 * 24 * 3600 },
};

export interface SchedulableSchool {
  _id: Types.ObjectId;
  timezone: string;
  settings: { printoutSchedule: PrintoutSchedule; dailySlipTime?: string | null; sixDayWeek?: boolean | null };
}

/**
 * Creates or updates each school's schedulers (the weekly printout, and the daily results slip:
 * src/queue/daily-slips.ts). Idempotent and cheap when nothing changed (an
 * unchanged scheduler is left alone): call it on every start and periodically for new schools and
 * changed settings.
 */
export async function registerPrintoutSchedulers(queue: Queue, schools: readonly SchedulableSchool[]): Promise<void> {
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  for (const school of schools) {
    const schoolId = school._id.toHexString();
    const pattern = printoutCron(school.settings.printoutSchedule);
    const current = existing.get(printoutSchedulerId(schoolId));
    if (current?.pattern === pattern && current.tz === school.timezone) continue;
    await queue.upsertJobScheduler(printoutSchedulerId(schoolId), { pattern, tz: school.timezone }, { name: PRINTOUT_JOB, data: { schoolId }, opts: JOB_OPTIONS });
  }
  await registerDailySlipSchedulers(queue, schools, existing);
}

export interface PrintoutJobDeps {
  api: Pick<Api, "sendDocument" | "sendMessage">;
  /** MAX, for admins known only there (period-end sheets, the non-responders summary; absent: MAX_BOT_TOKEN not set). */
  max?: Pick<MaxChannel, "sendFile" | "sendMessage">;
  i18n: i18n;
  logger: Logger;
  /** The language of the PDFs (the school's; default ru). */
  language?: Language;
  now?: () => Date;
  /** Paper slips the weekly job reads together (default PRINTOUT_BATCH_SLIPS; bench:print's --batch). */
  batchSlips?: number;
}

export interface PrintoutJobResult {
  classes: number;
  slips: number;
  sent: number;
  failed: number;
}

export interface ClassSheet {
  /** The send's idempotency key prefix (`/<accountId>` is appended). */
  key: string;
  printoutId: Types.ObjectId;
  pdf: Buffer;
  fileName: string;
  checklist: ChecklistInput;
}

/**
 * Sends a class's PDF and then its hand-over checklist to the homeroom teacher's accounts (the
 * school's admins when the class has none in the bot). Each send is a Delivery (`kind: printout`,
 * `channel: telegram`): a retry skips those already `sent`; a 403 marks the account inactive.
 */
export async function sendClassSheet(
  deps: PrintoutJobDeps,
  schoolId: Types.ObjectId,
  schoolClass: { _id: Types.ObjectId; schoolId: Types.ObjectId; homeroomTeacherId?: Types.ObjectId | null },
  sheet: ClassSheet,
): Promise<{ sent: number; failed: number }> {
  const now = deps.now?.() ?? new Date();
  const result = { sent: 0, failed: 0 };
  const { accounts, fallback } = await printoutRecipients(schoolClass);
  if (!accounts.length) deps.logger.warn({ schoolId: String(schoolId), classId: String(schoolClass._id) }, "printouts: nobody in the bot to send the class's printout to");
  for (const account of accounts) {
    const key = `${sheet.key}/${account._id.toHexString()}`;
    const record = await Delivery.findOneAndUpdate(
      { idempotencyKey: key },
      { $setOnInsert: { schoolId, kind: "printout", channel: "telegram", status: "queued", recipient: { accountId: account._id }, printoutId: sheet.printoutId, queuedAt: now } },
      { upsert: true, returnDocument: "after" },
    ).lean();
    if (record?.status === "sent") continue;
    const t = deps.i18n.getFixedT(account.language);
    try {
      await deps.api.sendDocument(account.chatId, new InputFile(sheet.pdf, sheet.fileName));
      const text = checklistText(t, account.language, sheet.checklist) + (fallback ? `\n\n${t("printouts:checklist.fallback")}` : "");
      await deps.api.sendMessage(account.chatId, text, { parse_mode: "HTML", reply_markup: checklistKeyboard(sheet.checklist) });
    } catch (error) {
      // A blocked bot or a deleted chat will not change on retry: record it and go on with the others.
      if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
      if (error.error_code === 403) await Account.updateOne({ _id: account._id }, { $set: { active: false, blockedAt: new Date() } });
      await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "failed", failedAt: new Date(), lastError: `${error.error_code} ${error.description}`.slice(0, 300) }, $inc: { attempts: 1 } });
      result.failed += 1;
      continue;
    }
    await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "sent", sentAt: new Date() }, $inc: { attempts: 1 } });
    result.sent += 1;
  }
  return result;
}

/** The instant the run was scheduled for (a late or retried run still covers its own week). */
export function scheduledInstant(job: Pick<Job, "opts" | "timestamp">): Date {
  return new Date(job.opts.prevMillis ?? job.timestamp);
}

export async function processPrintoutJob(job: Pick<Job<PrintoutJobData>, "data" | "opts" | "timestamp">, deps: PrintoutJobDeps): Promise<PrintoutJobResult> {
  const now = deps.now?.() ?? new Date();
  const lang = deps.language ?? "ru";
  const result: PrintoutJobResult = { classes: 0, slips: 0, sent: 0, failed: 0 };
  const school = await School.findById(job.data.schoolId, { name: 1 }).lean();
  if (!school) {
    deps.logger.warn({ schoolId: job.data.schoolId }, "printouts: school not found");
    return result;
  }
  // Built in batches of classes that read each collection once (src/services/printout-build.ts); sent class by class.
  const classIds = await classesWithPaperGuardians(school._id);
  for await (const { schoolClass, printout: built } of buildClassPrintouts({ schoolId: school._id, classIds, now, runAt: scheduledInstant(job), t: deps.i18n.getFixedT(lang), lang, batchSlips: deps.batchSlips })) {
    result.classes += 1;
    result.slips += built.slips.length;
    const checklist = { className: schoolClass.name, weekStart: built.view.week.start, slips: built.slips };
    const sent = await sendClassSheet(deps, school._id, schoolClass, { key: `printout-sent/${built.printoutId.toHexString()}`, printoutId: built.printoutId, pdf: built.pdf, fileName: built.fileName, checklist });
    result.sent += sent.sent;
    result.failed += sent.failed;
  }
  deps.logger.info({ schoolId: String(school._id), ...result }, "weekly printouts produced");
  return result;
}
