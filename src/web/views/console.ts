/** The console's landing pages: the viewer's schools, a school (its pages and classes), a class. */
import type { Translate } from "../../i18n";
import type { ConsoleClass, ConsoleSchool } from "../console/access";
import { classHref, schoolHref, type ConsolePage } from "../console/pages";
import { html, type Html } from "../render/html";

export function schoolsPage(t: Translate, schools: readonly ConsoleSchool[]): Html {
  return html`<h1>${t("console:schools.title")}</h1>
<ul class="plain">
  ${schools.map((s) => html`<li><a href="${schoolHref(s._id)}">${s.name}</a> <span class="badge">${t(s.admin ? "console:role.admin" : "console:role.teacher")}</span></li>`)}
</ul>`;
}

export interface SchoolLanding {
  school: ConsoleSchool;
  /** The school's pages offered to this viewer (without the landing page itself). */
  pages: readonly ConsolePage[];
  classes: readonly ConsoleClass[];
}

export function schoolLandingPage(t: Translate, data: SchoolLanding): Html {
  const { school } = data;
  return html`<h1>${school.name}</h1>
<p class="hint">${t(school.admin ? "console:school.asAdmin" : "console:school.asTeacher")}</p>
${data.pages.length > 0 && html`<ul class="plain console-pages">
  ${data.pages.map((p) => html`<li><a href="${schoolHref(school._id, p.path)}">${t(p.label)}</a></li>`)}
</ul>`}
<h2>${t(school.admin ? "console:school.classes" : "console:school.yourClasses")}</h2>
${data.classes.length
    ? html`<ul class="tabs classes plain-list" aria-label="${t("console:school.classes")}">
  ${data.classes.map((c) => html`<li><a href="${classHref(school._id, c._id)}">${c.name}</a></li>`)}
</ul>`
    : html`<p>${t(school.admin ? "console:school.noClasses" : "console:school.noOwnClasses")}</p>`}`;
}

export interface ClassLanding {
  school: ConsoleSchool;
  schoolClass: ConsoleClass;
  homeroom: string | null;
  pages: readonly ConsolePage[];
}

export function classLandingPage(t: Translate, data: ClassLanding): Html {
  const { school, schoolClass } = data;
  return html`<p><a href="${schoolHref(school._id)}">← ${school.name}</a></p>
<h1>${t("console:class.title", { name: schoolClass.name })}</h1>
<p>${data.homeroom ? t("console:class.homeroom", { name: data.homeroom }) : t("console:class.noHomeroom")}</p>
${data.pages.length
    ? html`<ul class="plain console-pages">
  ${data.pages.map((p) => html`<li><a href="${classHref(school._id, schoolClass._id, p.path)}">${t(p.label)}</a></li>`)}
</ul>`
    : html`<p class="hint">${t("console:class.noPages")}</p>`}`;
}
