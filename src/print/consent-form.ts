/**
 * Paper consent forms for non-responders (issue 10.3): one page (or more) per guardian and child with
 * the school's current consent text, the choice to tick, optional contacts and the signature lines.
 * The signed form is registered with /paperconsent (or `npm run paper-consent`).
 */
import type { Translate } from "../i18n";
import { createPdf } from "./pdf";
import { COLORS, fields, paragraph, signatureLines, title } from "./layout";
import { longDay } from "./layout-text";

export interface ConsentFormView {
  schoolName: string;
  className: string;
  /** The school's day of printing, YYYY-MM-DD. */
  day: string;
  /** The consent text (the school's current version), plain. */
  text: string;
  forms: Array<{ studentName: string; guardianName: string | null }>;
}

export async function renderConsentForms(view: ConsentFormView, t: Translate, lang: string): Promise<Buffer> {
  const k = (key: string, options?: Record<string, unknown>) => t(`consents:form.${key}`, options);
  const pdf = createPdf({ title: k("documentTitle", { className: view.className }), author: view.schoolName });
  const { doc } = pdf;
  for (const form of view.forms) {
    pdf.startPart(`${form.studentName} — ${form.guardianName ?? ""}`);
    paragraph(doc, view.schoolName, { size: 9, color: COLORS.muted, align: "center" });
    title(doc, k("title"));
    doc.moveDown(0.3);
    fields(doc, [
      [k("guardian"), form.guardianName ?? "______________________________"],
      [k("student"), `${form.studentName}, ${k("classOf", { className: view.className })}`],
      [k("printed"), longDay(view.day, lang)],
    ]);
    doc.moveDown(0.4);
    paragraph(doc, view.text, { size: 8.5 });
    doc.moveDown(0.4);
    paragraph(doc, k("choose"), { size: 10 });
    paragraph(doc, `☐ ${k("grant")}`, { size: 10 });
    paragraph(doc, `☐ ${k("decline")}`, { size: 10 });
    doc.moveDown(0.3);
    paragraph(doc, k("contacts"), { size: 9.5 });
    signatureLines(doc, [k("signature")]);
  }
  return pdf.finish((page) => [view.schoolName, view.className, page.label].join(" · "));
}
