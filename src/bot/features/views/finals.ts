/**
 * Final grades of the periods (regulation 5) and exam results, with deferrals ("deferred until …
 * because of …") and "not attested" explained in words a guardian understands.
 */
import { formatScore } from "../../../domain/format";
import { finalsOf, lastYearScope, loadPeriods, type FinalItem } from "../../../services/diary";
import { currentPeriod } from "./period-choice";
import { day, escapeHtml, gradeText, shortRange } from "./render";
import type { ViewContext, ViewDef } from "./types";

export const finalsView: ViewDef = {
  name: "finals",
  code: "fi",
  async render(current, params) {
    // "Прошлый учебный год" (issue 15): the finals and exams of last year, in the class of that year.
    const past = params.mode === "y" ? lastYearScope(current.scope) : null;
    const view = past ? { ...current, scope: past } : current;
    const { scope, t } = view;
    const { periods, exams } = await finalsOf(scope);
    const sections: string[] = [];
    if (past) sections.push(`<b>${t("views:lastYear.title", { year: escapeHtml(past.lastYear!.label), className: escapeHtml(past.className) })}</b>`);
    for (const period of periods) {
      const lines = [`<b>${escapeHtml(period.periodName)}</b> (${shortRange(view.lang, period.start, period.end)})`, ...period.finals.map((f) => finalLine(view, f))];
      sections.push(lines.join("\n"));
    }
    const all = periods.flatMap((p) => p.finals);
    if (all.some((f) => f.status === "deferred")) sections.push(t("views:finals.deferredExplained"));
    if (all.some((f) => f.status === "not_attested")) sections.push(t("views:finals.notAttestedExplained"));
    if (exams.length) {
      const lines = exams.map((e) =>
        t("views:finals.examLine", {
          date: escapeHtml(day(view, e.date, "long")),
          name: escapeHtml(e.name),
          score: formatScore(e.score, view.lang, e.maxScore),
          value: e.value ? t("views:finals.examValue", { value: gradeText(t, e.value) }) : "",
        }),
      );
      sections.push([`<b>${t("views:finals.examsTitle")}</b>`, ...lines].join("\n"));
    }
    const buttons = past
      ? [[{ text: t("views:lastYear.back"), callback_data: current.button() }]]
      : current.scope.previousYear ? [[{ text: t("views:lastYear.button"), callback_data: current.button("y") }]] : [];
    if (past && sections.length === 1) sections.push(t("views:finals.none"));
    if (sections.length === 0) {
      const chosen = currentPeriod(scope, await loadPeriods(scope));
      sections.push(
        chosen && chosen.relation !== "finished"
          ? t("views:finals.noneYet", { period: escapeHtml(chosen.period.name), date: escapeHtml(day(view, chosen.period.end, "long")) })
          : t("views:finals.none"),
      );
    }
    return { sections, buttons };
  },
};

function finalLine(view: ViewContext, f: FinalItem): string {
  const { t } = view;
  const subject = escapeHtml(f.subjectName);
  if (f.status === "deferred") {
    const until = f.deferredUntil ? t("views:finals.until", { date: escapeHtml(day(view, f.deferredUntil, "long")) }) : "";
    const reason = f.reason ? t("views:finals.because", { reason: escapeHtml(f.reason) }) : "";
    return t("views:finals.deferred", { subject, until, reason });
  }
  if (f.status === "not_attested") {
    return t("views:finals.notAttested", { subject, reason: f.reason ? t("views:finals.because", { reason: escapeHtml(f.reason) }) : "" });
  }
  return t("views:finals.final", { subject, value: f.value ? gradeText(t, f.value) : "—" });
}
