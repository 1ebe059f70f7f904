/**
 * Homework: for the next school day by default (weekends and the class's holidays skipped), today,
 * the week, or one subject. A question about a day off says so and shows the next school day.
 */
import type { InlineKeyboardButton } from "grammy/types";
import type { DayRange } from "../../../domain/school-calendar";
import { addDays } from "../../../domain/time";
import {
  dayStatus, homeworkDue, homeworkSubjects, loadHolidays, nextSchoolDayOf, schoolWeekOf, type HolidayItem, type HomeworkItem,
} from "../../../services/diary";
import { isObjectIdText } from "./callback-data";
import { dayTitle, escapeHtml, link, rangeLabel } from "./render";
import type { ViewContext, ViewDef, ViewParams } from "./types";

/** "One subject" looks this far ahead. */
const SUBJECT_DAYS = 14;

export const homeworkView: ViewDef = {
  name: "homework",
  code: "h",
  async render(view, params) {
    const { scope } = view;
    const holidays = await loadHolidays(scope);
    const classId = String(scope.classId);
    const nextDay = nextSchoolDayOf(scope.today, holidays, classId, scope.week);
    const ahead = { from: scope.today, to: addDays(scope.today, SUBJECT_DAYS) };
    const subjectId = params.mode === "s" && isObjectIdText(params.arg) ? params.arg : params.subjectId;

    let sections: string[];
    if (params.mode === "subjects") {
      const subjects = await homeworkSubjects(scope, ahead);
      return { sections: [view.t(subjects.length ? "views:homework.chooseSubject" : "views:homework.noSubjects")], buttons: subjectButtons(view, subjects) };
    } else if (params.range && "from" in params.range) {
      sections = await daysAnswer(view, params.range, holidays, params.subjectId);
    } else if (subjectId) {
      sections = [await rangeSection(view, ahead, subjectId, "views:homework.subjectNone")];
    } else if (params.mode === "t") {
      sections = await daysAnswer(view, { from: scope.today, to: scope.today }, holidays);
    } else if (params.mode === "w") {
      sections = [await rangeSection(view, schoolWeekOf(scope.today, holidays, classId, scope.week), undefined, "views:homework.weekNone")];
    } else if (nextDay) {
      sections = [await daySection(view, nextDay)];
    } else {
      sections = [view.t("views:homework.noSchoolDays")];
    }
    return { sections, buttons: modeButtons(view, params) };
  },
};

async function daysAnswer(view: ViewContext, range: DayRange, holidays: HolidayItem[], subjectId?: string): Promise<string[]> {
  if (range.from !== range.to) return [await rangeSection(view, range, subjectId, "views:homework.rangeNone")];
  const items = await homeworkDue(view.scope, range, subjectId);
  if (items.length > 0) return [itemsByDay(view, items)];
  const status = dayStatus(range.from, holidays, String(view.scope.classId), view.scope.week);
  const offDay = status.holiday ?? (status.weekend ? view.t("views:common.weekend") : null);
  if (!offDay) return [`${dayTitle(view, range.from)}\n${view.t("views:homework.dayNone")}`];
  // A day without school: say so and show the next school day after it.
  const after = nextSchoolDayOf(range.from, holidays, String(view.scope.classId), view.scope.week);
  const note = `${dayTitle(view, range.from)}\n${view.t("views:homework.dayOff", { reason: escapeHtml(offDay) })}`;
  return after ? [note, await daySection(view, after, subjectId)] : [note];
}

async function daySection(view: ViewContext, day: string, subjectId?: string): Promise<string> {
  const items = await homeworkDue(view.scope, { from: day, to: day }, subjectId);
  return items.length > 0 ? itemsByDay(view, items) : `${dayTitle(view, day)}\n${view.t("views:homework.dayNone")}`;
}

async function rangeSection(view: ViewContext, range: DayRange, subjectId: string | undefined, emptyKey: string): Promise<string> {
  const items = await homeworkDue(view.scope, range, subjectId);
  if (items.length > 0) return itemsByDay(view, items);
  return view.t(emptyKey, { range: rangeLabel(view, range.from, range.to) });
}

function itemsByDay(view: ViewContext, items: HomeworkItem[]): string {
  const lines: string[] = [];
  let lastDay = "";
  for (const item of items) {
    if (item.dueOn !== lastDay) lines.push(...(lines.length ? [""] : []), dayTitle(view, item.dueOn));
    lastDay = item.dueOn;
    lines.push(view.t("views:homework.item", { subject: escapeHtml(item.subjectName), text: escapeHtml(item.text) }));
    for (const url of item.links) lines.push(`   🔗 ${link(url)}`);
  }
  return lines.join("\n");
}

function modeButtons(view: ViewContext, params: ViewParams): InlineKeyboardButton[][] {
  const modes: Array<[string | undefined, string]> = [["t", "today"], [undefined, "next"], ["w", "week"], ["subjects", "bySubject"]];
  const asked = params.range || params.subjectId || params.mode === "s";
  const shown = (mode: string | undefined) => !asked && mode === params.mode;
  return [modes.filter(([mode]) => !shown(mode)).map(([mode, label]) => ({ text: view.t(`views:homework.buttons.${label}`), callback_data: view.button(mode) }))];
}

function subjectButtons(view: ViewContext, subjects: Array<{ id: string; name: string }>): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < subjects.length; i += 2) {
    rows.push(subjects.slice(i, i + 2).map((s) => ({ text: s.name, callback_data: view.button("s", s.id) })));
  }
  rows.push([{ text: view.t("views:homework.buttons.next"), callback_data: view.button() }]);
  return rows;
}
