/**
 * Curriculum statistics as a landscape A4 PDF (plan against lessons held, lessons by kind, grades
 * at the lessons held; subjects behind the plan shaded) and as CSV with one row per subject.
 */
import type { Translate } from "../i18n";
import type { CurriculumReport } from "../services/reports/curriculum";
import { shortNameOf } from "../domain/format";
import { startClassReport } from "./class-report";
import { FONTS } from "./fonts";
import { COLORS, fields, heading, paragraph, signatureLines, table } from "./layout";
import { toCsv, type CsvCell } from "./layout-csv";
import { decimal, longDay, percent } from "./layout-text";
import { csvNumber } from "./summary-sheet";

type Row = CurriculumReport["rows"][number];

const GRADE_KEYS = ["5", "4", "3", "2", "1", "pass", "fail"] as const;

const subjectLabel = (row: Row) => (row.group ? `${row.subject} (${row.group})` : row.subject);
const dash = (n: number | null) => (n === null ? "—" : String(n));
/** Held of planned, in percent (one decimal); null without a plan. */
const done = (row: Row) => (row.planned ? Math.round((row.held * 1000) / row.planned) / 10 : null);

export async function renderCurriculumReport(report: CurriculumReport, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const { pdf, doc, k } = startClassReport("curriculum", report, t, lang, createdAt);
  fields(doc, [
    [k("date"), longDay(report.today, lang)],
    [k("days"), k("daysValue", { elapsed: report.elapsedDays, all: report.schoolDays })],
    [k("behindCount"), String(report.rows.filter((r) => r.behindBy > 0).length)],
  ], 9);

  const flagged = (r: number) => (report.rows[r].behindBy > 0 ? COLORS.flag : null);
  heading(doc, k("plan.heading"));
  table(doc, {
    columns: [
      { header: k("subject"), width: 24 },
      ...["planned", "expected", "held", "substituted", "cancelled", "moved", "unmarked", "remaining", "done"].map((key) => ({ header: k(`plan.${key}`), width: 8.5, align: "center" as const })),
      { header: k("plan.behind"), width: 14, align: "center" },
    ],
    headerFontSize: 8,
    rows: report.rows.map((r) => [
      subjectLabel(r), dash(r.planned), dash(r.expected), String(r.held), String(r.substituted), String(r.cancelled), String(r.moved), String(r.unmarked), String(r.remaining),
      percent(done(r), lang), r.behindBy > 0 ? k("plan.behindBy", { count: r.behindBy }) : r.planned === null ? k("plan.noPlan") : "",
    ]),
    font: FONTS.condensed,
    boldFont: FONTS.condensedBold,
    fontSize: 8.5,
    rowFill: flagged,
  });

  heading(doc, k("kinds.heading"));
  if (report.kinds.length === 0) paragraph(doc, k("kinds.none"), { size: 9 });
  else {
    // Kinds are few: the table stays as narrow as its columns need.
    table(doc, {
      width: 230 + 62 * (report.kinds.length + 1),
      columns: [{ header: k("subject"), width: 230 }, ...report.kinds.map((kind) => ({ header: t(`reports:lessonKinds.${kind}`), width: 62, align: "center" as const })), { header: k("kinds.total"), width: 62, align: "center" }],
      headerFontSize: 8,
      rows: report.rows.map((r) => [subjectLabel(r), ...report.kinds.map((kind) => String(r.heldByKind[kind] ?? 0)), String(r.held)]),
      font: FONTS.condensed,
      boldFont: FONTS.condensedBold,
      fontSize: 8.5,
      zebra: true,
    });
  }

  heading(doc, k("grades.heading"));
  table(doc, {
    columns: [
      { header: k("subject"), width: 24 },
      ...GRADE_KEYS.map((key) => ({ header: t(`reports:curriculum.grades.${key}`), width: 7, align: "center" as const })),
      ...["count", "average", "quality"].map((key) => ({ header: k(`grades.${key}`), width: 9, align: "center" as const })),
    ],
    rows: report.rows.map((r) => [
      subjectLabel(r), ...GRADE_KEYS.map((key) => String(r.grades.distribution[key])), String(r.grades.count), decimal(r.grades.average, lang), percent(r.grades.quality, lang),
    ]),
    headerFontSize: 8,
    font: FONTS.condensed,
    boldFont: FONTS.condensedBold,
    fontSize: 8.5,
    zebra: true,
  });

  paragraph(doc, k("rules"), { size: 8, color: COLORS.muted });
  signatureLines(doc, [k("signature", { teacher: report.homeroomTeacher ? shortNameOf(report.homeroomTeacher) : "____________________" })]);
  return pdf.finish((page) => `${report.schoolName} · ${k("title")} · ${report.className} · ${report.period.name} · ${t("reports:page", { n: page.page, of: page.pages })}`);
}

export function curriculumCsv(report: CurriculumReport, t: Translate, lang: string): Buffer {
  return toCsv(curriculumRows(report, t, lang));
}

/** The statistics as rows of cells (the CSV's, and the console's table): the header, then a row per subject (and group). */
export function curriculumRows(report: CurriculumReport, t: Translate, lang: string): CsvCell[][] {
  const k = (key: string) => t(`reports:curriculum.${key}`);
  const plan = ["planned", "expected", "held", "substituted", "cancelled", "moved", "unmarked", "remaining", "done"] as const;
  return [
    [
      k("subject"), k("group"), ...plan.map((key) => k(`plan.${key}`)), k("plan.behind"),
      ...report.kinds.map((kind) => t(`reports:lessonKinds.${kind}`)),
      ...GRADE_KEYS.map((key) => t(`reports:curriculum.grades.${key}`)), k("grades.count"), k("grades.average"), k("grades.quality"),
    ],
    ...report.rows.map((r) => [
      r.subject, r.group ?? "", r.planned ?? "", r.expected ?? "", r.held, r.substituted, r.cancelled, r.moved, r.unmarked, r.remaining, csvNumber(done(r), lang), r.behindBy,
      ...report.kinds.map((kind) => r.heldByKind[kind] ?? 0),
      ...GRADE_KEYS.map((key) => r.grades.distribution[key]), r.grades.count, csvNumber(r.grades.average, lang), csvNumber(r.grades.quality.percent, lang),
    ]),
  ];
}
