/** The three school reports as files (PDF or CSV), for the bot and the command line alike. */
import type { Types } from "mongoose";
import type { Translate } from "../../i18n";
import { complianceCsv, complianceScope, renderComplianceReport } from "../../print/compliance-report";
import { curriculumCsv, renderCurriculumReport } from "../../print/curriculum-report";
import { missingFinalsCsv, renderMissingFinals } from "../../print/missing-finals";
import { renderSummarySheet, summarySheetCsv } from "../../print/summary-sheet";
import { complianceReport, type ComplianceReport } from "./compliance";
import { curriculumReport, type CurriculumReport } from "./curriculum";
import { missingFinalsReport, type MissingFinalsReport } from "./missing-finals";
import { summarySheetReport, type SummarySheetReport } from "./summary-sheet";

export const REPORT_KINDS = ["finals", "curriculum", "missing", "compliance"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** Reports that cover the whole school when no class is given. */
export const SCHOOL_WIDE_KINDS: readonly ReportKind[] = ["missing", "compliance"];
export const REPORT_FORMATS = ["pdf", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type ReportData =
  | { kind: "finals"; report: SummarySheetReport }
  | { kind: "curriculum"; report: CurriculumReport }
  | { kind: "missing"; report: MissingFinalsReport }
  | { kind: "compliance"; report: ComplianceReport };

export interface ReportRequest {
  kind: ReportKind;
  schoolId: Types.ObjectId;
  /** Required for finals and curriculum; missing finals and compliance without a class cover the school. */
  schoolClass?: { _id: Types.ObjectId; name: string; homeroomTeacherId?: Types.ObjectId | null };
  periodId?: string;
  today: string;
  /** The moment a compliance report is made at (what is overdue by now). */
  now?: Date;
}

export async function reportData(request: ReportRequest): Promise<ReportData> {
  if (request.kind === "missing") {
    return { kind: "missing", report: await missingFinalsReport({ schoolId: request.schoolId, classId: request.schoolClass?._id, periodId: request.periodId, today: request.today }) };
  }
  if (request.kind === "compliance") {
    return { kind: "compliance", report: await complianceReport({ schoolId: request.schoolId, classId: request.schoolClass?._id, periodId: request.periodId, today: request.today, now: request.now ?? new Date() }) };
  }
  if (!request.schoolClass) throw new Error(`a ${request.kind} report needs a class`);
  const classRequest = { schoolId: request.schoolId, schoolClass: request.schoolClass, periodId: request.periodId, today: request.today };
  return request.kind === "finals" ? { kind: "finals", report: await summarySheetReport(classRequest) } : { kind: "curriculum", report: await curriculumReport(classRequest) };
}

/** The file of a report in the school's language `t`/`lang`. */
export async function reportFile(data: ReportData, format: ReportFormat, t: Translate, lang: string): Promise<{ fileName: string; bytes: Buffer }> {
  const names =
    data.kind === "missing"
      ? { scope: data.report.className ?? t("reports:missing.wholeSchool") }
      : data.kind === "compliance"
        ? { scope: complianceScope(data.report, t), period: data.report.period.name }
        : { className: data.report.className, period: data.report.period.name };
  const fileName = t(`reports:bot.fileNames.${data.kind}`, { ...names, ext: format });
  if (data.kind === "compliance") {
    return { fileName, bytes: format === "csv" ? complianceCsv(data.report, t, lang) : await renderComplianceReport(data.report, t, lang) };
  }
  if (format === "csv") {
    const bytes = data.kind === "finals" ? summarySheetCsv(data.report, t, lang) : data.kind === "curriculum" ? curriculumCsv(data.report, t, lang) : missingFinalsCsv(data.report, t, lang);
    return { fileName, bytes };
  }
  const bytes =
    data.kind === "finals"
      ? await renderSummarySheet(data.report, t, lang)
      : data.kind === "curriculum"
        ? await renderCurriculumReport(data.report, t, lang)
        : await renderMissingFinals(data.report, t, lang);
  return { fileName, bytes };
}
