/**
 * Grades: this week by day (weight, work type, comment) and the current period by subject with the
 * weighted average; buttons go to earlier weeks and to other periods. Questions narrow it to days,
 * a period, a subject or one grade value ("двойки").
 */
import type { InlineKeyboardButton } from "grammy/types";
import { formatDecimal } from "../../../domain/format";
import { weekBounds, type DayRange } from "../../../domain/school-calendar";
import { addDays } from "../../../domain/time";
import {
  gradesBetween, lastYearScope, loadPeriods, periodSubjects, reportingPeriods, schoolYearFirstDay,
  type GradeItem, type PeriodItem, type SubjectPeriod,
} from "../../../services/diary";
import { compactDay, dayFromCompact } from "./callback-data";
import { chartButton } from "../chart";
import { currentPeriod, periodById, periodByRef, type ChosenPeriod } from "./period-choice";
import { day, dayTitle, escapeHtml, gradeText, rangeLabel, shortRange } from "./render";
import type { RenderedView, ViewContext, ViewDef, ViewParams } from "./types";

export const gradesView: ViewDef = {
  name: "grades",
  code: "g",
  async render(view, params) {
    const { scope } = view;
    const periods = await loadPeriods(scope);
    const thisWeek = weekBounds(scope.today);
    if (params.mode === "w") {
      const week = weekBounds(dayFromCompact(params.arg) ?? scope.today);
      return { sections: [await weekSection(view, week)], buttons: navigation(view, periods, week) };
    }
    if (params.mode === "y") return lastYear(view, params.arg);
    if (params.mode === "p") {
      const chosen = periodById(scope, periods, params.arg) ?? currentPeriod(scope, periods);
      return { sections: [await periodSection(view, chosen)], buttons: navigation(view, periods, null, chosen?.period) };
    }
    if (params.range || params.subjectId || params.gradeValue) return answerQuestion(view, periods, params);
    const chosen = currentPeriod(scope, periods);
    const sections = [await weekSection(view, thisWeek), await periodSection(view, chosen)];
    return { sections, buttons: navigation(view, periods, thisWeek, chosen?.period) };
  },
};

/** "Прошлый учебный год" (issue 15): a period of last year by subject, in the class of that year. */
async function lastYear(view: ViewContext, periodId?: string): Promise<RenderedView> {
  const scope = lastYearScope(view.scope);
  if (!scope) return { sections: [view.t("views:lastYear.none")], buttons: [[{ text: view.t("views:grades.thisWeekButton"), callback_data: view.button() }]] };
  const past: ViewContext = { ...view, scope };
  const periods = await loadPeriods(scope);
  const chosen = periodById(scope, periods, periodId) ?? currentPeriod(scope, periods);
  const title = `<b>${view.t("views:lastYear.title", { year: escapeHtml(scope.lastYear!.label), className: escapeHtml(scope.className) })}</b>`;
  const buttons: InlineKeyboardButton[][] = [
    reportingPeriods(scope, periods).map((p) => ({ text: p.id === chosen?.period.id ? `• ${p.name} •` : p.name, callback_data: view.button("y", p.id) })),
    [{ text: view.t("views:lastYear.back"), callback_data: view.button() }],
  ];
  return { sections: [title, await periodSection(past, chosen)], buttons };
}

async function answerQuestion(view: ViewContext, periods: PeriodItem[], params: ViewParams): Promise<RenderedView> {
  const { scope } = view;
  const filter = { subjectId: params.subjectId, value: params.gradeValue };
  const range = params.range;
  if (range && "from" in range) {
    const grades = await gradesBetween(scope, range, filter);
    return { sections: [byDay(view, view.t("views:grades.rangeTitle", { range: rangeLabel(view, range.from, range.to) }), grades, range)] };
  }
  const chosen = range ? periodByRef(scope, periods, range) : currentPeriod(scope, periods);
  if (params.gradeValue || !chosen) {
    const span = chosen ? { from: chosen.period.start, to: chosen.period.end } : { from: schoolYearFirstDay(scope.today), to: scope.today };
    const grades = await gradesBetween(scope, span, filter);
    return { sections: [byDay(view, view.t("views:grades.rangeTitle", { range: rangeLabel(view, span.from, span.to) }), grades, span)] };
  }
  return { sections: [await periodSection(view, chosen, params.subjectId)], buttons: navigation(view, periods, null, chosen.period) };
}

async function weekSection(view: ViewContext, week: DayRange): Promise<string> {
  const grades = await gradesBetween(view.scope, week);
  const current = week.from <= view.scope.today && view.scope.today <= week.to;
  const title = view.t(current ? "views:grades.thisWeek" : "views:grades.week", { range: shortRange(view.lang, week.from, week.to) });
  return byDay(view, title, grades, week, current ? "views:grades.noneThisWeek" : "views:grades.noneInWeek");
}

