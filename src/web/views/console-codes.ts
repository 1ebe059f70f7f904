/** The console's invite codes: the issue forms, the list of codes with their state, the page that shows new codes once. */
import type { Role } from "../../db/models";
import type { Language, Translate } from "../../i18n";
import type { Slip } from "../../print/code-slips";
import { registryTime } from "../../print/consent-registry";
import { CODE_STATES, type CodeState, type ListedCode } from "../../services/code-list";
import type { StaffLabel } from "../../services/consent-registry";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import { html, type Html } from "../render/html";

interface Fmt {
  t: Translate;
  lang: Language;
}

export const CODE_RESULTS = [
  "revoked", "used", "already-revoked", "revoked-class", "bad-request", "refused", "student-needs-consent", "no-students",
] as const;

export interface CodesData {
  school: ConsoleSchool;
  classes: ConsoleClass[];
  /** A class id, "staff", or "" (all). */
  classFilter: string;
  state?: CodeState;
  codes: ListedCode[];
  students: Array<{ id: string; name: string }>;
  teachers: Array<{ id: string; name: string }>;
  csrf: string;
  done?: (typeof CODE_RESULTS)[number];
  count: number;
}

export const staffLabel = (t: Translate, by: StaffLabel | null): string =>
  !by ? t("console:codes.byCli") : "teacher" in by ? by.teacher : t("console:registry.byAdmin", { tail: by.admin ?? "" });

function formats(t: Translate, name: string, chosen: "pdf" | "screen"): Html {
  return html`<fieldset class="formats"><legend>${t("console:codes.format")}</legend>
${(["pdf", "csv", "screen"] as const).map((f) => html`<label class="check"><input type="radio" name="${name}" value="${f}"${f === chosen ? html` checked` : ""}> ${t(`console:codes.formats.${f}`)}</label>`)}
</fieldset>`;
}

function whom(t: Translate, c: ListedCode): Html {
  if (c.role === "teacher") return html`${c.teacherName ?? "—"}<span class="hint">${t("console:codes.role.teacher")}${c.label && c.label !== c.teacherName ? `: ${c.label}` : ""}</span>`;
  if (c.role === "admin") return html`${c.label ?? "—"}<span class="hint">${t("console:codes.role.admin")}</span>`;
  return html`${c.studentName ?? "—"}<span class="hint">${t(`console:codes.role.${c.role}`)}${c.className ? `, ${c.className}` : ""}</span>`;
}

