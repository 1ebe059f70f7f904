/** The console's compliance report page and the deliveries page (failed ones with retry, broadcasts with counts). */
import type { Language, Translate } from "../../i18n";
import { COMPLIANCE_COLUMNS, complianceLines, complianceScope, smsSummary } from "../../print/compliance-report";
import { registryTime } from "../../print/consent-registry";
import { numericDay, percent } from "../../print/layout-text";
import { BROADCAST_BUCKETS, type BroadcastRow, type FailedRow } from "../../services/delivery-overview";
import type { ComplianceReport } from "../../services/reports/compliance";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import { html, type Html } from "../render/html";

interface Fmt {
  t: Translate;
  lang: Language;
}

export interface ComplianceData {
  school: ConsoleSchool;
  classes: ConsoleClass[];
  classId: string;
  periods: Array<{ id: string; name: string }>;
  report: ComplianceReport;
}

const channelName = (t: Translate, c: string) => t(`reports:compliance.channels.${c}`, { defaultValue: c });

export function compliancePage(f: Fmt, data: ComplianceData): Html {
  const { t, lang } = f;
  const { report } = data;
  const k = (key: string, options?: Record<string, unknown>) => t(`reports:compliance.${key}`, options);
  const here = schoolHref(data.school._id, "compliance");
  const query = new URLSearchParams({ ...(data.classId ? { class: data.classId } : {}), period: report.period.externalId }).toString();
  const s = report.share;
  const lines = complianceLines(report, t, lang);
  return html`<h1>${k("title")}</h1>
<p>${k("subtitle", { scope: complianceScope(report, t), period: report.period.name, start: numericDay(report.period.start, lang), end: numericDay(report.period.end, lang) })}</p>
<form method="get" action="${here}" class="card filters">
<label for="c-class">${k("class")}</label>
<select id="c-class" name="class"><option value="">${k("wholeSchool")}</option>${data.classes.map((c) => html`<option value="${String(c._id)}"${data.classId === String(c._id) ? html` selected` : ""}>${c.name}</option>`)}</select>
<label for="c-period">${t("console:deliveries.period")}</label>
<select id="c-period" name="period">${data.periods.map((p) => html`<option value="${p.id}"${p.id === report.period.externalId ? html` selected` : ""}>${p.name}</option>`)}</select>
<p><button type="submit">${t("console:registry.filter.apply")}</button></p>
</form>
<dl class="facts">
<dt>${k("share")}</dt><dd class="share"><strong>${k("shareValue", { onTime: s.onTime, results: s.results, percent: percent(s.percent, lang) })}</strong></dd>
<dt>${k("results")}</dt><dd>${s.results}. ${k("counts", { overdue: s.overdue, none: s.none, late: s.late, waiting: s.waiting })}</dd>
<dt>${k("sms")}</dt><dd>${smsSummary(report, t)}</dd>
<dt>${k("generatedAt")}</dt><dd>${registryTime(report.generatedAt, report.timezone)}</dd>
</dl>
<p class="actions"><a class="button" href="${here}.pdf?${query}">${t("console:deliveries.pdf")}</a> <a class="button" href="${here}.csv?${query}">${t("console:deliveries.csv")}</a></p>
${lines.length ? html`<div class="table-wrap"><table class="compliance">
<caption>${t("console:deliveries.complianceCaption")}</caption>
<thead><tr>${COMPLIANCE_COLUMNS.map((c) => html`<th scope="col"${c === "hours" ? html` class="num"` : ""}>${k(c)}</th>`)}</tr></thead>
<tbody>${lines.map((l) => html`<tr class="reach-${l.state}">${l.cells.map((cell, i) => (i === 0 ? html`<td><span class="badge reach-${l.state}">${cell}</span></td>` : html`<td${i === 9 ? html` class="num"` : ""}>${cell}</td>`))}</tr>`)}</tbody>
</table></div>` : html`<p>${k("none")}</p>`}
<p class="hint">${k("rules")}</p>`;
}

export const DELIVERY_RESULTS = ["retried", "cannot-retry"] as const;

