/** A class's recommendations (write one; whom each reached) and its reports (summary sheet, curriculum statistics). */
import type { Language, Translate } from "../../i18n";
import { registryTime } from "../../print/consent-registry";
import { curriculumRows } from "../../print/curriculum-report";
import type { CsvCell } from "../../print/layout-csv";
import { numericDay } from "../../print/layout-text";
import { summarySheetRows } from "../../print/summary-sheet";
import type { ClassRecommendation } from "../../services/recommendations";
import type { ReportData } from "../../services/reports/report-files";
import type { CurriculumReport } from "../../services/reports/curriculum";
import type { SummarySheetReport } from "../../services/reports/summary-sheet";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { classHref } from "../console/pages";
import { html, type Html } from "../render/html";

interface Fmt {
  t: Translate;
  lang: Language;
}

export const RECOMMENDATION_RESULTS = ["posted", "bad-text", "not-allowed"] as const;

export interface RecommendationsData {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  recommendations: ClassRecommendation[];
  /** The subjects the viewer may address here (empty: the form is not offered). */
  subjects: Array<{ value: string; name: string }>;
  students: Array<{ id: string; name: string }>;
  csrf: string;
  done?: (typeof RECOMMENDATION_RESULTS)[number];
  maxLength: number;
}

const REACHED = new Set(["sent", "delivered", "handed"]);
const PAPER = new Set(["pending_paper", "printed"]);

function reachSummary(t: Translate, r: ClassRecommendation): string {
  const reached = r.reach.filter((x) => REACHED.has(x.status)).length;
  const paper = r.reach.filter((x) => PAPER.has(x.status)).length;
  return r.reach.length ? t("console:teacher.reachSummary", { reached, paper, total: r.reach.length }) : t("console:teacher.reachNone");
}

const back = (t: Translate, school: ConsoleSchool, schoolClass: ConsoleClass) =>
  html`<p><a href="${classHref(school._id, schoolClass._id)}">← ${t("console:class.title", { name: schoolClass.name })}</a></p>`;

export function recommendationsPage(f: Fmt, data: RecommendationsData): Html {
  const { t } = f;
  const here = classHref(data.school._id, data.schoolClass._id, "recommendations");
  return html`${back(t, data.school, data.schoolClass)}
<h1>${t("console:teacher.recommendationsTitle", { name: data.schoolClass.name })}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:teacher.results.${data.done}`)}</p>`}
${data.subjects.length ? html`<section class="card" aria-labelledby="write-title">
<h2 id="write-title">${t("console:teacher.write")}</h2>
<form method="post" action="${here}"><input type="hidden" name="_csrf" value="${data.csrf}">
<label for="r-subject">${t("console:teacher.subject")}</label>
<select id="r-subject" name="subject" required>${data.subjects.map((s) => html`<option value="${s.value}">${s.name}</option>`)}</select>
<label for="r-student">${t("console:teacher.to")}</label>
<select id="r-student" name="student"><option value="">${t("console:teacher.wholeClass", { name: data.schoolClass.name })}</option>${data.students.map((s) => html`<option value="${s.id}">${s.name}</option>`)}</select>
<label for="r-text">${t("console:teacher.text")}</label>
<textarea id="r-text" name="text" required maxlength="${data.maxLength}" rows="5"></textarea>
<p class="hint">${t("console:teacher.writeHint")}</p>
<p><button type="submit" class="primary">${t("console:teacher.send")}</button></p>
</form></section>` : html`<p class="hint">${t("console:teacher.cannotWrite")}</p>`}
<h2>${t("console:teacher.listTitle")}</h2>
${data.recommendations.length ? data.recommendations.map((r) => html`<article class="card recommendation">
<p class="hint">${registryTime(r.createdAt, data.school.timezone)} · ${r.teacher} · ${r.subject} · ${r.student ?? t("console:teacher.wholeClass", { name: data.schoolClass.name })}</p>
<p class="text">${r.text}</p>
<details><summary>${reachSummary(t, r)}</summary>
${r.reach.length > 0 && html`<table><thead><tr><th scope="col">${t("console:registry.columns.student")}</th><th scope="col">${t("console:registry.columns.guardian")}</th><th scope="col">${t("console:deliveries.columns.channel")}</th><th scope="col">${t("console:registry.columns.state")}</th></tr></thead>
<tbody>${r.reach.map((x) => html`<tr><td>${x.studentName ?? "—"}</td><td>${x.guardianName ?? "—"}</td><td>${t(`reports:compliance.channels.${x.channel}`, { defaultValue: x.channel })}</td><td>${t(`notify:deliveries.status.${x.status}`)}</td></tr>`)}</tbody></table>`}
</details>
</article>`) : html`<p>${t("console:teacher.noRecommendations")}</p>`}`;
}

export interface ReportsData {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  periods: Array<{ id: string; name: string }>;
  finals: ReportData;
  curriculum: ReportData;
}

/** Rows of cells as a table: `header` is the header row's index; empty rows end a block (a new table body). */
function grid(rows: CsvCell[][], header: number, rowHeader: number, caption: string): Html {
  const cell = (c: CsvCell) => (c === null || c === undefined ? "" : String(c));
  const body = rows.slice(header + 1);
  return html`<div class="table-wrap"><table class="report"><caption>${caption}</caption>
<thead><tr>${rows[header].map((c) => html`<th scope="col">${cell(c)}</th>`)}</tr></thead>
<tbody>${body.map((r) => (r.length ? html`<tr>${r.map((c, i) => (i === rowHeader ? html`<th scope="row">${cell(c)}</th>` : html`<td>${cell(c)}</td>`))}</tr>` : html`<tr class="gap"><td colspan="${rows[header].length}"></td></tr>`))}</tbody>
</table></div>`;
}

export function classReportsPage(f: Fmt, data: ReportsData): Html {
  const { t, lang } = f;
  const finals = data.finals.report as SummarySheetReport;
  const curriculum = data.curriculum.report as CurriculumReport;
  const period = finals.period;
  const here = classHref(data.school._id, data.schoolClass._id, "reports");
  const q = `?period=${encodeURIComponent(period.externalId)}`;
  const files = (kind: string) => html`<p class="actions"><a class="button" href="${here}/${kind}.pdf${q}">${t("console:deliveries.pdf")}</a> <a class="button" href="${here}/${kind}.csv${q}">${t("console:deliveries.csv")}</a></p>`;
  return html`${back(t, data.school, data.schoolClass)}
<h1>${t("console:teacher.reportsTitle", { name: data.schoolClass.name })}</h1>
<form method="get" action="${here}" class="card filters">
<label for="p-period">${t("console:deliveries.period")}</label>
<select id="p-period" name="period">${data.periods.map((p) => html`<option value="${p.id}"${p.id === period.externalId ? html` selected` : ""}>${p.name}</option>`)}</select>
<p><button type="submit">${t("console:registry.filter.apply")}</button></p>
</form>
<p>${period.name}: ${numericDay(period.start, lang)} – ${numericDay(period.end, lang)}</p>
<h2 id="finals">${t("reports:sheet.title")}</h2>
${files("finals")}
${finals.students.length ? grid(summarySheetRows(finals, t, lang), 1, 1, t("console:teacher.finalsCaption")) : html`<p>${t("console:teacher.noStudents")}</p>`}
<h2 id="curriculum">${t("reports:curriculum.title")}</h2>
${files("curriculum")}
${curriculum.rows.length ? grid(curriculumRows(curriculum, t, lang), 0, 0, t("console:teacher.curriculumCaption")) : html`<p>${t("console:teacher.noCurriculum")}</p>`}`;
}
