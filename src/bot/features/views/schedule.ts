/**
 * Timetable: today and the next school day by default, a day or a week by button, the days of a
 * question. Substitutions (who replaces whom), cancellations and moves (where to, where from) are
 * marked on the lesson; rooms and times on every line.
 */
import type { InlineKeyboardButton } from "grammy/types";
import { daysOf, previousSchoolDay, weekBounds } from "../../../domain/school-calendar";
import { shortNameOf } from "../../../domain/format";
import { addDays } from "../../../domain/time";
import {
  dayStatus, lessonsOn, loadHolidays, nextLessonOf, nextSchoolDayOf, schoolWeekOf, subjectNames, type HolidayItem, type LessonItem,
} from "../../../services/diary";
import { objectId } from "../../../services/diary/names";
import { compactDay, dayFromCompact } from "./callback-data";
import { day, dayTitle, escapeHtml, vocabulary } from "./render";
import type { ViewContext, ViewDef, ViewParams } from "./types";

/** A question about a longer span ("в декабре") shows its first week. */
const MAX_DAYS = 7;

export const scheduleView: ViewDef = {
  name: "schedule",
  code: "s",
  async render(view, params) {
    const holidays = await loadHolidays(view.scope);
    const days = daysToShow(view, params, holidays);
    const lessons = await lessonsOn(view.scope, days);
    const subject = params.subjectId ? (await subjectNames([objectId(params.subjectId)], view.scope.reference?.subjects)).get(params.subjectId) : undefined;
    const shown = days.map((d) => ({ d, own: (lessons.get(d) ?? []).filter((l) => !params.subjectId || l.subjectId === params.subjectId) }));
    const sections = shown.map(({ d, own }) => daySection(view, d, own, holidays, subject));
    if (params.subjectId && subject !== undefined && shown.every(({ own }) => own.length === 0)) {
      const next = await nextLessonOf(view.scope, params.subjectId, days[days.length - 1]);
      if (next) sections.push(view.t("views:schedule.nextLesson", { subject: escapeHtml(subject), day: escapeHtml(day(view, next.date)), time: `${next.start}–${next.end}` }));
    }
    return { sections, buttons: buttons(view, params, days, holidays) };
  },
};

function daysToShow(view: ViewContext, params: ViewParams, holidays: HolidayItem[]): string[] {
  const { today } = view.scope;
  const classId = String(view.scope.classId);
  if (params.range && "from" in params.range) return daysOf(params.range).slice(0, MAX_DAYS);
  if (params.mode === "w") return daysOf(schoolWeekOf(dayFromCompact(params.arg) ?? today, holidays, classId, view.scope.week)).slice(0, view.scope.week.sixDayWeek ? 6 : 5);
  const chosen = params.mode === "d" ? dayFromCompact(params.arg) : null;
  if (chosen) return [chosen];
  const next = nextSchoolDayOf(today, holidays, classId, view.scope.week);
  return next ? [today, next] : [today];
}

function daySection(view: ViewContext, d: string, lessons: LessonItem[], holidays: HolidayItem[], subject: string | undefined): string {
  const lines = [dayTitle(view, d)];
  if (lessons.length > 0) lines.push(...lessons.map((l) => lessonLine(view, l)));
  else {
    const status = dayStatus(d, holidays, String(view.scope.classId), view.scope.week);
    if (status.holiday) lines.push(view.t("views:schedule.holiday", { name: escapeHtml(status.holiday) }));
    else if (status.weekend) lines.push(view.t("views:schedule.weekend"));
    else if (subject !== undefined) lines.push(view.t("views:schedule.subjectNone", { subject: escapeHtml(subject) }));
    else lines.push(view.t("views:schedule.noLessons"));
  }
  return lines.join("\n");
}

function lessonLine(view: ViewContext, l: LessonItem): string {
  const { t } = view;
  const time = `${l.start}–${l.end}`;
  const subject = escapeHtml(l.subjectName);
  const teacher = escapeHtml(shortNameOf(l.teacherName));
  const kind = l.kind !== "lesson" ? ` (${escapeHtml(vocabulary(t, "lessonKinds", l.kind))})` : "";
  // A substituted lesson names its teachers on the line below ("who replaces whom").
  const details = [roomText(view, l.room), l.status === "substituted" && l.substituteName ? "" : teacher].filter(Boolean);
  const where = details.length ? ` · ${details.join(" · ")}` : "";
  if (l.movedFrom) {
    return t("views:schedule.movedIn", { time, subject, kind, where, from: escapeHtml(day(view, l.movedFrom.date)), fromTime: l.movedFrom.start });
  }
  if (l.status === "cancelled") return t("views:schedule.cancelled", { time, subject });
  if (l.status === "moved" && l.movedTo) {
    return t("views:schedule.movedAway", { time, subject, to: escapeHtml(day(view, l.movedTo.date)), toTime: `${l.movedTo.start}–${l.movedTo.end}` });
  }
  const line = t("views:schedule.lesson", { time, subject, kind, where });
  if (l.status === "substituted" && l.substituteName) {
    return `${line}\n${t("views:schedule.substituted", { substitute: escapeHtml(shortNameOf(l.substituteName)), teacher })}`;
  }
  return line;
}

/** "каб. 214" for a number, the name as it is otherwise ("спортзал"). */
function roomText(view: ViewContext, room: string | undefined): string {
  if (!room) return "";
  return /^\d/.test(room) ? view.t("views:schedule.room", { room: escapeHtml(room) }) : escapeHtml(room);
}

function buttons(view: ViewContext, params: ViewParams, days: string[], holidays: HolidayItem[]): InlineKeyboardButton[][] {
  const { t, scope } = view;
  const classId = String(scope.classId);
  const today = { text: t("views:schedule.buttons.today"), callback_data: view.button() };
  const week = { text: t("views:schedule.buttons.week"), callback_data: view.button("w") };
  const dayButton = (d: string | null, label: string) => (d ? [{ text: t(label, { day: day(view, d, "weekdayShort") }), callback_data: view.button("d", compactDay(d)) }] : []);
  if (params.range) return [[today, week]];
  if (params.mode === "w") {
    const nextMonday = addDays(weekBounds(days[0]).from, 7);
    return [[today, { text: t("views:schedule.buttons.nextWeek"), callback_data: view.button("w", compactDay(nextMonday)) }]];
  }
  const last = days[days.length - 1];
  const after = dayButton(nextSchoolDayOf(last, holidays, classId, view.scope.week), "views:schedule.buttons.after");
  if (params.mode === "d") return [[...dayButton(previousSchoolDay(days[0], holidays, classId), "views:schedule.buttons.before"), today, ...after]];
  return [[week, ...after]];
}
