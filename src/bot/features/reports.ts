/**
 * /report for the school's admins and homeroom teachers (their own class):
 *   /report finals 7Б [period] [csv]      the summary sheet of final grades
 *   /report curriculum 7Б [period] [csv]  lessons held against the curriculum
 *   /report missing [7Б] [period] [csv]   students without final grades (no class: the school, admins)
 *   /report compliance [7Б] [period] [csv] how and when finals and exams reached guardians (24 h)
 * The period is the journal's externalId (q1); without it, the school's current period.
 */
import { Composer, InputFile } from "grammy";
import type { Types } from "mongoose";
import { DEFAULT_TIMEZONE, Period, School } from "../../db/models";
import { percent } from "../../print/layout-text";
import { managedClasses } from "../../services/printouts";
import { complianceScope } from "../../print/compliance-report";
import { REPORT_FORMATS, REPORT_KINDS, SCHOOL_WIDE_KINDS, reportData, reportFile, type ReportData, type ReportFormat, type ReportKind } from "../../services/reports/report-files";
import { classNameKey } from "../../domain/class-name";
import { schoolDay } from "../../domain/time";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { pickClass, staffOf } from "./printouts";

interface Parsed {
  kind: ReportKind;
  format: ReportFormat;
  className: string;
  periodId?: string;
}

/**
 * "finals 7 Б q1 csv" → kind, class "7Б", period "q1", format csv; a class may be typed with a space.
 */
function parse(text: string, classNames: string[]): Parsed | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const kind = words.shift()?.toLowerCase();
  if (!kind || !(REPORT_KINDS as readonly string[]).includes(kind)) return null;
  const formatAt = words.findIndex((w) => (REPORT_FORMATS as readonly string[]).includes(w.toLowerCase()));
  const format = formatAt >= 0 ? (words.splice(formatAt, 1)[0].toLowerCase() as ReportFormat) : "pdf";
  const known = new Set(classNames.map(classNameKey));
  let className = "";
  if (words.length >= 2 && known.has(classNameKey(words[0] + words[1])) && !known.has(classNameKey(words[0]))) className = words.splice(0, 2).join("");
  else if (words.length && (known.has(classNameKey(words[0])) || !SCHOOL_WIDE_KINDS.includes(kind as ReportKind) || words.length > 1)) className = words.shift()!;
  return { kind: kind as ReportKind, format, className, ...(words[0] ? { periodId: words[0] } : {}) };
}

function caption(ctx: BotContext, data: ReportData): string {
  const lang = ctx.lang;
  if (data.kind === "finals") {
    const r = data.report;
    return ctx.t("reports:bot.caption.finals", { className: r.className, period: r.period.name, quality: percent(r.sheet.students.quality, lang), success: percent(r.sheet.students.success, lang) });
  }
  if (data.kind === "curriculum") {
    const r = data.report;
    return ctx.t("reports:bot.caption.curriculum", { className: r.className, period: r.period.name, behind: r.rows.filter((row) => row.behindBy > 0).length });
  }
  if (data.kind === "compliance") {
    const r = data.report;
    return ctx.t("reports:bot.caption.compliance", { scope: complianceScope(r, ctx.t), period: r.period.name, onTime: r.share.onTime, results: r.share.results, percent: percent(r.share.percent, lang), overdue: r.share.overdue + r.share.none });
  }
  return ctx.t("reports:bot.caption.missing", { scope: data.report.className ?? ctx.t("reports:missing.wholeSchool"), count: data.report.rows.length });
}

/** A named period must exist in the school: else the answer lists the school's periods. */
async function checkPeriod(ctx: BotContext, schoolId: Types.ObjectId, periodId: string | undefined): Promise<boolean> {
  const periods = await Period.find({ schoolId }, { externalId: 1, name: 1 }).sort({ start: 1 }).lean();
  if (!periods.length) {
    await ctx.reply(ctx.t("reports:bot.noPeriods"));
    return false;
  }
  if (periodId && !periods.some((p) => p.externalId === periodId)) {
    await ctx.reply(ctx.t("reports:bot.badPeriod", { period: periodId, periods: periods.map((p) => `${p.externalId} (${p.name})`).join(", ") }));
    return false;
  }
  return true;
}

const composer = new Composer<BotContext>();

composer.command("report", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const staff = await staffOf(ctx);
  const classes = await managedClasses(staff);
  if (!classes.length) return void (await ctx.reply(ctx.t("reports:bot.onlyStaff")));
  const parsed = parse(ctx.match, classes.map((c) => c.name));
  if (!parsed) return void (await ctx.reply(ctx.t("reports:bot.usage")));

  let schoolClass: (typeof classes)[number] | undefined;
  let schoolId: Types.ObjectId;
  if (SCHOOL_WIDE_KINDS.includes(parsed.kind) && !parsed.className) {
    // The whole school for the admin of one school; a homeroom teacher's only class; else ask.
    if (staff.adminSchoolIds.length === 1) schoolId = staff.adminSchoolIds[0];
    else if (!staff.adminSchoolIds.length && classes.length === 1) [schoolClass, schoolId] = [classes[0], classes[0].schoolId];
    else return void (await ctx.reply(staff.adminSchoolIds.length ? ctx.t("reports:bot.usage") : ctx.t("reports:bot.wholeSchoolAdmins", { kind: parsed.kind, example: classes[0].name })));
  } else {
    schoolClass = (await pickClass(ctx, staff, parsed.className, "reports")) ?? undefined;
    if (!schoolClass) return;
    schoolId = schoolClass.schoolId;
  }
  if (!(await checkPeriod(ctx, schoolId, parsed.periodId))) return;
  await ctx.replyWithChatAction("upload_document").catch(() => undefined);
  const school = await School.findById(schoolId, { timezone: 1 }).lean();
  const today = schoolDay(ctx.deps.now(), school?.timezone ?? DEFAULT_TIMEZONE);
  const data = await reportData({ kind: parsed.kind, schoolId, schoolClass, periodId: parsed.periodId, today, now: ctx.deps.now() });
  const lang = ctx.deps.config.DEFAULT_LOCALE;
  const file = await reportFile(data, parsed.format, ctx.deps.i18n.getFixedT(lang), lang);
  await ctx.replyWithDocument(new InputFile(file.bytes, file.fileName), { caption: caption(ctx, data) });
});

export const reportsFeature: BotFeature = { name: "reports", composer, commands: ["report"] };
