/**
 * Deliveries and compliance in the school's console (issue 13, admins): the compliance report
 * (finals and exam results of a period: result time, how and when each person got it, the share
 * within 24 hours, overdue first) as a page and as the report's PDF/CSV (src/services/reports, the
 * bot's /report and the CLI's); the week's deliveries by status and the failed ones with a retry
 * (`retryDelivery`: the job again, or the record queued for the re-drive to rebuild it); the
 * broadcasts with their counts.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { schoolDay } from "../../domain/time";
import { QUEUES } from "../../queue/names";
import { broadcastsOf, failedDeliveryRows, recentDeliveryCounts } from "../../services/delivery-overview";
import { retryDelivery } from "../../services/notify/deliveries";
import { reportData, reportFile } from "../../services/reports/report-files";
import { periodsOf, ReportInputError } from "../../services/reports/school-data";
import type { ComplianceReport } from "../../services/reports/compliance";
import { consoleClasses, consoleRequest } from "../console/access";
import { schoolHref } from "../console/pages";
import type { WebApp, WebFeature } from "../feature";
import { compliancePage, deliveriesPage, DELIVERY_RESULTS } from "../views/console-deliveries";

type Params = { schoolId: string };
type Query = { class?: string; period?: string; done?: string };

export const consoleDeliveriesFeature: WebFeature = {
  name: "console-deliveries",
  register(app, web: WebApp) {
    /** The report for the query (a class of the school or all; a period or the current one), or null for a bad one. */
    async function complianceFor(request: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return null;
      const classes = await consoleClasses(at.school);
      const q = request.query;
      const schoolClass = q.class ? classes.find((c) => String(c._id) === q.class) : undefined;
      const period = typeof q.period === "string" && q.period ? q.period : undefined;
      if (q.class && !schoolClass) {
        await web.notFound(request, reply);
        return null;
      }
      const now = web.deps.now();
      try {
        const data = await reportData({ kind: "compliance", schoolId: at.school._id, schoolClass, periodId: period, today: schoolDay(now, at.school.timezone), now });
        return { at, classes, schoolClass, data, report: (data as { report: ComplianceReport }).report };
      } catch (error) {
        if (!(error instanceof ReportInputError)) throw error;
        await web.notFound(request, reply);
        return null;
      }
    }

    app.get<{ Params: Params; Querystring: Query }>("/school/:schoolId/compliance", async (request, reply) => {
      const found = await complianceFor(request, reply);
      if (!found) return reply;
      const { at, classes, schoolClass, report } = found;
      const periods = (await periodsOf(at.school._id)).map((p) => ({ id: p.externalId, name: p.name }));
      const { t } = request;
      const body = compliancePage({ t, lang: request.lang }, { school: at.school, classes, classId: schoolClass ? String(schoolClass._id) : "", periods, report });
      return web.page(request, reply, { title: t("reports:compliance.title"), body, active: "console-compliance" });
    });

    for (const format of ["pdf", "csv"] as const) {
      app.get<{ Params: Params; Querystring: Query }>(`/school/:schoolId/compliance.${format}`, async (request, reply) => {
        const found = await complianceFor(request, reply);
        if (!found) return reply;
        const file = await reportFile(found.data, format, request.t, request.lang);
        const type = format === "pdf" ? "application/pdf" : "text/csv; charset=utf-8";
        return reply.type(type).header("content-disposition", `attachment; filename="compliance.${format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`).send(file.bytes);
      });
    }

    app.get<{ Params: Params; Querystring: Query }>("/school/:schoolId/deliveries", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const now = web.deps.now();
      const [counts, failed, broadcasts] = await Promise.all([recentDeliveryCounts(at.school._id, now), failedDeliveryRows(at.school._id), broadcastsOf(at.school._id)]);
      const { t } = request;
      const done = (DELIVERY_RESULTS as readonly string[]).includes(request.query.done ?? "") ? (request.query.done as (typeof DELIVERY_RESULTS)[number]) : undefined;
      const body = deliveriesPage({ t, lang: request.lang }, {
        school: at.school, counts, failed, broadcasts, csrf: request.viewer!.session.csrfToken, canRetry: !!web.deps.queues, done,
      });
      return web.page(request, reply, { title: t("console:deliveries.title"), body, active: "console-deliveries" });
    });

    app.post<{ Params: Params & { deliveryId: string } }>("/school/:schoolId/deliveries/:deliveryId/retry", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const queue = web.deps.queues?.queue(QUEUES.deliveries);
      // The school is the one the viewer administers; the address only names which record.
      const ok = queue ? await retryDelivery(queue, at.school._id, request.params.deliveryId) : false;
      request.log.info({ schoolId: String(at.school._id), deliveryId: request.params.deliveryId, ok }, "delivery retry from the console");
      return reply.redirect(`${schoolHref(at.school._id, "deliveries")}?done=${ok ? "retried" : "cannot-retry"}`, 303);
    });
  },
};
