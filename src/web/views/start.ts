/** The first page after signing in: the child, the current period's averages by subject, what is at risk. */
import { compareForecasts } from "../../domain/forecast";
import type { Translate } from "../../i18n";
import type { PeriodItem, SubjectPeriod } from "../../services/diary";
import type { WebPerson } from "../auth/person";
import type { ChildPage } from "../feature";
import { html, type Html } from "../render/html";
import { day, decimal, mark, shortRange, type Fmt } from "./format";

export interface StartData {
  period: PeriodItem | null;
  relation: "current" | "upcoming" | "finished" | null;
  subjects: SubjectPeriod[];
}

export function startPage(f: Fmt, child: ChildPage, data: StartData): Html {
  const { t } = f;
  const heading = html`<h1>${child.displayName} <span class="badge">${child.scope.className}</span></h1>`;
  if (!data.period) return html`${heading}<p>${t("web:start.noPeriods")}</p>`;
  const periodName = data.period.name || t("views:common.schoolYear");
  const title = t("web:start.periodTitle", { period: periodName, range: shortRange(f, data.period.start, data.period.end) });
  if (data.relation === "upcoming") return html`${heading}<h2>${title}</h2><p>${t("web:start.upcoming", { date: day(f, data.period.start, "long") })}</p>`;

  const atRisk = data.subjects.map((s) => s.forecast).filter((fc) => fc.atRisk).sort(compareForecasts);
  return html`${heading}
<h2>${title}</h2>
${data.relation === "finished" && html`<p class="notice">${t("web:start.finished")}</p>`}
${atRisk.length > 0
    ? html`<section class="card risk" aria-labelledby="risk-title">
  <h2 id="risk-title">${t("web:start.atRisk", { count: atRisk.length })}</h2>
  <ul>${atRisk.map((fc) => html`<li><strong>${fc.subjectName ?? ""}</strong>: ${fc.riskReasons.map((r) => t(`views:forecast.risk.${r}`, { count: fc.count, min: child.scope.rules.minGrades })).join("; ")}</li>`)}</ul>
</section>`
    : data.subjects.length > 0 && html`<p class="ok">${t("web:start.noneAtRisk")}</p>`}
${data.subjects.length === 0
    ? html`<p>${t("web:start.noSubjects")}</p>`
    : html`<div class="table-wrap"><table>
  <caption class="visually-hidden">${t("web:start.tableCaption", { period: periodName })}</caption>
  <thead><tr><th scope="col">${t("web:start.subject")}</th><th scope="col" class="num">${t("web:start.average")}</th><th scope="col" class="num">${t("web:start.forecast")}</th></tr></thead>
  <tbody>${data.subjects.map((s) => subjectRow(f, s))}</tbody>
</table></div>`}`;
}

function subjectRow(f: Fmt, s: SubjectPeriod): Html {
  const fc = s.forecast;
  const average = fc.average !== null ? decimal(f, fc.average) : fc.passFail ? mark(f, fc.passFail) : "—";
  const forecast = fc.grade !== null ? String(fc.grade) : fc.passFail ? mark(f, fc.passFail) : "—";
  return html`<tr${fc.atRisk ? html` class="risk"` : ""}><th scope="row">${fc.atRisk ? "⚠️ " : ""}${s.subjectName} <span class="hint">${f.t("web:start.count", { count: s.grades.length })}</span></th><td class="num">${average}</td><td class="num">${forecast}</td></tr>`;
}

/** Signed in, but no child to show: why, and where to go (the bot links children and takes consent). */
export function noChildrenPage(t: Translate, person: WebPerson): Html {
  return html`<h1>${t("web:start.title")}</h1>
<p>${t(person.kind === "account" ? "web:start.noChildrenAccount" : "web:start.noChildrenRecord")}</p>`;
}
