/**
 * The consent registry's pages: the class's table with its filters and exports, and one guardian
 * record's forms (a written decision; contacts on their own). Values escaped by `html`.
 */
import type { ConsentDecision } from "../../db/models";
import { formatDay } from "../../domain/format";
import type { Language, Translate } from "../../i18n";
import { registryContacts, registryPerson, registryRegistrar, registryTime } from "../../print/consent-registry";
import { REGISTRY_FORMS, REGISTRY_STATES, type RegistryFilter, type RegistryRow } from "../../services/consent-registry";
import { PAPER_FORMS, type PaperForm } from "../../services/paper-consent";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { classHref } from "../console/pages";
import { html, type Html } from "../render/html";

interface Fmt {
  t: Translate;
  lang: Language;
}

/** Result lines a redirect may name (?done=...). */
export const REGISTRY_RESULTS = ["registered", "contacts", "no-forms"] as const;

export interface RegistryData {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  rows: RegistryRow[];
  filter: RegistryFilter;
  done?: (typeof REGISTRY_RESULTS)[number];
}

const query = (filter: RegistryFilter) => {
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>).toString();
  return q ? `?${q}` : "";
};

function documentOf(f: Fmt, row: RegistryRow): Html | string {
  if (!row.document) return row.note ?? "";
  const { t, lang } = f;
  return html`${t("console:registry.documentLine", { number: row.document.number, date: formatDay(row.document.date, lang, "withYear") })}${
    row.document.fileHash && html`<br><span class="hint" title="${row.document.fileHash}">SHA-256 ${row.document.fileHash.slice(0, 12)}…</span>`}`;
}

export function registryPage(f: Fmt, data: RegistryData): Html {
  const { t } = f;
  const { school, schoolClass, rows, filter } = data;
  const here = classHref(school._id, schoolClass._id, "consents");
  const select = (name: "state" | "form", values: readonly string[]) => html`<label for="f-${name}">${t(`console:registry.filter.${name}`)}</label>
<select id="f-${name}" name="${name}"><option value="">${t("console:registry.filter.any")}</option>
${values.map((v) => html`<option value="${v}"${filter[name] === v ? html` selected` : ""}>${t(`console:registry.${name}.${v}`)}</option>`)}</select>`;
  return html`<p><a href="${classHref(school._id, schoolClass._id)}">← ${t("console:class.title", { name: schoolClass.name })}</a></p>
<h1>${t("console:registry.title", { name: schoolClass.name })}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:registry.results.${data.done}`)}</p>`}
<p class="hint">${t(school.admin ? "console:registry.hintAdmin" : "console:registry.hintTeacher")}</p>
<form method="get" action="${here}" class="card filters">
${select("state", REGISTRY_STATES)}
${select("form", REGISTRY_FORMS)}
<p><button type="submit">${t("console:registry.filter.apply")}</button> <a href="${here}">${t("console:registry.filter.reset")}</a></p>
</form>
<p class="actions"><a class="button" href="${here}.csv${query(filter)}" download>${t("console:registry.csv")}</a>
<a class="button" href="${here}/forms.pdf">${t("console:registry.formsPdf")}</a></p>
${rows.length ? html`<div class="table-wrap"><table class="registry">
<caption>${t("console:registry.caption", { count: rows.length })}</caption>
<thead><tr>${["student", "guardian", "state", "form", "decidedAt", "registeredBy", "docNumber", "contacts"].map((c) => html`<th scope="col">${t(`console:registry.columns.${c}`)}</th>`)}${school.admin && html`<th scope="col"><span class="visually-hidden">${t("console:registry.columns.actions")}</span></th>`}</tr></thead>
<tbody>
${rows.map((r) => html`<tr data-state="${r.state}">
<th scope="row">${r.studentName}</th>
<td>${r.guardianName ?? t("console:registry.noName")}<span class="hint">${registryPerson(t, r)}</span></td>
<td><span class="badge state-${r.state}">${t(`console:registry.state.${r.state}`)}</span></td>
<td>${t(`console:registry.form.${r.form}`)}</td>
<td>${r.decidedAt ? registryTime(r.decidedAt, school.timezone) : "—"}</td>
<td>${registryRegistrar(t, r)}</td>
<td>${documentOf(f, r)}</td>
<td>${registryContacts(t, r)}</td>
${school.admin && html`<td><a href="${here}/guardian/${String(r.guardianId)}">${t("console:registry.register")}</a></td>`}
</tr>`)}
</tbody></table></div>` : html`<p>${t("console:registry.empty")}</p>`}`;
}

/** What was typed into a form (to show it again with the problem). */
export interface WrittenInput {
  decision?: ConsentDecision;
  form?: PaperForm;
  signer: string;
  number: string;
  date: string;
  email: string;
  phone: string;
  removeEmail: boolean;
  removePhone: boolean;
  fileHash?: string;
}

export interface GuardianForms {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  guardianId: string;
  guardianName: string | null;
  rows: RegistryRow[];
  accounts: Array<{ id: string; tail: string; since: Date | null }>;
  csrf: string;
  today: string;
  error?: string;
  input?: WrittenInput;
  open?: "decision" | "contacts";
}