export function codesPage(f: Fmt, data: CodesData): Html {
  const { t } = f;
  const { school } = data;
  const here = schoolHref(school._id, "codes");
  const tz = school.timezone;
  const hidden = html`<input type="hidden" name="_csrf" value="${data.csrf}">`;
  const chosenClass = data.classes.find((c) => String(c._id) === data.classFilter);
  return html`<h1>${t("console:codes.title")}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:codes.results.${data.done}`, { count: data.count })}</p>`}
<p class="hint">${t("console:codes.hint")}</p>
<section class="card" aria-labelledby="issue-class">
<h2 id="issue-class">${t("console:codes.issueClass")}</h2>
<form method="post" action="${here}/issue">${hidden}<input type="hidden" name="kind" value="class">
<label for="issue-class-id">${t("console:codes.class")}</label>
<select id="issue-class-id" name="classId" required>${data.classes.map((c) => html`<option value="${String(c._id)}"${chosenClass?._id.equals(c._id) ? html` selected` : ""}>${c.name}</option>`)}</select>
${formats(t, "format", "pdf")}
<p class="hint">${t("console:codes.issueClassHint")}</p>
<p><button type="submit" class="primary">${t("console:codes.issue")}</button></p>
</form>
</section>
<section class="card" aria-labelledby="issue-student">
<h2 id="issue-student">${t("console:codes.issueStudent")}</h2>
${chosenClass ? html`<form method="post" action="${here}/issue">${hidden}<input type="hidden" name="kind" value="student">
<label for="issue-student-id">${t("console:codes.student", { name: chosenClass.name })}</label>
<select id="issue-student-id" name="studentId" required>${data.students.map((s) => html`<option value="${s.id}">${s.name}</option>`)}</select>
<fieldset><legend>${t("console:codes.forWhom")}</legend>
<label class="check"><input type="radio" name="role" value="guardian" checked> ${t("console:codes.role.guardian")}</label>
<label class="check"><input type="radio" name="role" value="student"> ${t("console:codes.role.student")}</label>
</fieldset>
${formats(t, "format", "screen")}
<p><button type="submit">${t("console:codes.issue")}</button></p>
</form>` : html`<p class="hint">${t("console:codes.chooseClassFirst")}</p>`}
</section>
<section class="card" aria-labelledby="issue-teacher">
<h2 id="issue-teacher">${t("console:codes.issueTeacher")}</h2>
<form method="post" action="${here}/issue">${hidden}<input type="hidden" name="kind" value="teacher">
<label for="issue-teacher-id">${t("console:codes.teacher")}</label>
<select id="issue-teacher-id" name="teacherId" required>${data.teachers.map((x) => html`<option value="${x.id}">${x.name}</option>`)}</select>
<label for="issue-teacher-label">${t("console:codes.label")}</label>
<input type="text" id="issue-teacher-label" name="label" maxlength="100">
${formats(t, "format", "screen")}
<p><button type="submit">${t("console:codes.issue")}</button></p>
</form>
</section>
<h2 id="list">${t("console:codes.listTitle")}</h2>
<form method="get" action="${here}" class="card filters">
<label for="f-class">${t("console:codes.class")}</label>
<select id="f-class" name="class"><option value="">${t("console:codes.allClasses")}</option><option value="staff"${data.classFilter === "staff" ? html` selected` : ""}>${t("console:codes.staff")}</option>
${data.classes.map((c) => html`<option value="${String(c._id)}"${data.classFilter === String(c._id) ? html` selected` : ""}>${c.name}</option>`)}</select>
<label for="f-state">${t("console:codes.stateLabel")}</label>
<select id="f-state" name="state"><option value="">${t("console:registry.filter.any")}</option>
${CODE_STATES.map((s) => html`<option value="${s}"${data.state === s ? html` selected` : ""}>${t(`console:codes.state.${s}`)}</option>`)}</select>
<p><button type="submit">${t("console:registry.filter.apply")}</button></p>
</form>
${chosenClass && html`<form method="post" action="${here}/revoke-class" class="inline">${hidden}<input type="hidden" name="classId" value="${String(chosenClass._id)}">
<button type="submit" class="danger">${t("console:codes.revokeClass", { name: chosenClass.name })}</button></form>`}
${data.codes.length ? html`<div class="table-wrap"><table class="codes">
<caption>${t("console:codes.caption", { count: data.codes.length })}</caption>
<thead><tr>${["whom", "state", "issued", "issuedBy", "expires", "used"].map((c) => html`<th scope="col">${t(`console:codes.columns.${c}`)}</th>`)}<th scope="col"><span class="visually-hidden">${t("console:registry.columns.actions")}</span></th></tr></thead>
<tbody>${data.codes.map((c) => html`<tr data-state="${c.state}">
<th scope="row">${whom(t, c)}</th>
<td><span class="badge code-${c.state}">${t(`console:codes.state.${c.state}`)}</span></td>
<td>${c.issuedAt ? registryTime(c.issuedAt, tz) : "—"}</td>
<td>${staffLabel(t, c.issuedBy)}</td>
<td>${registryTime(c.expiresAt, tz)}</td>
<td>${c.usedAt ? html`${registryTime(c.usedAt, tz)}${c.usedByTail && html`<span class="hint">${t("console:registry.person.account", { tail: c.usedByTail })}</span>`}` : "—"}</td>
<td>${c.state === "active" && html`<form method="post" action="${here}/${c.id}/revoke" class="inline">${hidden}<input type="hidden" name="class" value="${data.classFilter}"><button type="submit">${t("console:codes.revoke")}</button></form>`}</td>
</tr>`)}</tbody></table></div>` : html`<p>${t("console:codes.none")}</p>`}`;
}

export function issuedCodesPage(f: Fmt, data: { school: ConsoleSchool; slips: Slip[]; roles: Role[]; revokedEarlier: number }): Html {
  const { t } = f;
  return html`<p><a href="${schoolHref(data.school._id, "codes")}">← ${t("console:codes.title")}</a></p>
<h1>${t("console:codes.issuedTitle")}</h1>
<p class="notice" role="status">${t("console:codes.shownOnce")}</p>
${data.revokedEarlier > 0 && html`<p>${t("codes:revokedEarlier", { count: data.revokedEarlier })}</p>`}
<div class="table-wrap"><table class="issued-codes">
<thead><tr><th scope="col">${t("console:codes.columns.whom")}</th><th scope="col">${t("console:codes.code")}</th><th scope="col">${t("console:codes.columns.expires")}</th></tr></thead>
<tbody>${data.slips.map((s, i) => html`<tr><th scope="row">${s.studentName}<span class="hint">${t(`console:codes.role.${data.roles[i]}`)}, ${s.className}</span></th><td><code class="invite-code">${s.code}</code></td><td>${s.expires}</td></tr>`)}</tbody>
</table></div>`;
}
