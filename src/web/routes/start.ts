/** The start page (/app/ and /app/c/<child>/) and the diary's navigation for the child on screen. */
import { loadPeriods, periodOfDay, periodSubjects } from "../../services/diary";
import type { NavSection, PageContext, WebFeature } from "../feature";
import { lookupChild, requireChild, sendMissing } from "../child";
import { startPage, type StartData } from "../views/start";
import type { ChildPage } from "../feature";

/** The child's pages in the navigation, in the bot's order of views. */
export const DIARY_PAGES = ["start", "grades", "charts", "forecast", "homework", "timetable", "tests", "teachers", "holidays", "recommendations", "finals"] as const;
export type DiaryPage = (typeof DIARY_PAGES)[number];

export function diaryNav(page: PageContext): NavSection | null {
  if (!page.child) return null;
  const base = `/app/c/${String(page.child.child.studentId)}/`;
  return {
    id: "diary",
    label: page.t("web:nav.diary"),
    items: DIARY_PAGES.map((p) => ({ id: p, href: p === "start" ? base : `${base}${p}`, label: page.t(`web:nav.${p}`) })),
  };
}

async function startData(child: ChildPage): Promise<StartData> {
  const { scope } = child;
  const periods = await loadPeriods(scope);
  const found = periodOfDay(scope, periods);
  if (!found) return { period: null, relation: null, subjects: [] };
  const subjects = found.relation === "upcoming" ? [] : await periodSubjects(scope, { from: found.period.start, to: found.period.end });
  return { period: found.period, relation: found.relation, subjects };
}

export const startFeature: WebFeature = {
  name: "start",
  register(app, web) {
    app.get("/", async (request, reply) => {
      const found = await lookupChild(web, request);
      if (!("page" in found)) return sendMissing(web, request, reply, found.missing);
      const child = found.page;
      return web.page(request, reply, { title: request.t("web:start.title"), body: startPage(request, child, await startData(child)), child, active: "start" });
    });
    app.get<{ Params: { childId: string } }>("/c/:childId/", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      return web.page(request, reply, { title: request.t("web:start.title"), body: startPage(request, child, await startData(child)), child, active: "start" });
    });
  },
  nav: diaryNav,
};