function commonFields(f: Fmt, data: GuardianForms, kind: "decision" | "contacts"): Html {
  const { t } = f;
  const typed = data.open === kind ? data.input : undefined;
  const id = (name: string) => `${kind}-${name}`;
  const signer = typed?.signer ?? "record";
  return html`<fieldset><legend>${t("console:registry.fields.form")}</legend>
${PAPER_FORMS.map((form) => html`<label class="check"><input type="radio" name="form" value="${form}"${(typed?.form ?? "paper") === form ? html` checked` : ""}> ${t(`console:registry.form.${form}`)}</label>`)}
</fieldset>
${data.accounts.length > 0 && html`<fieldset><legend>${t("console:registry.fields.signer")}</legend>
<p class="hint">${t("console:registry.fields.signerHint")}</p>
<label class="check"><input type="radio" name="signer" value="record"${signer === "record" ? html` checked` : ""}> ${t("console:registry.person.record")}</label>
${data.accounts.map((a) => html`<label class="check"><input type="radio" name="signer" value="${a.id}"${signer === a.id ? html` checked` : ""}> ${t("console:registry.person.account", { tail: a.tail })}${a.since && html` <span class="hint">${t("console:registry.fields.since", { date: registryTime(a.since, data.school.timezone) })}</span>`}</label>`)}
</fieldset>`}
<label for="${id("number")}">${t("console:registry.fields.number")}</label>
<input type="text" id="${id("number")}" name="number" required maxlength="100" value="${typed?.number ?? ""}">
<label for="${id("date")}">${t("console:registry.fields.date")}</label>
<input type="date" id="${id("date")}" name="date" required max="${data.today}" value="${typed?.date ?? data.today}">
<label for="${id("file")}">${t("console:registry.fields.file")}</label>
<input type="file" id="${id("file")}" name="file">
<p class="hint">${t("console:registry.fields.fileHint")}</p>
<label for="${id("email")}">${t("console:registry.fields.email")}</label>
<input type="email" id="${id("email")}" name="email" maxlength="254" value="${typed?.email ?? ""}">
<label for="${id("phone")}">${t("console:registry.fields.phone")}</label>
<input type="tel" id="${id("phone")}" name="phone" maxlength="20" value="${typed?.phone ?? ""}">`;
}

export function guardianFormsPage(f: Fmt, data: GuardianForms): Html {
  const { t } = f;
  const here = classHref(data.school._id, data.schoolClass._id, "consents");
  const action = (kind: string) => `${here}/guardian/${data.guardianId}/${kind}`;
  const typed = data.open === "decision" ? data.input : undefined;
  const error = (kind: "decision" | "contacts") =>
    data.error && data.open === kind && html`<p class="error" role="alert">${t(`console:registry.errors.${data.error}`)}</p>`;
  return html`<p><a href="${here}">← ${t("console:registry.title", { name: data.schoolClass.name })}</a></p>
<h1>${data.guardianName ?? t("console:registry.noName")}</h1>
<ul class="plain">${data.rows.map((r) => html`<li>${r.studentName}: ${registryPerson(t, r)} — <strong>${t(`console:registry.state.${r.state}`)}</strong>, ${t(`console:registry.form.${r.form}`)}${r.decidedAt && `, ${registryTime(r.decidedAt, data.school.timezone)}`}</li>`)}</ul>
<section class="card" aria-labelledby="decision-title">
<h2 id="decision-title">${t("console:registry.decisionTitle")}</h2>
<p class="hint">${t("console:registry.decisionHint")}</p>
${error("decision")}
<form method="post" action="${action("decision")}" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${data.csrf}">
<fieldset><legend>${t("console:registry.fields.decision")}</legend>
${(["granted", "declined", "withdrawn"] as const).map((d) => html`<label class="check"><input type="radio" name="decision" value="${d}" required${typed?.decision === d ? html` checked` : ""}> ${t(`console:registry.decision.${d}`)}</label>`)}
</fieldset>
${commonFields(f, data, "decision")}
<p class="hint">${t("console:registry.fields.contactsHint")}</p>
<p><button type="submit" class="primary">${t("console:registry.decisionSubmit")}</button></p>
</form>
</section>
<section class="card" aria-labelledby="contacts-title">
<h2 id="contacts-title">${t("console:registry.contactsTitle")}</h2>
<p class="hint">${t("console:registry.contactsHint")}</p>
${error("contacts")}
<form method="post" action="${action("contacts")}" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${data.csrf}">
${commonFields(f, data, "contacts")}
<label class="check"><input type="checkbox" name="removeEmail" value="1"${data.open === "contacts" && data.input?.removeEmail ? html` checked` : ""}> ${t("console:registry.fields.removeEmail")}</label>
<label class="check"><input type="checkbox" name="removePhone" value="1"${data.open === "contacts" && data.input?.removePhone ? html` checked` : ""}> ${t("console:registry.fields.removePhone")}</label>
<p><button type="submit">${t("console:registry.contactsSubmit")}</button></p>
</form>
</section>`;
}
