/** Teachers who work with the child: the homeroom teacher, by subject (with groups), the individual plan. */
import { addDays } from "../../../domain/time";
import { loadPeriods, teachersOf } from "../../../services/diary";
import { currentPeriod } from "./period-choice";
import { escapeHtml } from "./render";
import type { ViewDef } from "./types";

/** Without reporting periods the timetable of these days around today tells who teaches. */
const WINDOW_DAYS = 60;

export const teachersView: ViewDef = {
  name: "teachers",
  code: "tc",
  async render(view, params) {
    const { scope, t } = view;
    const chosen = currentPeriod(scope, await loadPeriods(scope));
    const range = chosen ? { from: chosen.period.start, to: chosen.period.end } : { from: addDays(scope.today, -WINDOW_DAYS), to: addDays(scope.today, WINDOW_DAYS) };
    const teachers = await teachersOf(scope, range);
    const sections: string[] = [];
    sections.push(teachers.homeroom ? t("views:teachers.homeroom", { name: escapeHtml(teachers.homeroom) }) : t("views:teachers.noHomeroom"));
    const subjects = teachers.bySubject.filter((s) => !params.subjectId || s.subjectId === params.subjectId);
    if (subjects.length) {
      const lines = subjects.map((s) =>
        t("views:teachers.subjectLine", {
          subject: escapeHtml(s.subjectName),
          teachers: s.teachers.map((x) => (x.groupName ? `${escapeHtml(x.name)} (${escapeHtml(x.groupName)})` : escapeHtml(x.name))).join(", "),
        }),
      );
      sections.push([`<b>${t("views:teachers.bySubject")}</b>`, ...lines].join("\n"));
    } else sections.push(t("views:teachers.none"));
    if (teachers.individual.length) {
      const lines = teachers.individual.map((x) => t("views:teachers.individualLine", { name: escapeHtml(x.name), subjects: escapeHtml(x.subjects.join(", ")) }));
      sections.push([`<b>${t("views:teachers.individual")}</b>`, ...lines].join("\n"));
    }
    return { sections };
  },
};
