/**
 * The opening of a class's report for a period (the summary sheet, the curriculum report): a
 * landscape A4 document titled with the class and period, the school's name, the title and the
 * "class, period (start – end)" line under it.
 */
import type { Translate } from "../i18n";
import type { ReportHeader } from "../services/reports/summary-sheet";
import { COLORS, paragraph, title } from "./layout";
import { numericDay } from "./layout-text";
import { createPdf, type PdfBuilder } from "./pdf";

export type ReportKey = (key: string, options?: Record<string, unknown>) => string;

/** `k` translates under `reports:<namespace>.`; the texts `documentTitle`, `title` and `subtitle` come from there. */
export function startClassReport(
  namespace: string,
  report: ReportHeader,
  t: Translate,
  lang: string,
  createdAt?: Date,
): { pdf: PdfBuilder; doc: PdfBuilder["doc"]; k: ReportKey } {
  const k: ReportKey = (key, options) => t(`reports:${namespace}.${key}`, options);
  const pdf = createPdf({ title: k("documentTitle", { className: report.className, period: report.period.name }), author: report.schoolName, landscape: true, ...(createdAt ? { createdAt } : {}) });
  const { doc } = pdf;
  paragraph(doc, report.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("title"));
  paragraph(doc, k("subtitle", { className: report.className, period: report.period.name, start: numericDay(report.period.start, lang), end: numericDay(report.period.end, lang) }), { align: "center" });
  doc.moveDown(0.4);
  return { pdf, doc, k };
}
