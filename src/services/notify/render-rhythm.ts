/** Words of the school's rhythm (issue 15, namespace `rhythm`): the first school day after holidays. */
import type { TFunction } from "i18next";
import { escapeHtml } from "../../domain/html";
import { localDecimal } from "../../domain/format";
import type { Language } from "../../i18n";
import type { DayLesson } from "../../domain/rhythm";
import type { Notice } from "./notice";

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

/** Lines shown in one message at most; the rest are counted ("и ещё 12"). */
const MAX_LINES = 40;

/** A teacher's students at risk N school days before the period's end (issue 15). */
export function periodRiskText(t: TFunction, lang: Language, n: Extract<Notice, { template: "period-risk" }>, day: (d: string) => string): string {
  const out = [t("rhythm:periodEnd.riskTitle", { period: e(n.period) }), t("rhythm:periodEnd.left", { count: n.schoolDays, day: day(n.end) })];
  let shown = 0;
  for (const risk of ["not-attested", "two"] as const) {
    const items = n.items.filter((i) => i.risk === risk);
    if (!items.length) continue;
    out.push("", risk === "not-attested" ? t("rhythm:periodEnd.notAttested", { count: n.minGrades }) : t("rhythm:periodEnd.two"));
    for (const i of items) {
      if (shown++ >= MAX_LINES) continue;
      const what = risk === "not-attested" ? t("rhythm:periodEnd.grades", { count: i.count, min: n.minGrades }) : t("rhythm:periodEnd.average", { average: e(i.average ? localDecimal(i.average, lang) : "—") });
      out.push(t("rhythm:periodEnd.riskLine", { className: e(i.className), student: e(i.student), subject: e(i.subject), what }));
    }
  }
  if (shown > MAX_LINES) out.push(t("rhythm:periodEnd.more", { count: shown - MAX_LINES }));
  out.push("", t("rhythm:periodEnd.riskFooter"));
  return out.join("\n");
}

/** The admins' daily list of finals still missing after a period's end (issue 15). */
export function missingFinalsText(t: TFunction, n: Extract<Notice, { template: "missing-finals" }>, day: (d: string) => string): string {
  const out = [t("rhythm:periodEnd.missingTitle", { period: e(n.period) }), t("rhythm:periodEnd.missingIntro", { count: n.items.length, day: day(n.day) }), ""];
  for (const i of n.items.slice(0, MAX_LINES)) {
    out.push(t(i.status === "missing" ? "rhythm:periodEnd.missingLine" : "rhythm:periodEnd.deferredLine", { className: e(i.className), student: e(i.student), subject: e(i.subject) }));
  }
  if (n.items.length > MAX_LINES) out.push(t("rhythm:periodEnd.more", { count: n.items.length - MAX_LINES }));
  if (n.complete.length) out.push("", t("rhythm:periodEnd.complete", { classes: e(n.complete.join(", ")) }));
  out.push("", t("rhythm:periodEnd.missingFooter"));
  return out.join("\n");
}
