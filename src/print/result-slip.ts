/**
 * The PDF of a class's daily results slip (src/services/daily-slips.ts): a hand-over list, then one
 * slip per child and family with the finals and exam results that went on paper, each on its own
 * page with the guardian's signature line. Text from locales/<lang>/printouts.json (`daily.*`).
 */
import type { DeliveryKind } from "../db/models";
import type { Translate } from "../i18n";
import type { Notice } from "../services/notify/notice";
import { shortNameOf } from "../domain/format";
import { createPdf } from "./pdf";
import { COLORS, bullets, fields, heading, paragraph, signatureLines, table, title } from "./layout";
import { longDay } from "./layout-text";
import { resultText } from "./printout";

export interface ResultSlipView {
  schoolName: string;
  className: string;
  homeroomTeacher: string | null;
  /** The school day of the slip, YYYY-MM-DD. */
  day: string;
  slips: Array<{ id: string; studentName: string; guardianName: string; handed: boolean; results: Array<{ kind: DeliveryKind; notice: Notice | null }> }>;
}

export async function renderResultSlips(view: ResultSlipView, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const k = (key: string, options?: Record<string, unknown>) => t(`printouts:daily.${key}`, options);
  const day = longDay(view.day, lang);
  const pdf = createPdf({ title: k("documentTitle", { className: view.className, day }), author: view.schoolName, ...(createdAt ? { createdAt } : {}) });
  const { doc } = pdf;

  pdf.startPart(k("handoverTitle"));
  paragraph(doc, view.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("handoverTitle"));
  paragraph(doc, k("subtitle", { className: view.className, day }), { align: "center" });
  doc.moveDown(0.6);
  fields(doc, [[t("printouts:pdf.handover.teacher"), view.homeroomTeacher ?? "____________________"]]);
  doc.moveDown(0.4);
  table(doc, {
    columns: [
      { header: "№", width: 4, align: "right" },
      { header: t("printouts:pdf.handover.student"), width: 28 },
      { header: t("printouts:pdf.handover.guardian"), width: 28 },
      { header: k("count"), width: 14, align: "center" },
      { header: t("printouts:pdf.handover.signature"), width: 26 },
    ],
    minRowHeight: 30,
    rows: view.slips.map((s, i) => [String(i + 1), s.studentName, s.guardianName, String(s.results.length), ""]),
    fontSize: 9.5,
  });
  paragraph(doc, k("note"), { size: 8.5, color: COLORS.muted });

  for (const slip of view.slips) {
    pdf.startPart(`${slip.studentName} — ${slip.guardianName}`);
    paragraph(doc, view.schoolName, { size: 9, color: COLORS.muted, align: "center" });
    title(doc, k("title"));
    doc.moveDown(0.5);
    fields(doc, [
      [t("printouts:pdf.student"), `${slip.studentName}, ${t("printouts:pdf.classOf", { className: view.className })}`],
      [t("printouts:pdf.guardian"), slip.guardianName],
      [t("printouts:pdf.date"), day],
    ]);
    heading(doc, t("printouts:pdf.results.heading"));
    bullets(doc, slip.results.length ? slip.results.map((r) => noticeText(r.notice, t, lang)) : ["—"]);
    signatureLines(doc, [t("printouts:pdf.signature.guardian"), t("printouts:pdf.signature.teacher", { teacher: view.homeroomTeacher ? shortNameOf(view.homeroomTeacher) : "____________________" })]);
  }
  return pdf.finish((page) => [view.schoolName, view.className, page.label].join(" · "));
}

/** One result as the delivery record keeps it (its notice); a record without one gets a standard line. */
function noticeText(n: Notice | null, t: Translate, lang: string): string {
  if (n?.template === "exam") {
    const { template: _template, student: _student, ...exam } = n;
    return resultText({ kind: "exam", ...exam }, t, lang);
  }
  if (n?.template === "final") {
    const { template: _template, student: _student, ...final } = n;
    return resultText({ kind: "final", ...final }, t, lang);
  }
  return t("printouts:daily.unknownResult");
}
