/** Words of the weekly digest (issue 15): a section per child, each part only when it has lines. */
import type { TFunction } from "i18next";
import { escapeHtml } from "../../domain/html";
import type { Notice } from "./notice";

const e = (v: unknown) => escapeHtml(String(v ?? ""));

export function weeklyText(t: TFunction, n: Extract<Notice, { template: "weekly" }>, day: (d: string) => string): string {
  const out = [t("weekly.title", { from: day(n.from), to: day(n.to) })];
  for (const c of n.children) {
    out.push("", t("weekly.child", { student: e(c.student) }));
    if (c.grades.length) out.push(t("weekly.grades"), ...c.grades.map((g) => t("weekly.gradeLine", { subject: e(g.subject), values: e(g.values.join(", ")) })));
    if (c.forecast.length) out.push(t("weekly.forecast"), ...c.forecast.map((f) => t(f.to > f.from ? "weekly.forecastUp" : "weekly.forecastDown", { subject: e(f.subject), from: f.from, to: f.to })));
    if (c.tests.length) {
      const kind = (k?: string) => e(t(`assessment.kinds.${k ?? "other"}`, { defaultValue: t("assessment.kinds.other") }));
      out.push(t("weekly.tests"), ...c.tests.map((x) => t("weekly.testLine", { subject: e(x.subject), day: day(x.date), kind: kind(x.kind) })));
    }
    if (c.homework.length) out.push(t("weekly.homework"), ...c.homework.map((h) => t("weekly.homeworkLine", { subject: e(h.subject), day: day(h.date) })));
    if (c.recommendations.length) out.push(t("weekly.recommendations"), ...c.recommendations.map((r) => t("weekly.recommendationLine", { subject: e(r.subject), teacher: e(r.teacher), text: e(r.text) })));
  }
  out.push("", t("weekly.footer"));
  return out.join("\n");
}
