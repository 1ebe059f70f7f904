/** Charts of a period: the average through the period per subject, and the marks; each with its numbers as a table. */
import type { PeriodItem, SubjectProgress } from "../../services/diary";
import { charted } from "../../charts/child";
import type { ChildPage } from "../feature";
import { html, type Html } from "../render/html";
import type { ShownPeriod } from "../periods";
import { day, decimal, mark, shortRange, type Fmt } from "./format";
import { periodTabs } from "./grades";

export function chartsPage(f: Fmt, child: ChildPage, shown: ShownPeriod | null, begun: PeriodItem[], progress: SubjectProgress[]): Html {
  const { t } = f;
  const base = `/app/c/${String(child.child.studentId)}/charts`;
  const heading = html`<h1>${t("web:charts.title")}</h1>`;
  if (!shown) return html`${heading}<p>${t("web:start.noPeriods")}</p>`;
  const { period } = shown;
  const name = period.name || t("views:common.schoolYear");
  const tabs = periodTabs(f, base, begun, period, t("web:grades.periods"));
  const title = html`<h2>${t("web:start.periodTitle", { period: name, range: shortRange(f, period.start, period.end) })}</h2>`;
  if (shown.relation === "upcoming") return html`${heading}${tabs}${title}<p>${t("web:start.upcoming", { date: day(f, period.start, "long") })}</p>`;
  const { shown: lines, without } = charted(progress);
  if (lines.length === 0 && progress.every((p) => p.forecast.count === 0)) return html`${heading}${tabs}${title}<p>${t("web:grades.noneInPeriod")}</p>`;
  const query = `period=${period.id}`;
  return html`${heading}${tabs}${title}
<figure class="chart">
  <picture>
    <source media="(min-width: 720px)" srcset="${base}/averages.svg?${query}&amp;cols=2">
    <img src="${base}/averages.svg?${query}&amp;cols=1" alt="${t("web:charts.averagesAlt", { period: name })}" loading="lazy">
  </picture>
  <figcaption>${t("web:charts.averagesCaption")}${without.length > 0 && html` ${t("web:charts.without", { subjects: without.map((p) => p.subjectName).join(", ") })}`}
    ${lines.length > 0 && html`<a href="${base}/averages.png?${query}" download>${t("web:charts.download")}</a>`}</figcaption>
</figure>
<details>
  <summary>${t("web:charts.averagesTable")}</summary>
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">${t("web:start.subject")}</th><th scope="col">${t("web:charts.course")}</th><th scope="col" class="num">${t("web:charts.now")}</th></tr></thead>
    <tbody>${lines.map((p) => html`<tr><th scope="row">${p.subjectName}</th><td>${p.points.map((pt) => `${day(f, pt.date, "short")}: ${decimal(f, pt.average)}`).join("; ")}</td><td class="num">${decimal(f, p.points.at(-1)!.average)}</td></tr>`)}</tbody>
  </table></div>
</details>
<figure class="chart">
  <img src="${base}/marks.svg?${query}" alt="${t("web:charts.marksAlt", { period: name })}" loading="lazy">
  <figcaption>${t("web:charts.marksCaption")}</figcaption>
</figure>
<details>
  <summary>${t("web:charts.marksTable")}</summary>
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">${t("web:start.subject")}</th>${["5", "4", "3", "2"].map((m) => html`<th scope="col" class="num">${m}</th>`)}<th scope="col" class="num">${mark(f, "зачёт")}</th><th scope="col" class="num">${mark(f, "незачёт")}</th></tr></thead>
    <tbody>${progress.map((p) => html`<tr><th scope="row">${p.subjectName}</th>${(["5", "4", "3", "2", "pass", "fail"] as const).map((m) => html`<td class="num">${m === "2" ? p.counts["2"] + p.counts["1"] : p.counts[m]}</td>`)}</tr>`)}</tbody>
  </table></div>
</details>`;
}
