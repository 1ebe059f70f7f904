/**
 * The summary sheet (сводная ведомость) as a landscape A4 PDF, laid out like the last pages of a
 * paper class journal (students down, subjects across with vertical names), and as CSV.
 */
import type { Translate } from "../i18n";
import { MARK_KEYS, type MarkKey, type MarkSummary, type SheetMark } from "../domain/reports";
import type { SummarySheetReport } from "../services/reports/summary-sheet";
import { shortNameOf } from "../domain/format";
import { startClassReport } from "./class-report";
import { FONTS } from "./fonts";
import { COLORS, fields, paragraph, signatureLines, table } from "./layout";
import { toCsv, type CsvCell } from "./layout-csv";
import { decimal, longDay, markText, numericDay, percent } from "./layout-text";

/** Distribution rows always shown; the rarer ones only when some subject has them. */
const ALWAYS: readonly MarkKey[] = ["5", "4", "3", "2"];

function statRows(report: SummarySheetReport): MarkKey[] {
  return MARK_KEYS.filter((key) => ALWAYS.includes(key) || report.sheet.subjects.some((s) => s.distribution[key] > 0));
}

function statLabel(t: Translate, key: MarkKey): string {
  return ALWAYS.includes(key) || key === "1" ? t("reports:sheet.count", { mark: key }) : t(`reports:sheet.counts.${key}`);
}

const rateRows = (t: Translate, lang: string): Array<[string, (s: MarkSummary) => string]> => [
  [t("reports:sheet.quality"), (s) => percent(s.quality, lang)],
  [t("reports:sheet.success"), (s) => percent(s.success, lang)],
  [t("reports:sheet.average"), (s) => decimal(s.average, lang)],
];

function markOf(report: SummarySheetReport, studentId: string, subjectId: string): SheetMark {
  return report.sheet.marks.get(studentId)?.get(subjectId) ?? { kind: "missing" };
}

export async function renderSummarySheet(report: SummarySheetReport, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const { pdf, doc, k } = startClassReport("sheet", report, t, lang, createdAt);
  fields(doc, [
    [k("teacher"), report.homeroomTeacher ?? "—"],
    [k("date"), longDay(report.today, lang)],
  ], 9);
  doc.moveDown(0.3);

  const stats = statRows(report);
  const rates = rateRows(t, lang);
  const studentRows = report.students.map((s, i) => [String(i + 1), s.name, ...report.subjects.map((sub) => markText(t, markOf(report, s.id, sub.id)))]);
  const summaryRows = [
    ...stats.map((key) => ["", statLabel(t, key), ...report.sheet.subjects.map((s) => String(s.distribution[key]))]),
    ...rates.map(([label, value]) => ["", label, ...report.sheet.subjects.map(value)]),
  ];
  const markAt = (row: number, column: number) => (row < report.students.length && column >= 2 ? markOf(report, report.students[row].id, report.subjects[column - 2].id) : null);
  table(doc, {
    columns: [
      { header: "№", width: 18, align: "right" },
      { header: k("student"), width: 170 },
      ...report.subjects.map((s) => ({ header: s.name, width: Math.max(24, Math.min(42, 560 / Math.max(1, report.subjects.length))), align: "center" as const })),
    ],
    rows: [...studentRows, ...summaryRows],
    font: FONTS.condensed,
    boldFont: FONTS.condensedBold,
    fontSize: 8,
    padding: 2.2,
    verticalFrom: 2,
    maxHeaderHeight: 100,
    boldRow: (r) => r >= report.students.length + stats.length,
    rowFill: (r) => (r >= report.students.length ? COLORS.header : r % 2 === 1 ? COLORS.zebra : null),
    cellFill: (r, c) => {
      const mark = markAt(r, c);
      if (!mark) return null;
      if ((mark.kind === "grade" && mark.value <= 2) || mark.kind === "fail" || mark.kind === "not_attested") return COLORS.flag;
      return mark.kind === "deferred" || mark.kind === "missing" ? COLORS.pending : null;
    },
  });

  const totals = report.sheet.students;
  paragraph(doc, k("totals", { ...totals, quality: percent(totals.quality, lang), success: percent(totals.success, lang) }), { size: 9 });
  doc.moveDown(0.3);
  const deferred = report.students.flatMap((s) =>
    report.subjects.flatMap((sub) => {
      const mark = markOf(report, s.id, sub.id);
      return mark.kind === "deferred" ? [k("deferredLine", { student: shortNameOf(s.name), subject: sub.name, until: mark.until ? numericDay(mark.until, lang) : "—" })] : [];
    }),
  );
  if (deferred.length) paragraph(doc, `${k("deferredHeading")} ${deferred.join("; ")}.`, { size: 8.5 });
  paragraph(doc, k("legend"), { size: 8, color: COLORS.muted });
  paragraph(doc, k("rules"), { size: 8, color: COLORS.muted });
  signatureLines(doc, [k("signature.teacher", { teacher: report.homeroomTeacher ? shortNameOf(report.homeroomTeacher) : "____________________" }), k("signature.deputy")]);
  return pdf.finish((page) => `${report.schoolName} · ${k("title")} · ${report.className} · ${report.period.name} · ${t("reports:page", { n: page.page, of: page.pages })}`);
}

export function summarySheetCsv(report: SummarySheetReport, t: Translate, lang: string): Buffer {
  return toCsv(summarySheetRows(report, t, lang));
}

/** The sheet as rows of cells (the CSV's, and the console's table): a title row, the header, the students, then the statistics. */
export function summarySheetRows(report: SummarySheetReport, t: Translate, lang: string): CsvCell[][] {
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:sheet.${key}`, options);
  const subjects = report.sheet.subjects;
  const totals = report.sheet.students;
  return [
    [k("title"), report.className, report.period.name, report.schoolName],
    ["№", k("student"), ...report.subjects.map((s) => s.name)],
    ...report.students.map((s, i) => [i + 1, s.name, ...report.subjects.map((sub) => markText(t, markOf(report, s.id, sub.id)))]),
    [],
    ...statRows(report).map((key) => ["", statLabel(t, key), ...subjects.map((s) => s.distribution[key])]),
    ...rateRows(t, lang).map(([label]) => label).map((label, i) => ["", label, ...subjects.map((s) => [csvNumber(s.quality.percent, lang), csvNumber(s.success.percent, lang), csvNumber(s.average, lang)][i])]),
    [],
    ...(["excellent", "good", "oneThree", "threes", "failing", "notAttested", "undecided"] as const).map((key) => ["", k(`categories.${key}`), totals[key]]),
    ["", k("quality"), csvNumber(totals.quality.percent, lang)],
    ["", k("success"), csvNumber(totals.success.percent, lang)],
  ];
}

/** Numbers as the spreadsheet of the language reads them (4,25 in ru); empty for "none". */
export function csvNumber(value: number | null, lang: string): string {
  return value === null ? "" : String(value).replace(".", lang === "ru" ? "," : ".");
}
