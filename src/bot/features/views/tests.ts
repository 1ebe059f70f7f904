/** Tests schedule: the assessments of the current period, upcoming ones nearest first, then the past ones. */
import { assessmentsBetween, loadPeriods, type AssessmentItem } from "../../../services/diary";
import { currentPeriod, periodByRef } from "./period-choice";
import { day, escapeHtml, rangeLabel, relativeDay, shortRange, vocabulary } from "./render";
import type { ViewContext, ViewDef } from "./types";

export const testsView: ViewDef = {
  name: "tests",
  code: "t",
  async render(view, params) {
    const { scope, t } = view;
    const range = params.range;
    let span: { from: string; to: string } | null = null;
    let title: string;
    if (range && "from" in range) {
      span = range;
      title = t("views:tests.rangeTitle", { range: rangeLabel(view, range.from, range.to) });
    } else {
      const periods = await loadPeriods(scope);
      const chosen = range ? periodByRef(scope, periods, range) : currentPeriod(scope, periods);
      if (chosen) {
        span = { from: chosen.period.start, to: chosen.period.end };
        title = t("views:tests.periodTitle", { period: escapeHtml(chosen.period.name || t("views:common.schoolYear")), range: shortRange(view.lang, span.from, span.to) });
      } else title = "";
    }
    if (!span) return { sections: [t("views:tests.noPeriods")] };
    const items = await assessmentsBetween(scope, span, params.subjectId);
    const upcoming = items.filter((a) => a.date >= scope.today);
    const past = items.filter((a) => a.date < scope.today).reverse();
    const sections = [`<b>${title}</b>\n${upcoming.length ? upcoming.map((a) => line(view, a, true)).join("\n") : t(items.length ? "views:tests.noneAhead" : "views:tests.none")}`];
    if (past.length) sections.push(`<b>${t("views:tests.pastTitle")}</b>\n${past.map((a) => line(view, a, false)).join("\n")}`);
    return { sections };
  },
};

function line(view: ViewContext, a: AssessmentItem, ahead: boolean): string {
  return view.t("views:tests.line", {
    date: escapeHtml(day(view, a.date)),
    when: ahead ? ` (${relativeDay(view.t, view.scope.today, a.date)})` : "",
    subject: escapeHtml(a.subjectName),
    kind: escapeHtml(vocabulary(view.t, "testKinds", a.kind)),
    topic: a.topic ? ` — ${escapeHtml(a.topic)}` : "",
  });
}
