/**
 * The console's settings page (every rule of the school by topic, each with its meaning; errors next
 * to their fields with the values kept; the consent text as a guardian will see it) and the audit
 * log page (who, when, what before and after, newest first). src/web/routes/console-settings.ts.
 */
import { formatSetting, SCHOOL_SETTINGS, SETTING_GROUPS, settingSpec, type SettingError, type SettingSpec, type SettingValue } from "../../domain/school-settings";
import { dayjs, inZone } from "../../domain/time";
import type { Language, Translate } from "../../i18n";
import type { AuditLogEntry } from "../../services/school-settings";
import type { ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import { html, type Html } from "../render/html";

/** Russia's zones first in the time zone field's suggestions (any IANA name is accepted). */
const SUGGESTED_ZONES = [
  "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
  "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
];

/** Result lines a redirect may name (?done=...). */
export const SETTINGS_DONE = ["saved", "unchanged", "consent"] as const;
export type SettingsDone = (typeof SETTINGS_DONE)[number];

export interface SettingsPageData {
  school: ConsoleSchool;
  csrf: string;
  lang: Language;
  /** What each field shows: the stored values, or what was typed when the form comes back. */
  fields: Record<string, string>;
  errors: readonly SettingError[];
  done?: SettingsDone;
  consentVersion: string;
  /** Accounts whose consent in the bot a new version would ask again. */
  renew: number;
  /** The consent's full text with these values, and whether it would get a new version. */
  preview: { text: string; version: string; changed: boolean };
  /** The form came back from "preview" (nothing saved). */
  previewed: boolean;
}

const fieldId = (key: string) => `f-${key.replace(/\./g, "-")}`;

/** A stored value as a form field shows it (work type weights one a line). */
export function fieldValue(spec: SettingSpec, value: SettingValue | undefined): string {
  const text = formatSetting(value ?? null);
  return spec.kind.type === "weights" ? text.split(", ").join("\n") : text;
}

const weekdayName = (lang: Language, day: number) => dayjs("2026-11-30").add(day - 1, "day").locale(lang).format("dddd");

export function settingErrorMessage(t: Translate, error: SettingError): string {
  return t(`console:settings.errors.${error.code}`, { ...error.params, key: t(`console:settings.labels.${error.key}`, { defaultValue: error.key }) });
}

function field(t: Translate, data: SettingsPageData, spec: SettingSpec): Html {
  const id = fieldId(spec.key);
  const value = data.fields[spec.key] ?? "";
  const error = data.errors.find((e) => e.key === spec.key);
  const described = `${id}-hint${error ? ` ${id}-error` : ""}`;
  const invalid = error ? html` aria-invalid="true"` : "";
  const common = html`id="${id}" name="${spec.key}" aria-describedby="${described}"${invalid}`;
  const kind = spec.kind;
  const label = t(`console:settings.labels.${spec.key}`);
  const badge = spec.consent ? html` <span class="badge">${t("console:settings.inConsent")}</span>` : "";
  const hint = html`<p class="hint" id="${id}-hint">${t(`console:settings.hints.${spec.key}`)}</p>`;
  const errorLine = error ? html`<p class="error" id="${id}-error">${settingErrorMessage(t, error)}</p>` : "";
  if (kind.type === "bool") {
    return html`<div class="setting">
  <input type="hidden" name="${spec.key}" value="false">
  <label class="check"><input type="checkbox" value="true" ${common}${value === "true" ? html` checked` : ""}> ${label}${badge}</label>
  ${hint}${errorLine}
</div>`;
  }
  let control: Html;
  if (kind.type === "text" && kind.multiline) control = html`<textarea ${common} rows="6" maxlength="${kind.max}">${value}</textarea>`;
  else if (kind.type === "weights") control = html`<textarea ${common} rows="4">${value}</textarea>`;
  else if (kind.type === "weekday" || kind.type === "choice") {
    const options = kind.type === "weekday"
      ? [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: String(d), label: weekdayName(data.lang, d) }))
      : kind.options.map((o) => ({ value: o, label: t(`console:settings.choices.${spec.key}.${o}`) }));
    control = html`<select ${common}>
    ${options.map((o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ""}>${o.label}</option>`)}
  </select>`;
  } else {
    const short = kind.type === "time" || kind.type === "int" || kind.type === "decimal";
    const mode = kind.type === "decimal" ? "decimal" : kind.type === "text" || kind.type === "timezone" ? null : "numeric";
    control = html`<input type="text" ${common} value="${value}"${short ? html` class="short"` : ""}${mode ? html` inputmode="${mode}"` : ""}${kind.type === "text" ? html` maxlength="${kind.max}"` : ""}${kind.type === "time" ? html` placeholder="${t("console:settings.timePlaceholder")}"` : ""}${kind.type === "timezone" ? html` list="zones" autocomplete="off" spellcheck="false"` : ""}>`;
  }
  return html`<div class="setting">
  <label for="${id}">${label}${badge}</label>
  ${control}
  ${hint}${errorLine}
