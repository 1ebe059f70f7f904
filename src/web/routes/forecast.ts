/** /app/c/<child>/forecast: the forecast of the current period with what moves it (the bot's engine). */
import { loadPeriods, periodOfDay, periodSubjects } from "../../services/diary";
import type { WebFeature } from "../feature";
import { requireChild } from "../child";
import { forecastPage } from "../views/forecast";

export const forecastFeature: WebFeature = {
  name: "forecast",
  register(app, web) {
    app.get<{ Params: { childId: string } }>("/c/:childId/forecast", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const found = periodOfDay(child.scope, await loadPeriods(child.scope));
      const shown = found ? { period: found.period, relation: found.relation } : null;
      const subjects = shown?.relation === "current" ? await periodSubjects(child.scope, { from: shown.period.start, to: shown.period.end }) : [];
      return web.page(request, reply, { title: request.t("web:forecast.title"), body: forecastPage(request, child, shown, subjects), child, active: "forecast" });
    });
  },
};
