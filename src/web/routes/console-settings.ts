/**
 * The school's settings and its audit log in the console (issue 13.1), for the school's admins only
 * (teachers, guardians, other schools' admins: the same 404 as a missing page):
 * - GET  /school/:schoolId/settings — every setting by topic, the consent text as guardians see it;
 * - POST /school/:schoolId/settings — `action=save`: all or nothing through changeSchoolSettings
 *   (errors next to their fields, the typed values kept, status 422); `action=preview`: the same
 *   page with the consent text of the typed values, nothing saved;
 * - GET  /school/:schoolId/audit?page=N — the audit log, newest first, 50 a page.
 */
import { planSettingsChange, SCHOOL_SETTINGS, type SettingError } from "../../domain/school-settings";
import { consentFullText } from "../../services/consent";
import { auditLogPage, changeSchoolSettings, consentPreviewSchool, consentsToRenew, schoolSettings, type AuditLogEntry, type SchoolSettingsView } from "../../services/school-settings";
import { listStaff } from "../../services/staff";
import type { FastifyRequest } from "fastify";
import type { Types } from "mongoose";
import { Account } from "../../db/models";
import type { Translate } from "../../i18n";
import type { WebApp, WebFeature } from "../feature";
import { consoleRequest, type ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import { auditPage, fieldValue, SETTINGS_DONE, settingsPage, type SettingsDone } from "../views/console-settings";

type Body = Record<string, string | string[] | undefined>;

/** The form's values as `[key, value]`: every setting the form sent (a checkbox's last value wins over its hidden "false"). */
function givenOf(body: Body): Array<[string, string]> {
  const given: Array<[string, string]> = [];
  for (const spec of SCHOOL_SETTINGS) {
    const raw = body[spec.key];
    if (raw === undefined) continue;
    given.push([spec.key, Array.isArray(raw) ? String(raw.at(-1) ?? "") : String(raw)]);
  }
  return given;
}

function storedFields(view: SchoolSettingsView): Record<string, string> {
  return Object.fromEntries(SCHOOL_SETTINGS.map((s) => [s.key, fieldValue(s, view.values[s.key])]));
}

async function renderSettings(
  web: WebApp,
  request: FastifyRequest,
  reply: Parameters<WebApp["page"]>[1],
  input: { school: ConsoleSchool; view: SchoolSettingsView; fields: Record<string, string>; values: SchoolSettingsView["values"]; errors: readonly SettingError[]; done?: SettingsDone; previewed: boolean; status?: number },
) {
  const { t, lang } = request;
  const consent = consentPreviewSchool(input.view, input.values);
  const renew = await consentsToRenew(input.school._id, input.view.consentVersion);
  const body = settingsPage(t, {
    school: input.school,
    csrf: request.viewer!.session.csrfToken,
    lang,
    fields: input.fields,
    errors: input.errors,
    done: input.done,
    consentVersion: input.view.consentVersion,
    renew,
    preview: { text: consentFullText(t, consent), version: consent.version, changed: consent.version !== input.view.consentVersion },
    previewed: input.previewed,
  });
  return web.page(request, reply, { title: t("console:settings.title"), body, active: "console-settings", status: input.status });
}

/**
 * How the log names the accounts on its page, as the registry does: a teacher by name, an admin by the
 * label of their code, else the role (or "account") and the last four digits of the Telegram id.
 */
async function actorNames(t: Translate, schoolId: Types.ObjectId, entries: readonly AuditLogEntry[], bootstrapAdmins: readonly number[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = new Set(entries.map((e) => e.actor.accountId).filter((id): id is string => !!id));
  if (!wanted.size) return names;
  for (const m of await listStaff(schoolId, bootstrapAdmins)) {
    if (!m.accountId || !wanted.has(m.accountId) || names.has(m.accountId)) continue;
    const tail = m.telegramId ? ` …${String(m.telegramId).slice(-4)}` : "";
    const role = t(`console:role.${m.role}`);
    const known = m.teacherName ?? m.label;
    names.set(m.accountId, known ? `${known} (${role})` : m.source === "config" ? `${role} (${t("console:audit.actors.bootstrap")})` : `${role}${tail}`);
  }
  const rest = [...wanted].filter((id) => !names.has(id));
  for (const a of rest.length ? await Account.find({ _id: { $in: rest } }, { telegramId: 1 }).lean() : []) {
    names.set(String(a._id), t("console:audit.actors.account", { id: a.telegramId ? String(a.telegramId).slice(-4) : String(a._id).slice(-4) }));
  }
  return names;
}

export const consoleSettingsFeature: WebFeature = {
  name: "console-settings",
  register(app, web) {
    app.get<{ Params: { schoolId: string }; Querystring: { done?: string } }>("/school/:schoolId/settings", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const view = await schoolSettings(at.school._id);
      const done = (SETTINGS_DONE as readonly string[]).includes(request.query.done ?? "") ? (request.query.done as SettingsDone) : undefined;
      return renderSettings(web, request, reply, { school: at.school, view, fields: storedFields(view), values: view.values, errors: [], done, previewed: false });
    });

    app.post<{ Params: { schoolId: string }; Body: Body }>("/school/:schoolId/settings", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const body = request.body ?? {};
      const given = givenOf(body);
      const fields = { ...storedFields(await schoolSettings(at.school._id)), ...Object.fromEntries(given) };
      if (body.action === "preview") {
        const view = await schoolSettings(at.school._id);
        const plan = planSettingsChange(view.values, given);
        const values = plan.ok ? plan.values : view.values;
        return renderSettings(web, request, reply, { school: at.school, view, fields, values, errors: plan.ok ? [] : plan.errors, previewed: true, status: plan.ok ? 200 : 422 });
      }
      const result = await changeSchoolSettings({ schoolId: at.school._id, given, actor: { kind: "account", accountId: at.scope.account._id }, now: web.deps.now() });
      if (result.status === "invalid") {
        const view = await schoolSettings(at.school._id);
        return renderSettings(web, request, reply, { school: at.school, view, fields, values: view.values, errors: result.errors, previewed: false, status: 422 });
      }
      const done: SettingsDone = result.consentVersion ? "consent" : result.changes.length ? "saved" : "unchanged";
      return reply.redirect(`${schoolHref(at.school._id, "settings")}?done=${done}`, 303);
    });

    app.get<{ Params: { schoolId: string }; Querystring: { page?: string } }>("/school/:schoolId/audit", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const { t, lang } = request;
      const log = await auditLogPage(at.school._id, Number(request.query.page ?? 1));
      const actors = await actorNames(t, at.school._id, log.entries, web.deps.config.ADMIN_TELEGRAM_IDS);
      const body = auditPage(t, { school: at.school, lang, actors, ...log });
      return web.page(request, reply, { title: t("console:audit.title"), body, active: "console-audit" });
    });
  },
};
