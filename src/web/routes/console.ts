/**
 * The school's console (/app/school/…) for its admins and teachers: the list of the viewer's schools,
 * a school's landing page (its pages and the classes the viewer may see) and a class's landing page.
 * Every request asks src/web/console/access.ts; anyone else gets the same 404 as a missing page.
 * Other console page groups (settings, audit, consents, codes, deliveries) are features of their
 * own that add their pages to src/web/console/pages.ts.
 */
import { isBootstrapAdmin } from "../../services/accounts";
import { Teacher } from "../../db/models";
import type { NavSection, PageContext, WebApp, WebFeature } from "../feature";
import { consoleAccount, consoleClasses, consoleRequest, consoleScope } from "../console/access";
import { CLASS_PAGES, SCHOOL_PAGES, schoolHref } from "../console/pages";
import { classLandingPage, schoolLandingPage, schoolsPage } from "../views/console";

/**
 * The console's section of the navigation, from the account's roles (no query): the pages of the
 * school on screen (or of the viewer's only school) that the viewer's role there is offered.
 */
export function consoleNav(page: PageContext): NavSection | null {
  const bootstrapAdmins = page.deps.config.ADMIN_TELEGRAM_IDS;
  const account = consoleAccount(page.viewer?.person, bootstrapAdmins);
  if (!account) return null;
  const everywhere = isBootstrapAdmin(account, bootstrapAdmins);
  const staffRoles = account.roles.filter((r) => r.role === "admin" || r.role === "teacher");
  const onScreen = /^\/app\/school\/([0-9a-f]{24})\//.exec(page.path)?.[1];
  const own = [...new Set(staffRoles.map((r) => String(r.schoolId)))];
  const schoolId = onScreen && (everywhere || own.includes(onScreen)) ? onScreen : !everywhere && own.length === 1 ? own[0] : null;
  const t = page.t;
  const items = [];
  if (everywhere || own.length > 1) items.push({ id: "console-schools", href: "/app/school/", label: t("console:nav.schools") });
  if (schoolId) {
    const admin = everywhere || staffRoles.some((r) => r.role === "admin" && String(r.schoolId) === schoolId);
    for (const p of SCHOOL_PAGES) if (p.need === "staff" || admin) items.push({ id: p.id, href: schoolHref(schoolId, p.path), label: t(p.label) });
  }
  return { id: "console", label: t("console:nav.section"), items };
}

export const consoleFeature: WebFeature = {
  name: "console",
  register(app, web: WebApp) {
    app.get("/school/", async (request, reply) => {
      const scope = await consoleScope(request, web);
      if (!scope) return web.notFound(request, reply);
      if (scope.schools.length === 1) return reply.redirect(schoolHref(scope.schools[0]._id), 303);
      const { t } = request;
      return web.page(request, reply, { title: t("console:schools.title"), body: schoolsPage(t, scope.schools), active: "console-schools" });
    });

    app.get<{ Params: { schoolId: string } }>("/school/:schoolId/", async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const { t } = request;
      const classes = await consoleClasses(at.school);
      const pages = SCHOOL_PAGES.filter((p) => p.path && (p.need === "staff" || at.school.admin));
      return web.page(request, reply, { title: at.school.name, body: schoolLandingPage(t, { school: at.school, pages, classes }), active: "console" });
    });

    app.get<{ Params: { schoolId: string; classId: string } }>("/school/:schoolId/class/:classId/", async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const { t } = request;
      const schoolClass = at.schoolClass!;
      const homeroom = schoolClass.homeroomTeacherId ? await Teacher.findById(schoolClass.homeroomTeacherId, { fullName: 1 }).lean() : null;
      const pages = CLASS_PAGES.filter((p) => p.need === "staff" || at.school.admin);
      const body = classLandingPage(t, { school: at.school, schoolClass, homeroom: homeroom?.fullName ?? null, pages });
      return web.page(request, reply, { title: t("console:class.title", { name: schoolClass.name }), body, active: "console" });
    });
  },
  nav: consoleNav,
};
