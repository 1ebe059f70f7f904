/**
 * The weekly printout of a class (regulation 9) as one PDF: a hand-over list for the homeroom
 * teacher, then one slip per student and guardian (one A4 page or more, each starting on a new
 * page) with the week's grades, the period's averages and forecast, results that arrived, the
 * coming week's homework, timetable changes, upcoming tests, recommendations, holidays and school
 * messages, ending with a line for the guardian's signature.
 */
import type { Translate } from "../i18n";
import type { PrintoutWeek } from "../domain/reports";
import { addDays } from "../domain/time";
import { shortNameOf } from "../domain/format";
import { FONTS } from "./fonts";
import { COLORS, bullets, fields, heading, paragraph, signatureLines, table, title } from "./layout";
import { dayRange, longDay, numericDay, shortDay } from "./layout-text";
import { createPdf } from "./pdf";

export interface WeekGrade {
  date: string;
  value: string;
  weight: number;
  workType: string;
}

export interface SubjectLine {
  subject: string;
  week: WeekGrade[];
  /** "4.25" (formatted by the forecast engine) or null. */
  average: string | null;
  grade: number | null;
  passFail: string | null;
  riskReasons: string[];
  /** Counted grades and the school's minimum (for "too few grades"). */
  count: number;
  minGrades: number;
  /** Fewest 5s of weight 1 that lift the forecast, when it is not 5. */
  lift: { count: number; toGrade: number } | null;
}

export type ResultLine =
  | { kind: "final"; subject: string; period: string; status: string; value?: string; deferredUntil?: string; reason?: string }
  | { kind: "exam"; name: string; date: string; score: number; maxScore?: number; value?: string };

/** A pending paper item that no section shows (a broadcast, a removed grade). */
export interface SlipMessage {
  date: string;
  /** The delivery kind or the event type: picks the wording when there is no text. */
  kind: string;
  /** The message's own text (a broadcast), when known. */
  text: string | null;
  params?: Record<string, string>;
}

export interface SlipView {
  /** "<printoutId>.<n>": the slip's id in the bot's checklist. */
  id: string;
  studentName: string;
  guardianName: string;
  deliveryReason: string | null;
  subjects: SubjectLine[];
  results: ResultLine[];
  homework: Array<{ dueOn: string; subject: string; text: string; links: string[] }>;
  changes: Array<{ date: string; start: string; subject: string; status: string; substitute?: string; movedTo?: { date: string; start: string } }>;
  assessments: Array<{ date: string; subject: string; kind: string; topic?: string }>;
  recommendations: Array<{ date: string; subject: string; teacher: string; text: string }>;
  holidays: Array<{ name: string; start: string; end: string; ongoing: boolean; daysLeft: number }>;
  /** School messages that could not be delivered electronically, not shown in another section. */
  messages: SlipMessage[];
}

export interface PrintoutView {
  schoolName: string;
  className: string;
  homeroomTeacher: string | null;
  week: PrintoutWeek;
  /** The day the printout was made (the school's day). */
  producedOn: string;
  period: { name: string; start: string; end: string } | null;
  slips: SlipView[];
}

