/** /app/c/<child>/grades (a period by subject, and the subject × period table) and /grades/week. */
import { passFailValue, weightedAverage } from "../../domain/grading";
import { weekBounds } from "../../domain/school-calendar";
import { addDays, isCalendarDay } from "../../domain/time";
import { gradesBetween, lastYearScope, loadPeriods, periodSubjects, schoolYearFirstDay, type GradeItem, type PeriodItem, type StudentScope } from "../../services/diary";
import { byName } from "../../services/diary/names";
import type { WebFeature } from "../feature";
import { requireChild } from "../child";
import { begunPeriods, shownPeriod } from "../periods";
import { gradesPage, weekPage, type PeriodAverages } from "../views/grades";
import { decimal, mark, type Fmt } from "../views/format";

type ChildRequest = { Params: { childId: string }; Querystring: Record<string, string | undefined> };

/** The weighted average of every subject in every period begun, from one read of the year's grades. */
function periodAverages(f: Fmt, scope: StudentScope, periods: PeriodItem[], grades: GradeItem[]): PeriodAverages {
  const rules = { thresholds: scope.rules.thresholds, workTypeWeights: {} }; // weights are effective already
  const subjects = [...new Map(grades.map((g) => [g.subjectId, g.subjectName])).entries()].sort(byName(([, name]: [string, string]) => name));
  return {
    periods,
    rows: subjects.map(([subjectId, subjectName]) => ({
      subjectName,
      cells: new Map(
        periods.flatMap((p) => {
          const own = grades.filter((g) => g.subjectId === subjectId && g.date >= p.start && g.date <= p.end);
          const average = weightedAverage(own, rules);
          if (average !== null) return [[p.id, decimal(f, average)] as [string, string]];
          const latest = own.filter((g) => passFailValue(g.value)).at(-1);
          return latest ? [[p.id, mark(f, latest.value)] as [string, string]] : [];
        }),
      ),
    })),
  };
}

export const gradesFeature: WebFeature = {
  name: "grades",
  register(app, web) {
    app.get<ChildRequest>("/c/:childId/grades", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      // "?year=last": the last school year in the class of that year (issue 15); the current one otherwise.
      const past = request.query.year === "last" ? lastYearScope(child.scope) : null;
      const scope = past ?? child.scope;
      const periods = await loadPeriods(scope);
      const shown = shownPeriod(scope, periods, request.query.period);
      const begun = begunPeriods(scope, periods);
      const yearFrom = begun[0]?.start ?? schoolYearFirstDay(scope.today);
      const [subjects, yearGrades] = await Promise.all([
        shown && shown.relation !== "upcoming" ? periodSubjects(scope, { from: shown.period.start, to: shown.period.end }) : Promise.resolve([]),
        begun.length > 1 ? gradesBetween(scope, { from: yearFrom, to: scope.today }) : Promise.resolve([]),
      ]);
      const body = gradesPage(request, child, shown, subjects, begun, periodAverages(request, scope, begun, yearGrades), past ? { label: past.lastYear!.label, className: past.className } : null);
      return web.page(request, reply, { title: request.t("web:grades.title"), body, child, active: "grades" });
    });

    app.get<ChildRequest>("/c/:childId/grades/week", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const { scope } = child;
      const asked = request.query.week;
      const thisWeek = weekBounds(scope.today);
      const earliest = weekBounds(addDays(schoolYearFirstDay(scope.today), -7)).from;
      let week = asked && isCalendarDay(asked) ? weekBounds(asked) : thisWeek;
      if (week.from > thisWeek.from || week.from < earliest) week = thisWeek; // only this school year, up to now
      const grades = await gradesBetween(scope, week);
      const previous = addDays(week.from, -7);
      const body = weekPage(request, child, {
        ...week,
        current: week.from === thisWeek.from,
        grades,
        previous: previous >= earliest ? previous : null,
        next: week.from < thisWeek.from ? addDays(week.from, 7) : null,
      });
      return web.page(request, reply, { title: request.t("web:grades.title"), body, child, active: "grades" });
    });
  },
};
