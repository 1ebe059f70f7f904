/**
 * Charts of a child's period: the page (/app/c/<child>/charts) and the pictures it shows, drawn on
 * the server as SVG (averages.svg, marks.svg) so they work without JavaScript, and the averages as
 * the bot's PNG (averages.png) to save or share. The pictures are
 * checked like every page: another family's child gets 404.
 */
import type { FastifyReply } from "fastify";
import { loadPeriods, periodProgress, type StudentScope } from "../../services/diary";
import { averagesPng, averagesSvg, charted, marksSvg } from "../../charts/child";
import type { WebFeature } from "../feature";
import { requireChild } from "../child";
import { begunPeriods, shownPeriod, type ShownPeriod } from "../periods";
import { chartsPage } from "../views/charts";

type ChildRequest = { Params: { childId: string }; Querystring: Record<string, string | undefined> };

async function progressOf(scope: StudentScope, shown: ShownPeriod | null) {
  return shown && shown.relation !== "upcoming" ? periodProgress(scope, { from: shown.period.start, to: shown.period.end }) : [];
}

function sendSvg(reply: FastifyReply, svg: string): FastifyReply {
  // An SVG of our own with ECharts' inline styles and no script: its own narrow policy.
  return reply.type("image/svg+xml; charset=utf-8").header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'").send(svg);
}

export const chartsFeature: WebFeature = {
  name: "charts",
  register(app, web) {
    app.get<ChildRequest>("/c/:childId/charts", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const periods = await loadPeriods(child.scope);
      const shown = shownPeriod(child.scope, periods, request.query.period);
      const body = chartsPage(request, child, shown, begunPeriods(child.scope, periods), await progressOf(child.scope, shown));
      return web.page(request, reply, { title: request.t("web:charts.title"), body, child, active: "charts" });
    });

    app.get<ChildRequest>("/c/:childId/charts/averages.svg", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const shown = shownPeriod(child.scope, await loadPeriods(child.scope), request.query.period);
      if (!shown) return web.notFound(request, reply);
      const columns = Math.min(3, Math.max(1, Number(request.query.cols) || 1));
      return sendSvg(reply, averagesSvg(await progressOf(child.scope, shown), child.scope, shown.period, request.t, request.lang, columns));
    });

    // The same picture the bot's "📊 График" sends, to save or share.
    app.get<ChildRequest>("/c/:childId/charts/averages.png", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const shown = shownPeriod(child.scope, await loadPeriods(child.scope), request.query.period);
      const progress = await progressOf(child.scope, shown);
      if (!shown || charted(progress).shown.length === 0) return web.notFound(request, reply);
      const png = averagesPng(progress, child.scope, shown.period, request.t, request.lang);
      // Opened on its own, the browser shows it in an image document of its own making (inline styles).
      return reply
        .type("image/png")
        .header("content-disposition", `inline; filename="chart-${shown.period.id}.png"`)
        .header("content-security-policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        .send(png);
    });

    app.get<ChildRequest>("/c/:childId/charts/marks.svg", async (request, reply) => {
      const child = await requireChild(web, request, reply, request.params.childId);
      if (!child) return reply;
      const shown = shownPeriod(child.scope, await loadPeriods(child.scope), request.query.period);
      if (!shown) return web.notFound(request, reply);
      return sendSvg(reply, marksSvg(await progressOf(child.scope, shown), request.t));
    });
  },
};
