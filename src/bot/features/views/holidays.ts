/** Holidays: the next (or current) ones with the days left, then the whole school year. */
import { holidaysOf, type HolidayEntry } from "../../../services/diary";
import { escapeHtml, longRange } from "./render";
import type { ViewContext, ViewDef } from "./types";

export const holidaysView: ViewDef = {
  name: "holidays",
  code: "hd",
  async render(view) {
    const { t } = view;
    const { next, year } = await holidaysOf(view.scope);
    if (year.length === 0) return { sections: [t("views:holidays.none")] };
    const sections: string[] = [];
    if (next) {
      const when =
        next.state === "ongoing"
          ? t("views:holidays.ongoing", { days: t("units.day", { count: next.daysLeft }) })
          : t("views:holidays.startsIn", { days: t("units.day", { count: next.daysLeft }) });
      sections.push([`<b>${t("views:holidays.next", { name: escapeHtml(next.name) })}</b>`, `${span(view, next)}`, when].join("\n"));
    } else sections.push(t("views:holidays.noneAhead"));
    sections.push([`<b>${t("views:holidays.yearTitle")}</b>`, ...year.map((h) => `${h.state === "past" ? "✓" : h.state === "ongoing" ? "▶" : "•"} ${escapeHtml(h.name)}: ${span(view, h)}`)].join("\n"));
    return { sections };
  },
};

function span(view: ViewContext, h: HolidayEntry): string {
  const length = view.t("units.day", { count: h.lengthDays });
  const classOnly = h.classOnly ? ` ${view.t("views:holidays.classOnly")}` : "";
  return `${escapeHtml(longRange(view.lang, h.start, h.end))} (${length})${classOnly}`;
}
