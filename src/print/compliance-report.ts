/**
 * The compliance report as a landscape A4 PDF and as CSV: one line per person a result was for
 * (a result nobody was told of gets one line of its own), overdue ones first.
 */
import { inZone } from "../domain/time";
import type { Translate } from "../i18n";
import type { ComplianceRecipient, ComplianceReport, ComplianceRow } from "../services/reports/compliance";
import { COLORS, fields, paragraph, table, title } from "./layout";
import { toCsv } from "./layout-csv";
import { markText, numericDay, percent } from "./layout-text";
import { createPdf } from "./pdf";

const FILL: Partial<Record<ComplianceRow["state"], string>> = { overdue: COLORS.flag, none: COLORS.flag, late: COLORS.pending };

export function complianceScope(report: ComplianceReport, t: Translate): string {
  return report.className ?? t("reports:compliance.wholeSchool");
}

export const COMPLIANCE_COLUMNS = ["state", "class", "student", "what", "result", "resultsAt", "guardian", "channel", "reachedAt", "hours"] as const;

/** The report's lines (cells in the order of COMPLIANCE_COLUMNS), in the school's time zone and language. */
export function complianceLines(report: ComplianceReport, t: Translate, lang: string): Array<{ state: ComplianceRow["state"]; cells: string[] }> {
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:compliance.${key}`, options);
  const time = (at: Date | null) => (at ? inZone(at, report.timezone).format("DD.MM.YYYY HH:mm") : "");
  const who = (r: ComplianceRecipient) => (r.guardian === "—" && r.person === "account" ? k("student_account") : `${r.guardian}${k(`person.${r.person}`)}`);
  const how = (r: ComplianceRecipient) => {
    const channel = k(`channels.${r.channel}`, { defaultValue: r.channel });
    return r.channel === "paper" ? `${channel}: ${k(`paperStatus.${r.status}`, { defaultValue: r.status })}` : channel;
  };
  const hours = (row: ComplianceRow, r: ComplianceRecipient) => (r.reachedAt ? ((r.reachedAt.getTime() - row.resultsAt.getTime()) / 3600_000).toLocaleString(lang, { maximumFractionDigits: 1 }) : "");
  // "отср. до 20.01.2027", "н/а": a final's status in the report's language, not the journal's word.
  const resultText = (row: ComplianceRow) => {
    const mark = row.mark;
    if (!mark || mark.kind === "missing") return row.result;
    if (mark.kind === "deferred" && mark.until) return `${markText(t, mark)} ${k("until", { date: numericDay(mark.until, lang) })}`;
    return markText(t, mark);
  };
  return report.rows.flatMap((row) => {
    const result = [row.className, row.student, `${row.what} (${k(`kinds.${row.kind}`)})`, resultText(row), time(row.resultsAt)];
    if (!row.recipients.length) return [{ state: row.state, cells: [k(`states.${row.state}`), ...result, "", "", "", ""] }];
    return row.recipients.map((r) => ({ state: r.state, cells: [k(`states.${r.state}`), ...result, who(r), how(r), time(r.reachedAt), hours(row, r)] }));
  });
}

/** SMS of the whole school per month of the period (issue 14): "11.2026: сообщений — 12, частей — 20; …". */
export function smsSummary(report: ComplianceReport, t: Translate): string {
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:compliance.${key}`, options);
  if (!report.smsParts.length) return k("smsNone");
  return report.smsParts.map((m) => k("smsMonth", { month: `${m.month.slice(5)}.${m.month.slice(0, 4)}`, messages: m.messages, parts: m.parts })).join("; ");
}

function headers(t: Translate): string[] {
  return COMPLIANCE_COLUMNS.map((key) => t(`reports:compliance.${key}`));
}

export async function renderComplianceReport(report: ComplianceReport, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:compliance.${key}`, options);
  const scope = complianceScope(report, t);
  const pdf = createPdf({ title: k("documentTitle", { scope, period: report.period.name }), author: report.schoolName, landscape: true, ...(createdAt ? { createdAt } : {}) });
  const { doc } = pdf;
  paragraph(doc, report.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("title"));
  paragraph(doc, k("subtitle", { scope, period: report.period.name, start: numericDay(report.period.start, lang), end: numericDay(report.period.end, lang) }), { align: "center" });
  doc.moveDown(0.4);
  const s = report.share;
  fields(doc, [
    [k("generatedAt"), inZone(report.generatedAt, report.timezone).format("DD.MM.YYYY HH:mm")],
    [k("share"), k("shareValue", { onTime: s.onTime, results: s.results, percent: percent(s.percent, lang) })],
    [k("results"), `${s.results}. ${k("counts", { overdue: s.overdue, none: s.none, late: s.late, waiting: s.waiting })}`],
    [k("sms"), smsSummary(report, t)],
  ], 9);
  doc.moveDown(0.4);
  const body = complianceLines(report, t, lang);
  if (!body.length) paragraph(doc, k("none"));
  else {
    table(doc, {
      columns: [11, 6, 17, 20, 10, 12, 22, 16, 12, 6].map((width, i) => ({ header: headers(t)[i], width, ...(i === 9 ? { align: "right" as const } : {}) })),
      rows: body.map((l) => l.cells),
      rowFill: (i) => FILL[body[i].state] ?? null,
      fontSize: 8,
    });
  }
  paragraph(doc, k("rules"), { size: 8, color: COLORS.muted });
  return pdf.finish((page) => `${report.schoolName} · ${k("title")} · ${scope} · ${t("reports:page", { n: page.page, of: page.pages })}`);
}

/** The lines, then (after an empty row) the school's SMS per month: month, messages, parts. */
export function complianceCsv(report: ComplianceReport, t: Translate, lang: string): Buffer {
  const sms = report.smsParts.length
    ? [[], ["month", "messages", "parts"].map((c) => t(`reports:compliance.smsHeaders.${c}`)), ...report.smsParts.map((m) => [m.month, String(m.messages), String(m.parts)])]
    : [];
  return toCsv([headers(t), ...complianceLines(report, t, lang).map((l) => l.cells), ...sms]);
}