/** The PDF of a class's printout; `t` is fixed to the school's language. */
export async function renderPrintout(view: PrintoutView, t: Translate, lang: string, createdAt?: Date): Promise<Buffer> {
  const k = (key: string, options?: Record<string, unknown>) => t(`printouts:pdf.${key}`, options);
  const schoolWeek = dayRange(view.week.start, schoolWeekEnd(view.week), lang);
  const pdf = createPdf({ title: k("documentTitle", { className: view.className, week: schoolWeek }), author: view.schoolName, ...(createdAt ? { createdAt } : {}) });
  const { doc } = pdf;

  pdf.startPart(k("handover.title"));
  paragraph(doc, view.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("handover.title"));
  paragraph(doc, k("handover.subtitle", { className: view.className, week: schoolWeek }), { align: "center" });
  doc.moveDown(0.6);
  fields(doc, [
    [k("handover.teacher"), view.homeroomTeacher ?? "____________________"],
    [k("handover.produced"), longDay(view.producedOn, lang)],
  ]);
  doc.moveDown(0.4);
  table(doc, {
    columns: [
      { header: "№", width: 4, align: "right" },
      { header: k("handover.student"), width: 26 },
      { header: k("handover.guardian"), width: 26 },
      { header: k("handover.reason"), width: 17 },
      { header: k("handover.signature"), width: 23 },
    ],
    minRowHeight: 30,
    rows: view.slips.map((s, i) => [String(i + 1), s.studentName, s.guardianName, s.deliveryReason ? t(`printouts:reasons.${s.deliveryReason}`) : "", ""]),
    fontSize: 9.5,
  });
  paragraph(doc, k("handover.note"), { size: 8.5, color: COLORS.muted });

  for (const slip of view.slips) {
    pdf.startPart(`${slip.studentName} — ${slip.guardianName}`);
    renderSlip(doc, view, slip, t, lang);
  }
  // Each slip is its own paper: its pages are numbered within it, and only when it has several.
  return pdf.finish((page) =>
    [view.schoolName, view.className, page.label, ...(page.partPages > 1 ? [k("sheet", { n: page.pageInPart, of: page.partPages })] : [])].join(" · "),
  );
}

/** Friday of the week: the school week as printed (grades of a Saturday still show). */
function schoolWeekEnd(week: PrintoutWeek): string {
  return addDays(week.start, 4);
}

type Doc = Parameters<typeof paragraph>[0];

function renderSlip(doc: Doc, view: PrintoutView, slip: SlipView, t: Translate, lang: string): void {
  const k = (key: string, options?: Record<string, unknown>) => t(`printouts:pdf.${key}`, options);
  paragraph(doc, view.schoolName, { size: 9, color: COLORS.muted, align: "center" });
  title(doc, k("title"));
  paragraph(doc, k("week", { week: dayRange(view.week.start, schoolWeekEnd(view.week), lang) }), { align: "center" });
  doc.moveDown(0.5);
  fields(doc, [
    [k("student"), `${slip.studentName}, ${k("classOf", { className: view.className })}`],
    [k("guardian"), slip.guardianName],
    [k("period"), view.period ? `${view.period.name} (${numericDay(view.period.start, lang)} – ${numericDay(view.period.end, lang)})` : "—"],
    [k("date"), longDay(view.producedOn, lang)],
  ]);

  heading(doc, view.period ? k("grades.heading", { period: view.period.name }) : k("grades.headingNoPeriod"));
  if (slip.subjects.length === 0) paragraph(doc, k("grades.none"), { size: 9.5 });
  else {
    table(doc, {
      columns: [
        { header: k("grades.subject"), width: 26 },
        { header: k("grades.week"), width: 46 },
        { header: k("grades.average"), width: 13, align: "center" },
        { header: k("grades.forecast"), width: 15, align: "center" },
      ],
      rows: slip.subjects.map((s) => [s.subject, weekGrades(s.week, t, lang), s.average ? s.average.replace(".", lang === "ru" ? "," : ".") : "—", forecastText(s)]),
      rowFill: (r) => (slip.subjects[r].riskReasons.length ? COLORS.flag : null),
      fontSize: 9,
    });
    // At-risk subjects, and where one or two 5s would lift the grade (regulation 4: what would move it).
    const notes = slip.subjects.filter((s) => s.riskReasons.length || (s.lift && s.lift.count <= 2)).map((s) => subjectNote(s, t));
    if (notes.length) {
      paragraph(doc, k("grades.notes"), { font: FONTS.bold, size: 9.5 });
      bullets(doc, notes, 9);
    }
  }

  if (slip.results.length) {
    heading(doc, k("results.heading"));
    bullets(doc, slip.results.map((r) => resultText(r, t, lang)));
  }

  heading(doc, k("homework.heading", { week: dayRange(view.week.comingStart, view.week.comingEnd, lang) }));
  if (slip.homework.length === 0) paragraph(doc, k("homework.none"), { size: 9.5 });
  else {
    table(doc, {
      columns: [
        { header: k("homework.due"), width: 12 },
        { header: k("homework.subject"), width: 22 },
        { header: k("homework.text"), width: 66 },
      ],
      rows: slip.homework.map((h) => [shortDay(h.dueOn, lang), h.subject, [h.text, ...h.links].join("\n")]),
      fontSize: 9,
      zebra: true,
    });
  }

  if (slip.changes.length) {
    heading(doc, k("changes.heading"));
    bullets(doc, slip.changes.map((c) => `${shortDay(c.date, lang)}, ${c.start} — ${c.subject}: ${t(`printouts:pdf.changes.${c.status}`, { substitute: c.substitute ?? "", date: c.movedTo ? shortDay(c.movedTo.date, lang) : "", start: c.movedTo?.start ?? "" })}`));
  }
  if (slip.assessments.length) {
    heading(doc, k("assessments.heading"));
    bullets(doc, slip.assessments.map((a) => `${shortDay(a.date, lang)} — ${a.subject}: ${t(`printouts:assessmentKinds.${a.kind}`)}${a.topic ? ` ${k("assessments.topic", { topic: a.topic })}` : ""}`));
  }
  if (slip.recommendations.length) {
    heading(doc, k("recommendations.heading"));
    bullets(doc, slip.recommendations.map((r) => `${numericDay(r.date, lang)}, ${r.subject}, ${shortNameOf(r.teacher)}: ${r.text}`));
  }
  if (slip.holidays.length) {
    heading(doc, k("holidays.heading"));
    bullets(doc, slip.holidays.map((h) => `${h.name}: ${dayRange(h.start, h.end, lang)}${h.ongoing ? ` (${k("holidays.ongoing")})` : ` (${k("holidays.inDays", { count: h.daysLeft })})`}`));
  }
  if (slip.messages.length) {
    heading(doc, k("messages.heading"));
    bullets(doc, slip.messages.map((m) => `${numericDay(m.date, lang)}: ${m.text ?? t([`printouts:pdf.messages.kinds.${m.kind}`, "printouts:pdf.messages.kinds.other"], { ...m.params, date: m.params?.date ? numericDay(m.params.date, lang) : "" })}`));
  }

  signatureLines(doc, [k("signature.guardian"), k("signature.teacher", { teacher: view.homeroomTeacher ? shortNameOf(view.homeroomTeacher) : "____________________" })]);
}

