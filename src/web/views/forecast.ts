/** The forecast of the current period (regulation 4): per subject the average, the forecast grade and what moves it; risks first. */
import { compareForecasts, type SubjectForecast } from "../../domain/forecast";
import type { SubjectPeriod } from "../../services/diary";
import type { ChildPage } from "../feature";
import { html, type Html } from "../render/html";
import type { ShownPeriod } from "../periods";
import { day, decimal, mark, shortRange, type Fmt } from "./format";

export function forecastPage(f: Fmt, child: ChildPage, shown: ShownPeriod | null, subjects: SubjectPeriod[]): Html {
  const { t } = f;
  const heading = html`<h1>${t("web:forecast.title")}</h1>`;
  if (!shown) return html`${heading}<p>${t("web:start.noPeriods")}</p>`;
  const { period } = shown;
  const name = period.name || t("views:common.schoolYear");
  if (shown.relation === "upcoming") return html`${heading}<p>${t("web:forecast.upcoming", { period: name, date: day(f, period.start, "long") })}</p>`;
  if (shown.relation === "finished") return html`${heading}<p>${t("web:forecast.finished", { period: name })}</p>`;
  const forecasts = subjects.map((s) => s.forecast).sort(compareForecasts);
  const atRisk = forecasts.filter((fc) => fc.atRisk).length;
  return html`${heading}
<h2>${t("web:start.periodTitle", { period: name, range: shortRange(f, period.start, period.end) })}</h2>
<p>${forecasts.length === 0 ? t("web:start.noSubjects") : atRisk > 0 ? t("web:forecast.atRisk", { count: atRisk }) : t("web:start.noneAtRisk")}</p>
${forecasts.map((fc) => subjectCard(f, child, fc))}
<p class="hint">${t("web:forecast.how", { five: decimal(f, child.scope.rules.thresholds.five), four: decimal(f, child.scope.rules.thresholds.four), three: decimal(f, child.scope.rules.thresholds.three), min: child.scope.rules.minGrades })}</p>`;
}

function subjectCard(f: Fmt, child: ChildPage, fc: SubjectForecast): Html {
  const { t } = f;
  const lines: Html[] = [];
  if (fc.kind === "numeric") {
    lines.push(html`<p>${t("web:forecast.average", { average: decimal(f, fc.average!) })} → <strong class="forecast-grade">${t("web:forecast.grade", { grade: fc.grade })}</strong></p>`);
    const margins = [
      fc.margin.up !== null && fc.grade !== null && fc.grade < 5 ? t("views:forecast.marginUp", { value: decimal(f, fc.margin.up), to: fc.grade + 1 }) : null,
      fc.margin.down !== null && fc.grade !== null && fc.grade > 2 ? (fc.margin.down === 0 ? t("views:forecast.marginZero") : t("views:forecast.marginDown", { value: decimal(f, fc.margin.down) })) : null,
    ].filter((m): m is string => !!m);
    if (margins.length) lines.push(html`<p>${margins.join(" · ")}</p>`);
    const moves: string[] = [];
    if (fc.lift.weight1) moves.push(t("views:forecast.lift", { count: fc.lift.weight1.count, to: fc.lift.weight1.toGrade }));
    if (fc.lift.commonWeight && fc.lift.commonWeight.weight !== 1) moves.push(t("web:forecast.liftWeighted", { count: fc.lift.commonWeight.count, weight: fc.lift.commonWeight.weight, to: fc.lift.commonWeight.toGrade }));
    if (fc.drop.weight1) moves.push(t("views:forecast.drop", { count: fc.drop.weight1.count, value: fc.drop.weight1.value, to: fc.drop.weight1.toGrade }));
    if (moves.length) lines.push(html`<p><span class="hint">${t("web:forecast.whatMoves")}</span> ${moves.join(" · ")}</p>`);
  } else if (fc.kind === "pass-fail") {
    lines.push(html`<p>${t("web:forecast.passFail", { pass: fc.passCount, fail: fc.failCount, value: mark(f, fc.passFail ?? "") })}</p>`);
  } else {
    lines.push(html`<p>${t("views:forecast.noGrades")}</p>`);
  }
  for (const reason of fc.riskReasons) lines.push(html`<p class="risk">⚠️ ${t(`views:forecast.risk.${reason}`, { count: fc.count, min: child.scope.rules.minGrades })}</p>`);
  return html`<section class="card${fc.atRisk ? " risk" : ""}"><h3>${fc.subjectName ?? ""}</h3>${lines}</section>`;
}
