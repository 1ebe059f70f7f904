/**
 * Forecast of the current period (regulation 4) by the domain engine: per subject the weighted
 * average, the forecast grade by the school's thresholds, the margin and what would move it;
 * subjects at risk first.
 */
import type { SubjectForecast } from "../../../domain/forecast";
import { compareForecasts } from "../../../domain/forecast";
import { formatDecimal } from "../../../domain/format";
import { loadPeriods, periodSubjects } from "../../../services/diary";
import { currentPeriod, periodByRef } from "./period-choice";
import { day, escapeHtml, gradeText, shortRange } from "./render";
import type { ViewContext, ViewDef } from "./types";
import { chartButton } from "../chart";

export const forecastView: ViewDef = {
  name: "forecast",
  code: "f",
  async render(view, params) {
    const { scope, t } = view;
    const periods = await loadPeriods(scope);
    const asked = params.range && !("from" in params.range) ? periodByRef(scope, periods, params.range) : null;
    const chosen = asked ?? currentPeriod(scope, periods);
    if (!chosen) return { sections: [t("views:forecast.noPeriods")] };
    const { period, relation } = chosen;
    const name = escapeHtml(period.name || t("views:common.schoolYear"));
    if (relation === "upcoming") return { sections: [t("views:forecast.upcoming", { period: name, date: day(view, period.start, "long") })] };
    if (relation === "finished") return { sections: [t("views:forecast.finished", { period: name })] };

    const subjects = (await periodSubjects(scope, { from: period.start, to: period.end }, { subjectId: params.subjectId }))
      .map((s) => s.forecast)
      .sort(compareForecasts);
    const atRisk = subjects.filter((f) => f.atRisk).length;
    const intro = [
      `<b>${t("views:forecast.periodTitle", { period: name, range: shortRange(view.lang, period.start, period.end) })}</b>`,
      subjects.length === 0 ? t("views:forecast.noSubjects") : atRisk > 0 ? t("views:forecast.atRiskCount", { count: atRisk }) : t("views:forecast.noneAtRisk"),
    ];
    const chart = subjects.some((f) => f.kind === "numeric") ? [[chartButton(t("web:bot.chartButton"), String(scope.studentId), period.id)]] : [];
    return { sections: [intro.join("\n"), ...subjects.map((f) => subjectBlock(view, f))], buttons: chart };
  },
};

function subjectBlock(view: ViewContext, f: SubjectForecast): string {
  const { t, lang, scope } = view;
  const lines = [`${f.atRisk ? "⚠️ " : ""}<b>${escapeHtml(f.subjectName ?? "")}</b>`];
  if (f.kind === "numeric") {
    lines.push(t("views:forecast.average", { average: formatDecimal(f.average!, lang), grade: f.grade }));
    const moves = [
      f.lift.weight1 ? t("views:forecast.lift", { count: f.lift.weight1.count, to: f.lift.weight1.toGrade }) : null,
      f.drop.weight1 ? t("views:forecast.drop", { count: f.drop.weight1.count, value: f.drop.weight1.value, to: f.drop.weight1.toGrade }) : null,
    ].filter(Boolean);
    const margins = [
      f.margin.up !== null && f.grade !== null && f.grade < 5 ? t("views:forecast.marginUp", { value: formatDecimal(f.margin.up, lang), to: f.grade + 1 }) : null,
      f.margin.down !== null && f.grade !== null && f.grade > 2
        ? f.margin.down === 0 ? t("views:forecast.marginZero") : t("views:forecast.marginDown", { value: formatDecimal(f.margin.down, lang) })
        : null,
    ].filter(Boolean);
    if (margins.length) lines.push(margins.join(" · "));
    if (moves.length) lines.push(moves.join(" · "));
  } else if (f.kind === "pass-fail") {
    lines.push(t("views:forecast.passFail", { pass: f.passCount, fail: f.failCount, value: gradeText(t, f.passFail ?? "") }));
  } else {
    lines.push(t("views:forecast.noGrades"));
  }
  for (const reason of f.riskReasons) lines.push(`⚠️ ${t(`views:forecast.risk.${reason}`, { count: f.count, min: scope.rules.minGrades })}`);
  return lines.join("\n");
}
