/**
 * The consent registry of a class in the school's console (issue 13, docs/web.md): every guardian
 * record and person with their decision (state, form, date, who registered it, the statement),
 * filters, the CSV for Excel and the pre-filled paper forms for non-responders (staff of the class);
 * registering a written decision with its contacts, number and date (an e-document: the signed
 * file's hash), and a change of contacts on its own (admins), through the services the bot's
 * /paperconsent and the paper-consent CLI use.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Types } from "mongoose";
import { CONSENT_DECISIONS, EMAIL_RE, PHONE_RE, type ConsentDecision } from "../../db/models";
import { normalizePhone } from "../../domain/codes";
import { schoolDay } from "../../domain/time";
import { translator } from "../../i18n";
import { classConsentRegistry, guardianOfClass, REGISTRY_FORMS, REGISTRY_STATES, type RegistryFilter } from "../../services/consent-registry";
import { consentFormsOfClass } from "../../services/non-responders";
import { accountsOfRecord, PAPER_FORMS, PaperConsentError, registerPaperDecision, registerWrittenContacts, type PaperForm } from "../../services/paper-consent";
import { consentRegistryCsv } from "../../print/consent-registry";
import { consoleRequest } from "../console/access";
import { classHref } from "../console/pages";
import { isUpload, withUploads } from "../console/upload";
import type { WebApp, WebFeature } from "../feature";
import { guardianFormsPage, registryPage, REGISTRY_RESULTS, type GuardianForms, type WrittenInput } from "../views/console-registry";

type ClassParams = { schoolId: string; classId: string };
type GuardianParams = ClassParams & { guardianId: string };
type Body = Record<string, unknown>;

const oneOf = <T extends string>(list: readonly T[], value: unknown): T | undefined => (list as readonly unknown[]).includes(value) ? (value as T) : undefined;
const text = (body: Body, key: string) => (typeof body[key] === "string" ? (body[key] as string).trim() : "");

function filterOf(query: Record<string, unknown>): RegistryFilter {
  return { state: oneOf(REGISTRY_STATES, query.state), form: oneOf(REGISTRY_FORMS, query.form) };
}

/** The form's fields, checked (an i18n key of the first problem, or the values for the services). */
function readWritten(body: Body, kind: "decision" | "contacts", today: string): { input: WrittenInput; error?: string } {
  const input: WrittenInput = {
    decision: oneOf(CONSENT_DECISIONS, body.decision), form: oneOf(PAPER_FORMS, body.form), signer: text(body, "signer") || "record",
    number: text(body, "number"), date: text(body, "date"), email: text(body, "email"), phone: text(body, "phone"),
    removeEmail: body.removeEmail === "1", removePhone: body.removePhone === "1",
  };
  const file = isUpload(body.file) && body.file.size > 0 ? body.file : null;
  const fail = (error: string) => ({ input, error });
  if (kind === "decision" && !input.decision) return fail("decision");
  if (!input.form) return fail("form");
  if (!input.number || input.number.length > 100) return fail("number");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || Number.isNaN(Date.parse(`${input.date}T00:00:00Z`))) return fail("date");
  if (input.date > today) return fail("dateFuture");
  if (input.form === "edoc" && !file) return fail("file");
  if (input.email && !EMAIL_RE.test(input.email.toLowerCase())) return fail("email");
  if (input.phone && !PHONE_RE.test(normalizePhone(input.phone))) return fail("phone");
  if (kind === "decision" && (input.email || input.phone) && input.decision !== "granted") return fail("contactsNeedConsent");
  if (kind === "contacts" && !input.email && !input.phone && !input.removeEmail && !input.removePhone) return fail("noContacts");
  input.fileHash = input.form === "edoc" ? file?.sha256 : undefined;
  return { input };
}