export interface DeliveriesData {
  school: ConsoleSchool;
  counts: Array<[string, number]>;
  failed: FailedRow[];
  broadcasts: BroadcastRow[];
  csrf: string;
  canRetry: boolean;
  done?: (typeof DELIVERY_RESULTS)[number];
}

function audience(t: Translate, b: BroadcastRow): string {
  if (b.target.kind === "class") return t("console:deliveries.toClass", { name: b.className ?? "—" });
  if (b.target.kind === "parallel") return t("console:deliveries.toParallel", { grade: b.target.grade });
  return t("console:deliveries.toSchool");
}

export function deliveriesPage(f: Fmt, data: DeliveriesData): Html {
  const { t } = f;
  const tz = data.school.timezone;
  const here = schoolHref(data.school._id, "deliveries");
  return html`<h1>${t("console:deliveries.title")}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:deliveries.results.${data.done}`)}</p>`}
<h2>${t("console:deliveries.week")}</h2>
<p>${data.counts.length ? data.counts.map(([status, n], i) => html`${i > 0 && " · "}${t(`notify:deliveries.status.${status}`)}: <strong>${n}</strong>`) : t("notify:deliveries.nothing")}</p>
<h2 id="failed">${t("console:deliveries.failedTitle")}</h2>
<p class="hint">${t("console:deliveries.failedHint")}</p>
${data.failed.length ? html`<div class="table-wrap"><table class="failed">
<thead><tr>${["failedAt", "kind", "student", "channel", "attempts", "error"].map((c) => html`<th scope="col">${t(`console:deliveries.columns.${c}`)}</th>`)}<th scope="col"><span class="visually-hidden">${t("console:registry.columns.actions")}</span></th></tr></thead>
<tbody>${data.failed.map((d) => html`<tr>
<td>${d.failedAt ? registryTime(d.failedAt, tz) : "—"}</td><td>${t(`notify:deliveries.kind.${d.kind}`)}</td><td>${d.studentName ?? "—"}</td>
<td>${channelName(t, d.channel)}</td><td class="num">${d.attempts}</td><td><code>${d.error ?? ""}</code></td>
<td>${data.canRetry && html`<form method="post" action="${here}/${d.id}/retry" class="inline"><input type="hidden" name="_csrf" value="${data.csrf}"><button type="submit">${t("console:deliveries.retry")}</button></form>`}</td>
</tr>`)}</tbody></table></div>` : html`<p>${t("notify:deliveries.noFailed")}</p>`}
<h2 id="broadcasts">${t("console:deliveries.broadcastsTitle")}</h2>
${data.broadcasts.length ? html`<div class="table-wrap"><table class="broadcasts">
<thead><tr><th scope="col">${t("console:deliveries.columns.at")}</th><th scope="col">${t("console:deliveries.columns.audience")}</th><th scope="col">${t("console:deliveries.columns.text")}</th><th scope="col" class="num">${t("console:deliveries.columns.total")}</th>${BROADCAST_BUCKETS.map((b) => html`<th scope="col" class="num">${t(`console:deliveries.buckets.${b}`)}</th>`)}<th scope="col">${t("console:deliveries.columns.channels")}</th></tr></thead>
<tbody>${data.broadcasts.map((b) => html`<tr>
<td>${registryTime(b.at, tz)}</td><td>${audience(t, b)}</td><td class="text">${b.text === null ? html`<span class="hint">${t("console:deliveries.textErased")}</span>` : b.text.length > 140 ? `${b.text.slice(0, 140)}…` : b.text}</td>
<td class="num">${b.planned ? b.total : t("console:deliveries.planning")}</td>${BROADCAST_BUCKETS.map((k) => html`<td class="num">${b.counts[k]}</td>`)}
<td>${Object.entries(b.channels).map(([c, n]) => `${channelName(t, c)}: ${n}`).join(", ")}</td>
</tr>`)}</tbody></table></div>` : html`<p>${t("console:deliveries.noBroadcasts")}</p>`}`;
}