</div>`;
}

export function settingsPage(t: Translate, data: SettingsPageData): Html {
  const { school } = data;
  const action = schoolHref(school._id, "settings");
  return html`<p><a href="${schoolHref(school._id)}">← ${school.name}</a></p>
<h1>${t("console:settings.title")}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:settings.done.${data.done}`, { version: data.consentVersion })}</p>`}
${data.previewed && !data.errors.length && html`<p class="notice" role="status">${t("console:settings.previewed")}</p>`}
${data.errors.length > 0 && html`<div class="card risk" role="alert">
  <p><strong>${t("console:settings.errorsTitle", { count: data.errors.length })}</strong></p>
  <ul>${data.errors.map((e) => html`<li><a href="#${fieldId(e.key)}">${t(`console:settings.labels.${e.key}`, { defaultValue: e.key })}</a>: ${settingErrorMessage(t, e)}</li>`)}</ul>
</div>`}
<p class="hint">${t("console:settings.intro", { zone: school.timezone })}</p>
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="_csrf" value="${data.csrf}">
  <datalist id="zones">${SUGGESTED_ZONES.map((z) => html`<option value="${z}"></option>`)}</datalist>
  ${SETTING_GROUPS.map((group) => html`<section class="card" aria-labelledby="g-${group}">
  <h2 id="g-${group}">${t(`console:settings.groups.${group}`)}</h2>
  ${group === "consent" ? consentIntro(t, data) : ""}
  ${SCHOOL_SETTINGS.filter((s) => s.group === group).map((s) => field(t, data, s))}
  ${group === "consent" ? html`<p><button type="submit" name="action" value="preview">${t("console:settings.preview")}</button></p>
  ${consentPreview(t, data)}` : ""}
</section>`)}
  <p><button class="primary" type="submit" name="action" value="save">${t("console:settings.save")}</button></p>
</form>
<p><a href="${schoolHref(school._id, "audit")}">${t("console:settings.toAudit")}</a></p>`;
}

function consentIntro(t: Translate, data: SettingsPageData): Html {
  return html`<p class="hint">${t("console:settings.consentVersion", { version: data.consentVersion })}</p>
<p class="card risk">${t("console:settings.consentWarning")} ${t("console:settings.consentRenew", { count: data.renew })}</p>`;
}

function consentPreview(t: Translate, data: SettingsPageData): Html {
  const { preview } = data;
  return html`<details class="consent-preview"${data.previewed ? html` open` : ""}>
  <summary>${t("console:settings.previewTitle")}</summary>
  ${preview.changed && html`<p class="notice">${t("console:settings.previewNewVersion", { version: preview.version })}</p>`}
  <div class="consent-text" lang="${data.lang}">${preview.text.split("\n\n").map((p) => html`<p>${p}</p>`)}</div>