function byDay(view: ViewContext, title: string, grades: GradeItem[], range: DayRange, emptyKey = "views:grades.noneInRange"): string {
  if (grades.length === 0) return `<b>${title}</b>\n${view.t(emptyKey)}`;
  const lines = [`<b>${title}</b>`];
  let lastDay = "";
  for (const grade of grades) {
    if (grade.date !== lastDay && range.from !== range.to) lines.push("", dayTitle(view, grade.date));
    lastDay = grade.date;
    lines.push(view.t("views:grades.line", {
      subject: escapeHtml(grade.subjectName),
      value: gradeText(view.t, grade.value),
      workType: escapeHtml(grade.workType),
      weight: grade.weight,
    }));
    if (grade.comment) lines.push(view.t("views:grades.comment", { comment: escapeHtml(grade.comment) }));
  }
  return lines.join("\n");
}

async function periodSection(view: ViewContext, chosen: ChosenPeriod | null, subjectId?: string): Promise<string> {
  const { t, lang } = view;
  if (!chosen) return t("views:grades.noPeriods");
  const { period, relation } = chosen;
  const name = period.name ? escapeHtml(period.name) : t("views:common.schoolYear");
  const title = t("views:grades.periodTitle", { period: name, range: shortRange(lang, period.start, period.end) });
  if (relation === "upcoming") return `<b>${title}</b>\n${t("views:grades.periodUpcoming", { date: day(view, period.start, "long") })}`;
  const subjects = await periodSubjects(view.scope, { from: period.start, to: period.end }, { subjectId });
  const lines = [`<b>${title}</b>`];
  if (relation === "finished") lines.push(t(view.scope.lastYear ? "views:lastYear.periodFinished" : "views:grades.periodFinished"));
  if (subjects.length === 0) lines.push(t("views:grades.noneInPeriod"));
  for (const subject of subjects) lines.push(subjectLine(view, subject));
  if (subjects.some((s) => s.grades.some((g) => g.weight !== 1))) lines.push("", t("views:grades.weightLegend"));
  return lines.join("\n");
}

function subjectLine(view: ViewContext, subject: SubjectPeriod): string {
  const { t, lang } = view;
  const name = escapeHtml(subject.subjectName);
  if (subject.grades.length === 0) return t("views:grades.subjectEmpty", { subject: name });
  const values = subject.grades.map((g) => (g.weight === 1 ? gradeText(t, g.value) : `${gradeText(t, g.value)} (×${g.weight})`)).join(", ");
  const f = subject.forecast;
  const summary =
    f.average !== null ? t("views:grades.average", { average: formatDecimal(f.average, lang) })
    : f.passFail ? t("views:grades.passFail", { value: gradeText(t, f.passFail) })
    : "";
  return t("views:grades.subjectLine", { subject: name, values, summary });
}

function navigation(view: ViewContext, periods: PeriodItem[], week: DayRange | null, shownPeriod?: PeriodItem): InlineKeyboardButton[][] {
  const { scope, lang, t } = view;
  const rows: InlineKeyboardButton[][] = [];
  const thisWeek = weekBounds(scope.today);
  if (week) {
    const row: InlineKeyboardButton[] = [];
    const previous = addDays(week.from, -7);
    if (previous >= addDays(schoolYearFirstDay(scope.today), -7)) {
      row.push({ text: `◀ ${shortRange(lang, previous, addDays(previous, 6))}`, callback_data: view.button("w", compactDay(previous)) });
    }
    if (week.from < thisWeek.from) {
      const next = addDays(week.from, 7);
      row.push({ text: `${shortRange(lang, next, addDays(next, 6))} ▶`, callback_data: view.button("w", compactDay(next)) });
    }
    rows.push(row);
  } else {
    rows.push([{ text: t("views:grades.thisWeekButton"), callback_data: view.button() }]);
  }
  const started = reportingPeriods(scope, periods).filter((p) => p.start <= scope.today);
  rows.push(started.map((p) => ({ text: p.id === shownPeriod?.id ? `• ${p.name} •` : p.name, callback_data: view.button("p", p.id) })));
  // The shown period's chart (a picture), when it has begun.
  if (shownPeriod && started.some((p) => p.id === shownPeriod.id)) rows.push([chartButton(t("web:bot.chartButton"), String(scope.studentId), shownPeriod.id)]);
  if (scope.previousYear) rows.push([{ text: t("views:lastYear.button"), callback_data: view.button("y") }]);
  return rows;
}
