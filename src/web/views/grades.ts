/** Grades: one period by subject (marks with weights, the weighted average), the subject × period table, the week view. */
import { addDays } from "../../domain/time";
import type { GradeItem, PeriodItem, SubjectPeriod } from "../../services/diary";
import type { ChildPage } from "../feature";
import { html, type Html } from "../render/html";
import type { ShownPeriod } from "../periods";
import { day, decimal, mark, shortRange, type Fmt } from "./format";

export interface PeriodAverages {
  periods: PeriodItem[];
  /** Subject name -> period id -> the weighted average (or a pass/fail word), by subject name. */
  rows: Array<{ subjectName: string; cells: Map<string, string> }>;
}

export function periodTabs(f: Fmt, base: string, periods: readonly PeriodItem[], shown: PeriodItem | undefined, label: string, query = ""): Html {
  if (periods.length < 2) return html``;
  return html`<nav class="tabs" aria-label="${label}">${periods.map((p) => html`<a href="${base}?${query}period=${p.id}"${p.id === shown?.id ? html` aria-current="page"` : ""}>${p.name || f.t("views:common.schoolYear")}</a>`)}</nav>`;
}

export function marksOf(f: Fmt, grades: readonly GradeItem[]): Html {
  return html`<span class="marks">${grades.map((g, i) => html`${i > 0 ? " " : ""}<span title="${g.workType}">${mark(f, g.value)}${g.weight !== 1 ? html`<span class="w">×${g.weight}</span>` : ""}</span>`)}</span>`;
}

/** `lastYear`: the page shows the last school year ("?year=last", issue 15). */
export function gradesPage(f: Fmt, child: ChildPage, shown: ShownPeriod | null, subjects: SubjectPeriod[], begun: PeriodItem[], summary: PeriodAverages, lastYear?: { label: string; className: string } | null): Html {
  const { t } = f;
  const base = `/app/c/${String(child.child.studentId)}/grades`;
  const previous = child.scope.previousYear;
  const intro = lastYear
    ? html`<h1>${t("views:lastYear.title", { year: lastYear.label, className: lastYear.className })}</h1>
<p class="pager"><a href="${base}">${t("views:lastYear.back")}</a></p>`
    : html`<h1>${t("web:grades.title")}</h1>
<p class="pager"><a href="${base}/week">${t("web:grades.weekLink")}</a>${previous ? html` · <a href="${base}?year=last">${t("views:lastYear.button")}</a>` : ""}</p>`;
  if (!shown) return html`${intro}<p>${t("web:start.noPeriods")}</p>`;
  const { period } = shown;
  const title = t("web:start.periodTitle", { period: period.name || t("views:common.schoolYear"), range: shortRange(f, period.start, period.end) });
  return html`${intro}
${periodTabs(f, base, begun, period, t("web:grades.periods"), lastYear ? "year=last&" : "")}
<h2>${title}</h2>
${shown.relation === "upcoming"
    ? html`<p>${t("web:start.upcoming", { date: day(f, period.start, "long") })}</p>`
    : subjects.length === 0
      ? html`<p>${t("web:grades.noneInPeriod")}</p>`
      : html`<div class="table-wrap"><table>
  <caption class="visually-hidden">${t("web:grades.caption", { period: period.name })}</caption>
  <thead><tr><th scope="col">${t("web:start.subject")}</th><th scope="col">${t("web:grades.marks")}</th><th scope="col" class="num">${t("web:start.average")}</th></tr></thead>
  <tbody>${subjects.map((s) => html`<tr><th scope="row">${s.subjectName}</th><td>${s.grades.length ? marksOf(f, s.grades) : html`<span class="hint">${t("web:grades.noGrades")}</span>`}</td><td class="num">${average(f, s)}</td></tr>`)}</tbody>
</table></div>
${subjects.some((s) => s.grades.some((g) => g.weight !== 1)) && html`<p class="hint">${t("web:grades.weightLegend")}</p>`}`}
${summary.periods.length > 1 && summary.rows.length > 0 && html`<h2>${t("web:grades.byPeriod")}</h2>
<div class="table-wrap"><table>
  <caption class="visually-hidden">${t("web:grades.byPeriod")}</caption>
  <thead><tr><th scope="col">${t("web:start.subject")}</th>${summary.periods.map((p) => html`<th scope="col" class="num">${p.name}</th>`)}</tr></thead>
  <tbody>${summary.rows.map((row) => html`<tr><th scope="row">${row.subjectName}</th>${summary.periods.map((p) => html`<td class="num">${row.cells.get(p.id) ?? "—"}</td>`)}</tr>`)}</tbody>
</table></div>`}`;
}

function average(f: Fmt, s: SubjectPeriod): string {
  const fc = s.forecast;
  return fc.average !== null ? decimal(f, fc.average) : fc.passFail ? mark(f, fc.passFail) : "—";
}

export interface WeekView {
  from: string;
  to: string;
  current: boolean;
  grades: GradeItem[];
  previous: string | null;
  next: string | null;
}

export function weekPage(f: Fmt, child: ChildPage, week: WeekView): Html {
  const { t } = f;
  const base = `/app/c/${String(child.child.studentId)}/grades`;
  const range = shortRange(f, week.from, week.to);
  const days = [...new Set(week.grades.map((g) => g.date))];
  return html`<h1>${t(week.current ? "web:grades.thisWeek" : "web:grades.week", { range })}</h1>
<p class="pager">
  ${week.previous ? html`<a href="${base}/week?week=${week.previous}" rel="prev">◀ ${shortRange(f, week.previous, addSix(week.previous))}</a>` : html`<span></span>`}
  <a href="${base}">${t("web:grades.periodLink")}</a>
  ${week.next ? html`<a href="${base}/week?week=${week.next}" rel="next">${shortRange(f, week.next, addSix(week.next))} ▶</a>` : html`<span></span>`}
</p>
${days.length === 0
    ? html`<p>${t(week.current ? "views:grades.noneThisWeek" : "views:grades.noneInWeek")}</p>`
    : days.map((d) => html`<section class="card"><h2>${day(f, d)}</h2><ul>${week.grades.filter((g) => g.date === d).map((g) => html`<li><strong>${g.subjectName}</strong>: <span class="marks">${mark(f, g.value)}</span> — ${g.workType}, ${t("web:grades.weight", { weight: g.weight })}${g.comment ? html`<br><em>${g.comment}</em>` : ""}</li>`)}</ul></section>`)}`;
}

const addSix = (day: string) => addDays(day, 6);
