/**
 * The child's other diary pages, each a thin reader of the bot's queries (src/services/diary):
 * homework and the timetable by school week, tests of the current period, teachers, holidays,
 * recommendations, finals.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { daysOf, weekBounds } from "../../domain/school-calendar";
import { addDays, isCalendarDay } from "../../domain/time";
import {
  assessmentsBetween, dayStatus, finalsOf, lastYearScope, holidaysOf, homeworkDue, latestRecommendations, lessonsOn, loadHolidays, loadPeriods,
  periodOfDay, schoolWeekOf, schoolYearFirstDay, teachersOf,
} from "../../services/diary";
import type { ChildPage, WebApp, WebFeature } from "../feature";
import type { Html } from "../render/html";
import { requireChild } from "../child";
import { finalsPage, holidaysPage, homeworkPage, recommendationsPage, teachersPage, testsPage, timetablePage, type WeekPage } from "../views/diary";

type ChildRequest = { Params: { childId: string }; Querystring: Record<string, string | undefined> };

/** Weeks a page may show: from the school year's start to this many weeks ahead. */
const WEEKS_AHEAD = 8;

/** The week asked for (?week=), kept within the school year's start and a few weeks ahead; else `fallback`. */
function chosenWeek(child: ChildPage, asked: string | undefined, fallback: { from: string; to: string }) {
  const { today } = child.scope;
  const earliest = weekBounds(schoolYearFirstDay(today)).from;
  const latest = addDays(weekBounds(today).from, 7 * WEEKS_AHEAD);
  const week = asked && isCalendarDay(asked) ? weekBounds(asked) : fallback;
  const inRange = week.from >= earliest && week.from <= latest ? week : fallback;
  const previous = addDays(inRange.from, -7);
  const next = addDays(inRange.from, 7);
  return { ...inRange, previous: previous >= earliest ? previous : null, next: next <= latest ? next : null };
}

function childPage(web: WebApp, name: string, render: (child: ChildPage, request: FastifyRequest<ChildRequest>) => Promise<Html>) {
  return async (request: FastifyRequest<ChildRequest>, reply: FastifyReply) => {
    const child = await requireChild(web, request, reply, request.params.childId);
    if (!child) return reply;
    return web.page(request, reply, { title: request.t(`web:nav.${name}`), body: await render(child, request), child, active: name });
  };
}

export const diaryFeature: WebFeature = {
  name: "diary",
  register(app, web) {
    app.get<ChildRequest>("/c/:childId/homework", childPage(web, "homework", async (child, request) => {
      const holidays = await loadHolidays(child.scope);
      const classId = String(child.scope.classId);
      const week = chosenWeek(child, request.query.week, schoolWeekOf(child.scope.today, holidays, classId, child.scope.week));
      const items = await homeworkDue(child.scope, week);
      const page: WeekPage<(typeof items)[number]> = { ...week, days: daysOf(week).map((d) => ({ status: dayStatus(d, holidays, classId, child.scope.week), items: items.filter((h) => h.dueOn === d) })) };
      return homeworkPage(request, child, page);
    }));

    app.get<ChildRequest>("/c/:childId/timetable", childPage(web, "timetable", async (child, request) => {
      const holidays = await loadHolidays(child.scope);
      const classId = String(child.scope.classId);
      const week = chosenWeek(child, request.query.week, weekBounds(child.scope.today));
      const days = daysOf(week);
      const lessons = await lessonsOn(child.scope, days);
      return timetablePage(request, child, { ...week, days: days.map((d) => ({ status: dayStatus(d, holidays, classId, child.scope.week), items: lessons.get(d) ?? [] })) });
    }));

    app.get<ChildRequest>("/c/:childId/tests", childPage(web, "tests", async (child, request) => {
      const found = periodOfDay(child.scope, await loadPeriods(child.scope));
      const items = found ? await assessmentsBetween(child.scope, { from: found.period.start, to: found.period.end }) : [];
      return testsPage(request, child, found?.period ?? null, items);
    }));

    app.get<ChildRequest>("/c/:childId/teachers", childPage(web, "teachers", async (child, request) => {
      const found = periodOfDay(child.scope, await loadPeriods(child.scope));
      const range = found ? { from: found.period.start, to: found.period.end } : { from: schoolYearFirstDay(child.scope.today), to: child.scope.today };
      return teachersPage(request, await teachersOf(child.scope, range));
    }));

    app.get<ChildRequest>("/c/:childId/holidays", childPage(web, "holidays", async (child, request) => holidaysPage(request, await holidaysOf(child.scope))));
    app.get<ChildRequest>("/c/:childId/recommendations", childPage(web, "recommendations", async (child, request) => recommendationsPage(request, child, await latestRecommendations(child.scope))));
    app.get<ChildRequest>("/c/:childId/finals", childPage(web, "finals", async (child, request) => {
      // "?year=last": the finals and exams of the last school year (issue 15).
      const past = request.query.year === "last" ? lastYearScope(child.scope) : null;
      return finalsPage(request, await finalsOf(past ?? child.scope), { base: `/app/c/${String(child.child.studentId)}/finals`, previous: child.scope.previousYear ?? null, past: past ? { label: past.lastYear!.label, className: past.className } : null });
    }));
  },
};
