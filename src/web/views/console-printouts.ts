/** The console's printouts: the school's per class and week with their hand-over, and one class's slips. */
import type { Language, Translate } from "../../i18n";
import { registryTime } from "../../print/consent-registry";
import { numericDay } from "../../print/layout-text";
import type { PrintoutRow } from "../../services/delivery-overview";
import type { SlipState } from "../../services/printouts";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { classHref } from "../console/pages";
import { html, type Html } from "../render/html";

interface Fmt {
  t: Translate;
  lang: Language;
}

export const PRINTOUT_RESULTS = ["handed", "unhanded", "nobody"] as const;

const sheetName = (f: Fmt, r: PrintoutRow) =>
  r.kind === "week" ? f.t("console:printouts.week", { day: numericDay(r.weekStart, f.lang) }) : f.t("console:printouts.day", { day: numericDay(r.weekStart, f.lang) });

function handedBadge(t: Translate, r: Pick<PrintoutRow, "slips" | "handed">): Html {
  const all = r.slips > 0 && r.handed === r.slips;
  return html`<span class="badge ${all ? "handed-all" : "handed-some"}">${t("console:printouts.handedOf", { handed: r.handed, total: r.slips })}</span>`;
}

export function schoolPrintoutsPage(f: Fmt, data: { school: ConsoleSchool; rows: PrintoutRow[] }): Html {
  const { t } = f;
  return html`<h1>${t("console:printouts.title")}</h1>
<p class="hint">${t("console:printouts.hint")}</p>
${data.rows.length ? html`<div class="table-wrap"><table class="printouts">
<thead><tr><th scope="col">${t("console:printouts.columns.sheet")}</th><th scope="col">${t("console:printouts.columns.class")}</th><th scope="col">${t("console:printouts.columns.handed")}</th><th scope="col">${t("console:printouts.columns.produced")}</th></tr></thead>
<tbody>${data.rows.map((r) => html`<tr data-handed="${r.slips === r.handed ? "all" : "some"}">
<td>${sheetName(f, r)}</td><td><a href="${classHref(data.school._id, r.classId, "printouts")}#p${r.id}">${r.className}</a></td>
<td>${handedBadge(t, r)}</td><td>${registryTime(r.producedAt, data.school.timezone)}</td>
</tr>`)}</tbody></table></div>` : html`<p>${t("console:printouts.none")}</p>`}`;
}

export interface ClassPrintouts {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  printouts: Array<PrintoutRow & { slipStates: SlipState[] }>;
  canHandOver: boolean;
  csrf: string;
  done?: (typeof PRINTOUT_RESULTS)[number];
}

export function classPrintoutsPage(f: Fmt, data: ClassPrintouts): Html {
  const { t } = f;
  const here = classHref(data.school._id, data.schoolClass._id, "printouts");
  const csrf = html`<input type="hidden" name="_csrf" value="${data.csrf}">`;
  return html`<p><a href="${classHref(data.school._id, data.schoolClass._id)}">← ${t("console:class.title", { name: data.schoolClass.name })}</a></p>
<h1>${t("console:printouts.classTitle", { name: data.schoolClass.name })}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:printouts.results.${data.done}`, { className: data.schoolClass.name })}</p>`}
<p class="hint">${t(data.canHandOver ? "console:printouts.classHint" : "console:printouts.classHintReadOnly")}</p>
${data.canHandOver && html`<form method="post" action="${here}/build">${csrf}<button type="submit" class="primary">${t("console:printouts.build")}</button></form>`}
${data.printouts.length ? data.printouts.map((p) => html`<section class="card" id="p${p.id}" aria-labelledby="h${p.id}">
<h2 id="h${p.id}">${sheetName(f, p)} ${handedBadge(t, p)}</h2>
<ul class="plain-list slips">${p.slipStates.map((s) => html`<li class="${s.handed ? "handed" : "not-handed"}">
<span>${s.handed ? "✅" : "⬜"} ${s.studentName} — ${s.guardianName}</span>
${data.canHandOver && html`<form method="post" action="${here}/handover" class="inline">${csrf}<input type="hidden" name="slip" value="${s.id}"><button type="submit">${t(s.handed ? "console:printouts.undo" : "console:printouts.markHanded")}</button></form>`}
</li>`)}</ul>
</section>`) : html`<p>${t("console:printouts.noneClass")}</p>`}`;
}
