/**
 * `npm run --silent report -- --school <id> (finals|curriculum|missing|compliance) [--class 7Б] [--period <externalId>]
 *  [--format pdf|csv] [--out file] [--today YYYY-MM-DD] [--json]`: the school's reports. Without
 * --format/--out it prints the report as a table (or one JSON document); with them it writes the
 * PDF or CSV (to --out, or a file named after the report in the current folder) and says where.
 */
import fs from "node:fs";
import path from "node:path";
import { isCalendarDay, schoolDay } from "../domain/time";
import { createI18n, isLanguage } from "../i18n";
import { REPORT_FORMATS, REPORT_KINDS, SCHOOL_WIDE_KINDS, reportData, reportFile, type ReportData, type ReportFormat, type ReportKind } from "../services/reports/report-files";
import { ReportInputError, loadSchool } from "../services/reports/school-data";
import { findClassByName } from "../services/schools";
import { COMPLIANCE_COLUMNS, complianceLines, smsSummary } from "../print/compliance-report";
import { markText, percent } from "../print/layout-text";
import { InputError, formatTable, option, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent report -- --school <schoolId> (${REPORT_KINDS.join("|")}) [--class 7Б] [--period <externalId>] [--format pdf|csv] [--out file] [--today YYYY-MM-DD] [--json]
  finals      the summary sheet of final grades of a class and period (--class required)
  curriculum  lessons held against the curriculum of a class and period (--class required)
  missing     students without final grades in the periods that ended (a class, or the whole school)
  compliance  final grades and exam results of a period: how and when each reached each guardian, and
              the share within 24 hours, overdue first (a class, or the whole school)`;

type Row = Record<string, unknown>;

/** The report as plain rows (the table) and as JSON (names instead of ids, no Maps). */
function asData(data: ReportData, t: ReturnType<ReturnType<typeof createI18n>["getFixedT"]>, lang: string): { json: unknown; rows: Row[]; summary?: string } {
  if (data.kind === "compliance") {
    const r = data.report;
    const rows = complianceLines(r, t, lang).map((line) => Object.fromEntries(COMPLIANCE_COLUMNS.map((c, i) => [c, line.cells[i]])));
    const summary =
      `${t("reports:compliance.share")}: ${t("reports:compliance.shareValue", { onTime: r.share.onTime, results: r.share.results, percent: percent(r.share.percent, lang) })}\n` +
      `${t("reports:compliance.sms")}: ${smsSummary(r, t)}\n`;
    return { json: r, rows, summary };
  }
  if (data.kind === "missing") {
    const rows = data.report.rows.map((r) => ({ period: r.periodExternalId, class: r.className, student: r.student, subject: r.subject, problem: r.problem, ...(r.deferredUntil ? { deferredUntil: r.deferredUntil } : {}) }));
    return { json: { ...data.report, rows }, rows };
  }
  if (data.kind === "curriculum") {
    const rows = data.report.rows.map((r) => ({
      subject: r.subject, group: r.group ?? "", planned: r.planned ?? "", expected: r.expected ?? "", held: r.held, substituted: r.substituted,
      cancelled: r.cancelled, moved: r.moved, unmarked: r.unmarked, remaining: r.remaining, behindBy: r.behindBy,
    }));
    return { json: { ...data.report, rows: data.report.rows.map(({ subjectId: _s, groupId: _g, ...rest }) => rest) }, rows };
  }
  const r = data.report;
  const rows: Row[] = r.students.map((s, i) => ({ "#": i + 1, student: s.name, ...Object.fromEntries(r.subjects.map((sub) => [sub.name, markText(t, r.sheet.marks.get(s.id)!.get(sub.id)!)])) }));
  rows.push({ student: "quality %", ...Object.fromEntries(r.sheet.subjects.map((s, i) => [r.subjects[i].name, s.quality.percent ?? ""])) });
  rows.push({ student: "success %", ...Object.fromEntries(r.sheet.subjects.map((s, i) => [r.subjects[i].name, s.success.percent ?? ""])) });
  const json = {
    schoolName: r.schoolName, className: r.className, homeroomTeacher: r.homeroomTeacher, period: r.period, today: r.today,
    students: r.students.map((s) => ({ name: s.name, marks: Object.fromEntries(r.subjects.map((sub) => [sub.name, r.sheet.marks.get(s.id)!.get(sub.id)!])) })),
    subjects: r.sheet.subjects.map((s, i) => ({ name: r.subjects[i].name, ...s })),
    totals: r.sheet.students,
  };
  return { json, rows };
}

void runCli(USAGE, { values: ["school", "class", "period", "format", "out", "today"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  const [kind, ...extra] = ctx.args.positional;
  if (!kind || extra.length || !(REPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`give one report: ${REPORT_KINDS.join(", ")}`);
  const className = option(ctx.args, "class");
  if (!SCHOOL_WIDE_KINDS.includes(kind as ReportKind) && !className) throw new UsageError(`--class is required for ${kind}`);
  const out = option(ctx.args, "out");
  const formatOption = option(ctx.args, "format") ?? (out ? path.extname(out).slice(1).toLowerCase() || "pdf" : undefined);
  if (formatOption !== undefined && !(REPORT_FORMATS as readonly string[]).includes(formatOption)) throw new UsageError("--format must be pdf or csv");
  const todayOption = option(ctx.args, "today");
  if (todayOption !== undefined && !isCalendarDay(todayOption)) throw new UsageError("--today must be a date YYYY-MM-DD");

  await ctx.connectDb();
  const school = await loadSchool(schoolId).catch((error: Error) => {
    throw new InputError(error.message);
  });
  const schoolClass = className ? await findClassByName(school._id, className) : null;
  if (className && !schoolClass) throw new InputError(`class "${className}" not found in the school`);
  const today = todayOption ?? schoolDay(new Date(), school.timezone);
  const lang = isLanguage(ctx.config.DEFAULT_LOCALE) ? ctx.config.DEFAULT_LOCALE : "ru";
  const t = createI18n(lang).getFixedT(lang);
  const data = await reportData({ kind: kind as ReportKind, schoolId: school._id, ...(schoolClass ? { schoolClass } : {}), periodId: option(ctx.args, "period"), today, now: new Date() }).catch((error: Error) => {
    throw error instanceof ReportInputError ? new InputError(error.message) : error;
  });
  const { json, rows, summary } = asData(data, t, lang);
  if (formatOption === undefined) return { json, text: (summary ?? "") + (rows.length ? formatTable(rows) : "nothing to report\n") };

  const file = await reportFile(data, formatOption as ReportFormat, t, lang);
  const target = out ?? file.fileName;
  try {
    fs.writeFileSync(target, file.bytes);
  } catch (error) {
    throw new InputError(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { json: { file: path.resolve(target), format: formatOption, bytes: file.bytes.length }, text: `wrote ${target} (${file.bytes.length} bytes)\n` };
});
