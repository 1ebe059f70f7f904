/** Words of the school's rhythm (issue 15, namespace `rhythm`): the first school day after holidays. */
import type { TFunction } from "i18next";
import { escapeHtml } from "../../domain/html";
import type { DayLesson } from "../../domain/rhythm";
import type { Notice } from "../../queue/jobs";

const e = (v: unknown) => escapeHtml(String(v ?? ""));

function lessonLine(t: TFunction, l: DayLesson, day: (d: string) => string): string {
  const room = l.room ? t("rhythm:afterHolidays.room", { room: e(l.room) }) : "";
  const line = t("rhythm:afterHolidays.lesson", { start: e(l.start), end: e(l.end), subject: e(l.subject), room });
  const at = l.other ? { day: day(l.other.date), start: e(l.other.start) } : {};
  if (l.change === "cancelled") return `<s>${line}</s>${t("rhythm:afterHolidays.cancelled")}`;
  if (l.change === "substituted") return line + (l.substitute ? t("rhythm:afterHolidays.substitutedBy", { name: e(l.substitute) }) : t("rhythm:afterHolidays.substituted"));
  if (l.change === "moved-away") return `<s>${line}</s>${t("rhythm:afterHolidays.movedAway", at)}`;
  if (l.change === "moved-in") return line + t("rhythm:afterHolidays.movedIn", at);
  return line;
}

export function afterHolidaysText(t: TFunction, n: Extract<Notice, { template: "after-holidays" }>, day: (d: string) => string): string {
  const out = [t("rhythm:afterHolidays.title", { day: day(n.day) })];
  for (const c of n.children) {
    out.push("", t("rhythm:afterHolidays.child", { student: e(c.student), className: e(c.className), holiday: e(c.holiday) }));
    out.push(t("rhythm:afterHolidays.count", { count: c.lessons.filter((l) => l.change !== "cancelled" && l.change !== "moved-away").length }));
    out.push(...c.lessons.map((l) => lessonLine(t, l, day)));
  }
  out.push("", t("rhythm:afterHolidays.footer"));
  return out.join("\n");
}
