/**
 * The school's staff in the console (admins): every teacher and admin role with its term (staff
 * roles end with the school year), revocation (asked once more on a confirmation page, then at once;
 * optionally with the unused codes the person issued) and renewal through the next school year, one person or everyone — the same services and
 * audit entries as `npm run staff` (src/services/staff.ts). An admin does not revoke their own admin
 * role here (it would lock them out of this page); bootstrap admins are changed in the configuration.
 */
import { Types } from "mongoose";
import { isStaffRole, listStaff, renewStaffRoles, revokeStaffRoles, StaffRequestError, unusedCodesIssued } from "../../services/staff";
import { consoleRequest, type ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import type { WebApp, WebFeature } from "../feature";
import { revokeConfirmPage, STAFF_RESULTS, staffPage, type StaffResult } from "../views/console-staff";

type Params = { schoolId: string };
type Body = Record<string, string | undefined>;
const isId = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{24}$/.test(v);

export const consoleStaffFeature: WebFeature = {
  name: "console-staff",
  register(app, web: WebApp) {
    const back = (school: ConsoleSchool, done: StaffResult, count = 0) => `${schoolHref(school._id, "staff")}?done=${done}${count ? `&n=${count}` : ""}`;

    app.get<{ Params: Params; Querystring: Record<string, string> }>("/school/:schoolId/staff", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const members = await listStaff(at.school._id, web.deps.config.ADMIN_TELEGRAM_IDS);
      const done = (STAFF_RESULTS as readonly string[]).includes(request.query.done) ? (request.query.done as StaffResult) : undefined;
      const body = staffPage({ t: request.t, lang: request.lang }, {
        school: at.school, members, selfId: String(at.scope.account._id), csrf: request.viewer!.session.csrfToken, done, count: Number(request.query.n) || 0,
      });
      return web.page(request, reply, { title: request.t("console:staffPage.title"), body, active: "console-staff" });
    });

    // "Revoke" on the list opens this page (a GET changes nothing); only its form revokes.
    app.get<{ Params: Params; Querystring: Body }>("/school/:schoolId/staff/revoke", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const { account, role, withCodes } = request.query;
      if (!isId(account) || !role || !isStaffRole(role)) return reply.redirect(back(at.school, "bad-request"), 303);
      if (role === "admin" && at.scope.account._id.equals(new Types.ObjectId(account))) return reply.redirect(back(at.school, "self"), 303);
      const member = (await listStaff(at.school._id, web.deps.config.ADMIN_TELEGRAM_IDS)).find((m) => m.source === "code" && m.accountId === account && m.role === role);
      if (!member) return reply.redirect(back(at.school, "refused"), 303);
      const unusedCodes = await unusedCodesIssued(at.school._id, new Types.ObjectId(account), web.deps.now());
      const body = revokeConfirmPage(request.t, { school: at.school, member, withCodes: withCodes === "1", unusedCodes, csrf: request.viewer!.session.csrfToken });
      return web.page(request, reply, { title: request.t("console:staffPage.confirm.title"), body, active: "console-staff" });
    });

    app.post<{ Params: Params; Body: Body }>("/school/:schoolId/staff/revoke", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const { account, role, withCodes, confirm } = request.body ?? {};
      if (!isId(account) || !role || !isStaffRole(role)) return reply.redirect(back(at.school, "bad-request"), 303);
      if (role === "admin" && at.scope.account._id.equals(new Types.ObjectId(account))) return reply.redirect(back(at.school, "self"), 303);
      // Not confirmed (a form of an older page, a script): ask first.
      if (confirm !== "1") {
        const query = new URLSearchParams({ account, role, ...(withCodes === "1" ? { withCodes: "1" } : {}) });
        return reply.redirect(`${schoolHref(at.school._id, "staff")}/revoke?${query}`, 303);
      }
      try {
        const outcome = await revokeStaffRoles({
          schoolId: at.school._id, who: account, roles: [role], withCodes: withCodes === "1",
          actor: { kind: "account", accountId: at.scope.account._id }, now: web.deps.now(), bootstrapAdmins: web.deps.config.ADMIN_TELEGRAM_IDS,
        });
        return reply.redirect(back(at.school, "revoked", outcome.codesRevoked ? outcome.unusedCodes : 0), 303);
      } catch (error) {
        if (error instanceof StaffRequestError) return reply.redirect(back(at.school, "refused"), 303);
        throw error;
      }
    });

    app.post<{ Params: Params; Body: Body }>("/school/:schoolId/staff/renew", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const { account, role } = request.body ?? {};
      if (!(account === "all" || isId(account)) || (role !== undefined && !isStaffRole(role))) return reply.redirect(back(at.school, "bad-request"), 303);
      try {
        const renewed = await renewStaffRoles({
          schoolId: at.school._id, who: account, ...(role ? { roles: [role] } : {}),
          actor: { kind: "account", accountId: at.scope.account._id }, now: web.deps.now(), bootstrapAdmins: web.deps.config.ADMIN_TELEGRAM_IDS,
        });
        return reply.redirect(back(at.school, renewed.length ? "renewed" : "renewed-none", renewed.length), 303);
      } catch (error) {
        if (error instanceof StaffRequestError) return reply.redirect(back(at.school, "refused"), 303);
        throw error;
      }
    });
  },
};
