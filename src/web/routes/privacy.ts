/**
 * Privacy (/app/privacy): the consent in force per school and its full text, withdrawal (a
 * confirmation page, then a POST with the session's token), and the data export (/mydata as a JSON
 * file) and deleting the account (asked once more; src/services/data-lifecycle.ts, as the bot's
 * /privacy) — the bot's /privacy and /mydata through src/services/privacy.ts and consent.ts. A school
 * id in a URL is checked against the person's own decisions: another school answers 404.
 */
import { Types } from "mongoose";
import { latestConsent, School } from "../../db/models";
import { inZone } from "../../domain/time";
import { consentFullText, consentSchool } from "../../services/consent";
import { deleteAccount } from "../../services/data-lifecycle";
import { collectMyData, consentOverview, withdrawConsent } from "../../services/privacy";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { WebApp, WebFeature } from "../feature";
import { closeSession } from "../session";
import { sendMissing } from "../child";
import { consentTextPage, deleteConfirmPage, deletedPage, privacyPage, recordPrivacyPage, withdrawConfirmPage } from "../views/privacy";

async function ownConsent(request: FastifyRequest, schoolId: string, granted = false) {
  const person = request.viewer?.person;
  if (person?.kind !== "account" || !Types.ObjectId.isValid(schoolId)) return null;
  const consents = await consentOverview(person.account._id);
  return consents.find((c) => c.schoolId === schoolId && (!granted || c.decision === "granted")) ?? null;
}

/** Signed out: a page is answered with the sign-in page right here (the Mini App signs in and comes back to it), a form with the start page. */
function signedOut(web: WebApp, request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  if (request.viewer) return null;
  return request.method === "GET" ? sendMissing(web, request, reply, "signed-out") : reply.redirect("/app/", 303);
}

export const privacyFeature: WebFeature = {
  name: "privacy",
  register(app, web: WebApp) {
    app.get<{ Querystring: { withdrawn?: string } }>("/privacy", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const { t } = request;
      const person = request.viewer!.person;
      if (person.kind === "guardian") {
        const [written, school] = await Promise.all([
          latestConsent({ guardianId: person.guardian._id, schoolId: person.guardian.schoolId, form: { $in: ["paper", "edoc"] } }),
          School.findById(person.guardian.schoolId, { timezone: 1 }).lean(),
        ]);
        const state = written && school ? { decision: written.decision, date: inZone(written.recordedAt, school.timezone).format("DD.MM.YYYY") } : null;
        return web.page(request, reply, { title: t("web:privacy.title"), body: recordPrivacyPage(t, state), active: "privacy" });
      }
      const consents = (await consentOverview(person.account._id)).map((c) => ({ ...c, date: inZone(c.recordedAt, c.timezone).format("DD.MM.YYYY") }));
      const withdrawn = consents.find((c) => c.schoolId === request.query.withdrawn && c.decision === "withdrawn")?.schoolName;
      return web.page(request, reply, { title: t("web:privacy.title"), body: privacyPage(t, { consents, withdrawn }), active: "privacy" });
    });

    app.get<{ Params: { schoolId: string } }>("/privacy/text/:schoolId", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const consent = await ownConsent(request, request.params.schoolId);
      const school = consent ? await consentSchool(consent.schoolId) : null;
      if (!consent || !school) return web.notFound(request, reply);
      const { t } = request;
      return web.page(request, reply, { title: t("web:privacy.textTitle", { school: school.name }), body: consentTextPage(t, school.name, consentFullText(t, school)), active: "privacy" });
    });

    app.get<{ Params: { schoolId: string } }>("/privacy/withdraw/:schoolId", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const consent = await ownConsent(request, request.params.schoolId, true);
      if (!consent) return web.notFound(request, reply);
      const { t } = request;
      return web.page(request, reply, { title: t("web:privacy.withdrawTitle"), body: withdrawConfirmPage(t, consent.schoolName, consent.schoolId, request.viewer!.session.csrfToken), active: "privacy" });
    });

    app.post<{ Params: { schoolId: string } }>("/privacy/withdraw/:schoolId", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const consent = await ownConsent(request, request.params.schoolId, true);
      const person = request.viewer!.person;
      if (!consent || person.kind !== "account") return web.notFound(request, reply);
      // This browser shows the outcome; the person's other sessions close when nothing is left in force.
      const result = await withdrawConsent({ accountId: person.account._id, schoolId: new Types.ObjectId(consent.schoolId), now: web.deps.now(), keepWebSession: request.viewer!.session._id });
      request.log.info({ accountId: String(person.account._id), schoolId: consent.schoolId, unlinked: result.unlinkedChildren, cancelled: result.cancelledDeliveries }, "consent withdrawn (web)");
      return reply.redirect(`/app/privacy?withdrawn=${consent.schoolId}`, 303);
    });

    // Only an account can be deleted here; a record person's data are the school's (a written statement).
    app.get("/privacy/delete", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      if (request.viewer!.person.kind !== "account") return web.notFound(request, reply);
      const { t } = request;
      return web.page(request, reply, { title: t("web:privacy.deleteTitle"), body: deleteConfirmPage(t, request.viewer!.session.csrfToken), active: "privacy" });
    });

    app.post("/privacy/delete", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const person = request.viewer!.person;
      if (person.kind !== "account") return web.notFound(request, reply);
      const result = await deleteAccount({ accountId: person.account._id, now: web.deps.now(), pepper: web.deps.config.codePepper, via: "web" });
      if (result) request.log.info({ accountId: String(person.account._id), withdrawn: result.withdrawnSchools, ...result.erased }, "account deleted (web)");
      // The deletion erased every web session of the account, this one too: clear the cookie, show the page signed out.
      await closeSession(reply, web.policy, null);
      request.viewer = null;
      const { t } = request;
      return web.page(request, reply, { title: t("web:privacy.deletedTitle"), body: deletedPage(t) });
    });

    app.get("/privacy/mydata.json", async (request, reply) => {
      if (signedOut(web, request, reply)) return reply;
      const person = request.viewer!.person;
      if (person.kind !== "account") return web.notFound(request, reply);
      const data = await collectMyData(person.account);
      return reply
        .type("application/json; charset=utf-8")
        .header("content-disposition", 'attachment; filename="mydata.json"')
        .send(JSON.stringify(data, null, 2));
    });
  },
};
