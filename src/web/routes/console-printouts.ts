/**
 * Paper printouts in the school's console (issue 13): the school's weekly printouts and daily results
 * slips per class and week with how many slips were handed over (admins), and a class's printouts
 * with each slip (staff of the class), where the admins and the homeroom teacher — those the bot's
 * /printouts lets hand over (`canManageClass`) — mark a slip handed over (or undo it) and build this
 * week's printout (the bot's PDF, `buildClassPrintout`).
 */
import { Printout, ResultSlip } from "../../db/models";
import { buildClassPrintout, canManageClass, parseSlipId, staffFrom, toggleHandover } from "../../services/printouts";
import { classPrintouts, printoutRows } from "../../services/delivery-overview";
import { consoleClasses, consoleRequest, type ConsoleClass, type ConsoleSchool, type ConsoleScope } from "../console/access";
import { classHref } from "../console/pages";
import type { WebApp, WebFeature } from "../feature";
import { classPrintoutsPage, PRINTOUT_RESULTS, schoolPrintoutsPage } from "../views/console-printouts";

type ClassParams = { schoolId: string; classId: string };

const staffOf = (scope: ConsoleScope, school: ConsoleSchool) => staffFrom(scope.account, school.admin ? [school._id] : []);

/** The slip's sheet (weekly printout or daily slip) is of this class: a slip id from the form is checked again. */
async function slipOfClass(slip: unknown, schoolClass: ConsoleClass): Promise<string | null> {
  const parsed = typeof slip === "string" ? parseSlipId(slip) : null;
  if (!parsed) return null;
  const filter = { _id: parsed.printoutId, schoolId: schoolClass.schoolId, classId: schoolClass._id };
  const found = (await Printout.exists(filter)) ?? (await ResultSlip.exists(filter));
  return found ? (slip as string) : null;
}

export const consolePrintoutsFeature: WebFeature = {
  name: "console-printouts",
  register(app, web: WebApp) {
    app.get<{ Params: { schoolId: string } }>("/school/:schoolId/printouts", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const classes = await consoleClasses(at.school);
      const rows = await printoutRows(at.school._id, classes);
      const { t } = request;
      return web.page(request, reply, { title: t("console:printouts.title"), body: schoolPrintoutsPage({ t, lang: request.lang }, { school: at.school, rows }), active: "console-printouts" });
    });

    app.get<{ Params: ClassParams; Querystring: { done?: string } }>("/school/:schoolId/class/:classId/printouts", async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      const printouts = await classPrintouts(at.school._id, schoolClass);
      const { t } = request;
      const done = (PRINTOUT_RESULTS as readonly string[]).includes(request.query.done ?? "") ? (request.query.done as (typeof PRINTOUT_RESULTS)[number]) : undefined;
      const body = classPrintoutsPage({ t, lang: request.lang }, {
        school: at.school, schoolClass, printouts, canHandOver: canManageClass(staffOf(at.scope, at.school), schoolClass), csrf: request.viewer!.session.csrfToken, done,
      });
      return web.page(request, reply, { title: t("console:printouts.classTitle", { name: schoolClass.name }), body, active: "console-class-printouts" });
    });

    app.post<{ Params: ClassParams; Body: { slip?: string } }>("/school/:schoolId/class/:classId/printouts/handover", async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const slip = await slipOfClass(request.body?.slip, at.schoolClass!);
      const result = slip ? await toggleHandover(slip, staffOf(at.scope, at.school), web.deps.now()) : null;
      // Not this class's slip, or a teacher who may look but not hand over: the same 404.
      if (!result?.ok) return web.notFound(request, reply);
      request.log.info({ schoolId: String(at.school._id), printoutId: String(result.printoutId), handed: result.handed }, "printout slip hand-over from the console");
      return reply.redirect(`${classHref(at.school._id, at.schoolClass!._id, "printouts")}?done=${result.handed ? "handed" : "unhanded"}#p${String(result.printoutId)}`, 303);
    });

    app.post<{ Params: ClassParams }>("/school/:schoolId/class/:classId/printouts/build", async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      if (!canManageClass(staffOf(at.scope, at.school), schoolClass)) return web.notFound(request, reply);
      // The printout is the school's paper: in the school's language, as the bot builds it.
      const lang = web.deps.config.DEFAULT_LOCALE;
      const built = await buildClassPrintout({ schoolId: at.school._id, classId: schoolClass._id, now: web.deps.now(), t: web.deps.i18n.getFixedT(lang), lang });
      if (!built) return reply.redirect(`${classHref(at.school._id, schoolClass._id, "printouts")}?done=nobody`, 303);
      request.log.info({ schoolId: String(at.school._id), printoutId: String(built.printoutId) }, "printout built from the console");
      return reply.type("application/pdf").header("content-disposition", `attachment; filename="printout.pdf"; filename*=UTF-8''${encodeURIComponent(built.fileName)}`).send(built.pdf);
    });
  },
};