function weekGrades(grades: WeekGrade[], t: Translate, lang: string): string {
  if (grades.length === 0) return "—";
  return grades
    .map((g) => {
      const detail = g.weight > 1 ? ` (${t("printouts:pdf.grades.weighted", { workType: g.workType, weight: g.weight })})` : "";
      return `${shortDay(g.date, lang)}: ${g.value}${detail}`;
    })
    .join("; ");
}

function forecastText(s: SubjectLine): string {
  if (s.grade !== null) return String(s.grade);
  if (s.passFail) return s.passFail;
  return "—";
}

function subjectNote(s: SubjectLine, t: Translate): string {
  const parts = s.riskReasons.map((reason) => t(`printouts:pdf.risks.${reason}`, { count: s.count, min: s.minGrades }));
  // What would lift it: always for a failing forecast, otherwise only when it is within reach.
  if (s.lift && s.grade !== null && s.grade < 5 && (s.grade === 2 || s.lift.count <= 2)) parts.push(t("printouts:pdf.lift", { count: s.lift.count, toGrade: s.lift.toGrade }));
  return `${s.subject}: ${parts.join("; ")}`;
}

export function resultText(r: ResultLine, t: Translate, lang: string): string {
  if (r.kind === "exam") {
    const score = r.maxScore === undefined ? String(r.score) : t("printouts:pdf.results.scoreOf", { score: r.score, max: r.maxScore });
    const value = r.value ? `, ${t("printouts:pdf.results.value", { value: r.value })}` : "";
    return `${r.name} (${numericDay(r.date, lang)}): ${score}${value}`;
  }
  const what =
    r.status === "final"
      ? (r.value ?? "")
      : r.status === "deferred"
        ? t("printouts:pdf.results.deferred", { until: r.deferredUntil ? numericDay(r.deferredUntil, lang) : "—" })
        : t("printouts:pdf.results.notAttested");
  return `${r.subject}, ${r.period}: ${what}${r.reason ? ` (${r.reason})` : ""}`;
}
