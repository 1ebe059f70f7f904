/** Missing finals as a portrait A4 PDF (one table, periods in order) and as CSV. */
import type { Translate } from "../i18n";
import type { MissingFinalRow, MissingFinalsReport } from "../services/reports/missing-finals";
import { COLORS, fields, paragraph, table, title } from "./layout";
import { toCsv } from "./layout-csv";
import { longDay, numericDay } from "./layout-text";
import { createPdf } from "./pdf";

export function problemText(t: Translate, row: MissingFinalRow, lang: string): string {
  return row.problem === "missing" ? t("reports:missing.problems.missing") : t("reports:missing.problems.deferral-expired", { until: numericDay(row.deferredUntil ?? "", lang) });
}

export async function renderMissingFinals(report: MissingFinalsReport, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:missing.${key}`, options);
  const scope = report.className ?? k("wholeSchool");
  const pdf = createPdf({ title: k("documentTitle", { scope }), author: report.schoolName, ...(createdAt ? { createdAt } : {}) });
  const { doc } = pdf;
  paragraph(doc, report.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("title"));
  paragraph(doc, scope, { align: "center" });
  doc.moveDown(0.4);
  fields(doc, [
    [k("date"), longDay(report.today, lang)],
    [k("periods"), report.periods.map((p) => `${p.name} (${numericDay(p.start, lang)} – ${numericDay(p.end, lang)})`).join("; ") || "—"],
    [k("count"), String(report.rows.length)],
  ], 9);
  doc.moveDown(0.4);
  if (report.rows.length === 0) paragraph(doc, report.periods.length ? k("none") : k("noPeriods"));
  else {
    table(doc, {
      columns: [
        { header: k("period"), width: 14 },
        { header: k("class"), width: 8 },
        { header: k("student"), width: 30 },
        { header: k("subject"), width: 24 },
        { header: k("problem"), width: 24 },
      ],
      rows: report.rows.map((r) => [r.period, r.className, r.student, r.subject, problemText(t, r, lang)]),
      fontSize: 9,
      zebra: true,
    });
  }
  paragraph(doc, k("rules"), { size: 8, color: COLORS.muted });
  return pdf.finish((page) => `${report.schoolName} · ${k("title")} · ${scope} · ${t("reports:page", { n: page.page, of: page.pages })}`);
}

export function missingFinalsCsv(report: MissingFinalsReport, t: Translate, lang: string): Buffer {
  const k = (key: string) => t(`reports:missing.${key}`);
  return toCsv([
    [k("period"), k("class"), k("student"), k("subject"), k("problem")],
    ...report.rows.map((r) => [r.period, r.className, r.student, r.subject, problemText(t, r, lang)]),
  ]);
}