export const consoleRegistryFeature: WebFeature = {
  name: "console-registry",
  register(app, web: WebApp) {
    const base = "/school/:schoolId/class/:classId/consents";

    app.get<{ Params: ClassParams; Querystring: Record<string, string> }>(base, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      const filter = filterOf(request.query);
      const rows = await classConsentRegistry(at.school._id, schoolClass._id, filter);
      const { t } = request;
      const body = registryPage({ t, lang: request.lang }, { school: at.school, schoolClass, rows, filter, done: oneOf(REGISTRY_RESULTS, request.query.done) });
      return web.page(request, reply, { title: t("console:registry.title", { name: schoolClass.name }), body, active: "console-consents" });
    });

    app.get<{ Params: ClassParams; Querystring: Record<string, string> }>(`${base}.csv`, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const rows = await classConsentRegistry(at.school._id, at.schoolClass!._id, filterOf(request.query));
      const csv = consentRegistryCsv(rows, request.t, at.school.timezone);
      const name = encodeURIComponent(request.t("console:registry.csvName", { name: at.schoolClass!.name }));
      return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="consents.csv"; filename*=UTF-8''${name}`).send(csv);
    });

    app.get<{ Params: ClassParams }>(`${base}/forms.pdf`, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      // Paper forms are in Russian, as the bot's (the school's language).
      const forms = await consentFormsOfClass(at.school._id, at.schoolClass!._id, web.deps.now(), translator(web.deps.i18n, "ru"), "ru");
      if (!forms) return reply.redirect(`${classHref(at.school._id, at.schoolClass!._id, "consents")}?done=no-forms`, 303);
      const name = encodeURIComponent(forms.fileName);
      return reply.type("application/pdf").header("content-disposition", `attachment; filename="consent-forms.pdf"; filename*=UTF-8''${name}`).send(forms.pdf);
    });

    /** The guardian's forms, or the 404 already sent (admins only; the record must be of this class). */
    async function guardianAt(request: FastifyRequest<{ Params: GuardianParams }>, reply: FastifyReply) {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return null;
      const guardian = await guardianOfClass(at.school._id, at.schoolClass!._id, request.params.guardianId);
      if (!guardian) {
        await web.notFound(request, reply);
        return null;
      }
      const rows = (await classConsentRegistry(at.school._id, at.schoolClass!._id)).filter((r) => r.guardianId.equals(guardian._id));
      const accounts = await accountsOfRecord(at.school._id, guardian._id);
      return { at, guardian, rows, accounts };
    }

    async function showForms(request: FastifyRequest<{ Params: GuardianParams }>, reply: FastifyReply, extra: Partial<GuardianForms> = {}) {
      const found = await guardianAt(request, reply);
      if (!found) return reply;
      const { at, guardian, rows, accounts } = found;
      const { t } = request;
      const data: GuardianForms = {
        school: at.school, schoolClass: at.schoolClass!, guardianId: String(guardian._id), guardianName: guardian.fullName ?? null, rows,
        accounts: accounts.map((a) => ({ id: a.id, tail: a.telegramId ? String(a.telegramId).slice(-4) : "", since: a.since })),
        csrf: request.viewer!.session.csrfToken, today: schoolDay(web.deps.now(), at.school.timezone), ...extra,
      };
      return web.page(request, reply, {
        title: t("console:registry.guardianTitle"), body: guardianFormsPage({ t, lang: request.lang }, data), active: "console-consents", status: extra.error ? 422 : 200,
      });
    }

    app.get<{ Params: GuardianParams }>(`${base}/guardian/:guardianId`, (request, reply) => showForms(request, reply));

    withUploads(app, (scope) => {
      for (const kind of ["decision", "contacts"] as const) {
        scope.post<{ Params: GuardianParams; Body: Body }>(`${base}/guardian/:guardianId/${kind}`, async (request, reply) => {
          const found = await guardianAt(request, reply);
          if (!found) return reply;
          const { at, guardian, accounts } = found;
          const now = web.deps.now();
          const { input, error } = readWritten(request.body ?? {}, kind, schoolDay(now, at.school.timezone));
          const signer = input.signer === "record" ? undefined : accounts.find((a) => a.id === input.signer);
          if (error || (input.signer !== "record" && !signer)) return showForms(request, reply, { error: error ?? "signer", input, open: kind });
          const signerAccountId = signer ? new Types.ObjectId(signer.id) : undefined;
          const document = { number: input.number, date: input.date, ...(input.fileHash ? { fileHash: input.fileHash } : {}) };
          const contacts = { ...(input.email ? { email: input.email } : {}), ...(input.phone ? { phone: input.phone } : {}) };
          try {
            if (kind === "decision") {
              await registerPaperDecision({
                schoolId: at.school._id, guardianId: guardian._id, decision: input.decision as ConsentDecision, form: input.form as PaperForm,
                t: translator(web.deps.i18n, "ru"), now, recordedBy: at.scope.account._id, contacts, signerAccountId, document,
              });
            } else {
              const remove = [...(input.removeEmail ? ["email" as const] : []), ...(input.removePhone ? ["phone" as const] : [])];
              await registerWrittenContacts({
                schoolId: at.school._id, guardianId: guardian._id, form: input.form as PaperForm, now, recordedBy: at.scope.account._id, document, contacts, remove, signerAccountId,
              });
            }
          } catch (e) {
            if (!(e instanceof PaperConsentError)) throw e;
            request.log.info({ guardianId: String(guardian._id), reason: e.message }, "written consent refused");
            return showForms(request, reply, { error: "refused", input, open: kind });
          }
          request.log.info({ guardianId: String(guardian._id), kind, form: input.form }, "written consent registered in the console");
          return reply.redirect(`${classHref(at.school._id, at.schoolClass!._id, "consents")}?done=${kind === "decision" ? "registered" : "contacts"}`, 303);
        });
      }
    });
  },
};