</details>`;
}

export interface AuditPageData {
  school: ConsoleSchool;
  lang: Language;
  entries: readonly AuditLogEntry[];
  /** Account id → how the school knows the person (teacher's name, the admin code's label, the Telegram id's tail). */
  actors: ReadonlyMap<string, string>;
  total: number;
  page: number;
  pages: number;
}

/** A value of the log as people read it: settings as the page shows them, anything else as compact JSON. */
function loggedValue(t: Translate, lang: Language, key: string | null, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  const spec = key ? settingSpec(key) : undefined;
  if (spec) {
    if (typeof value === "boolean") return t(value ? "console:settings.yes" : "console:settings.no");
    if (spec.kind.type === "weekday" && typeof value === "number") return weekdayName(lang, value);
    if (spec.kind.type === "choice" && typeof value === "string") return t(`console:settings.choices.${key}.${value}`, { defaultValue: value });
    if (spec.kind.type === "weights" && typeof value === "object" && !Object.keys(value as object).length) return "—";
    return formatSetting(value as SettingValue);
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

function actorText(t: Translate, data: AuditPageData, actor: AuditLogEntry["actor"]): string {
  if (actor.kind === "cli") return t("console:audit.actors.cli", { name: actor.name ?? "" });
  if (actor.kind === "system") return t("console:audit.actors.system", { name: actor.name ?? "" });
  const known = actor.accountId ? data.actors.get(actor.accountId) : undefined;
  return known ?? t("console:audit.actors.account", { id: actor.accountId?.slice(-4) ?? "—" });
}

function whatText(t: Translate, entry: AuditLogEntry): string {
  const action = t(`console:audit.actions.${entry.action}`, { defaultValue: entry.action });
  if (entry.action !== "school.setting-changed" || !entry.key) return action;
  return entry.key === "consent.version" ? t("console:audit.consentVersion") : t(`console:settings.labels.${entry.key}`, { defaultValue: entry.key });
}

export function auditPage(t: Translate, data: AuditPageData): Html {
  const { school } = data;
  const href = (page: number) => `${schoolHref(school._id, "audit")}${page > 1 ? `?page=${page}` : ""}`;
  const pager = data.pages > 1 && html`<nav class="pager" aria-label="${t("console:audit.pages")}">
  ${data.page > 1 ? html`<a href="${href(data.page - 1)}" rel="prev">← ${t("console:audit.newer")}</a>` : html`<span></span>`}
  <span>${t("console:audit.pageOf", { page: data.page, pages: data.pages })}</span>
  ${data.page < data.pages ? html`<a href="${href(data.page + 1)}" rel="next">${t("console:audit.older")} →</a>` : html`<span></span>`}
</nav>`;
  return html`<p><a href="${schoolHref(school._id)}">← ${school.name}</a></p>
<h1>${t("console:audit.title")}</h1>
<p class="hint">${t("console:audit.intro", { count: data.total, zone: school.timezone })}</p>
${data.entries.length === 0
    ? html`<p>${t("console:audit.empty")}</p>`
    : html`${pager}<div class="table-wrap"><table class="audit">
  <caption class="visually-hidden">${t("console:audit.title")}</caption>
  <thead><tr><th scope="col">${t("console:audit.when")}</th><th scope="col">${t("console:audit.who")}</th><th scope="col">${t("console:audit.what")}</th><th scope="col">${t("console:audit.before")}</th><th scope="col">${t("console:audit.after")}</th></tr></thead>
  <tbody>
  ${data.entries.map((e) => html`<tr>
    <td><time datetime="${e.at.toISOString()}">${inZone(e.at, school.timezone).format("DD.MM.YYYY HH:mm")}</time></td>
    <td>${actorText(t, data, e.actor)}</td>
    <td>${whatText(t, e)}${e.reason && html`<span class="hint"> — ${e.reason}</span>`}</td>
    <td class="value">${loggedValue(t, data.lang, e.key, e.before)}</td>
    <td class="value">${loggedValue(t, data.lang, e.key, e.after)}</td>
  </tr>`)}
  </tbody>
</table></div>${pager}`}`;
}
