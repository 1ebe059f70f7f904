/** The console's staff page: the school's teachers and admins with their term, revocation and renewal. */
import type { Language, Translate } from "../../i18n";
import { inZone } from "../../domain/time";
import type { StaffMember } from "../../services/staff";
import type { ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import { html, type Html } from "../render/html";
import { confirmPage } from "./confirm";

export const STAFF_RESULTS = ["revoked", "renewed", "renewed-none", "self", "refused", "bad-request"] as const;
export type StaffResult = (typeof STAFF_RESULTS)[number];

export interface StaffData {
  school: ConsoleSchool;
  members: StaffMember[];
  /** The viewer's own account (their own admin role is not revoked here: it would lock them out). */
  selfId: string;
  csrf: string;
  done?: StaffResult;
  count: number;
}

/** Who a staff member is, as the school knows them: the teacher's name, the code's label, or the last digits of the Telegram id. */
export function who(t: Translate, m: StaffMember): string {
  if (m.teacherName) return m.teacherName;
  if (m.label) return m.label;
  const tail = m.telegramId !== undefined ? String(m.telegramId).slice(-4) : (m.accountId ?? "").slice(-4);
  return t("console:staffPage.unnamed", { tail });
}

export function staffPage(f: { t: Translate; lang: Language }, data: StaffData): Html {
  const { t } = f;
  const tz = data.school.timezone;
  const here = schoolHref(data.school._id, "staff");
  const day = (d?: Date) => (d ? inZone(d, tz).format("DD.MM.YYYY") : "—");
  // A role ends at the first instant of its expiry day: the last day it works is the day before.
  const lastDay = (d?: Date) => (d ? day(new Date(d.getTime() - 1)) : "—");
  const hidden = html`<input type="hidden" name="_csrf" value="${data.csrf}">`;
  const rows = data.members.map((m) => {
    const actions = m.source === "config"
      ? html`<span class="hint">${t("console:staffPage.config")}</span>`
      : html`<form method="get" action="${here}/revoke" class="inline">
  <input type="hidden" name="account" value="${m.accountId ?? ""}"><input type="hidden" name="role" value="${m.role}">
  <label class="check"><input type="checkbox" name="withCodes" value="1"> ${t("console:staffPage.withCodes")}</label>
  <button type="submit"${m.role === "admin" && m.accountId === data.selfId ? html` disabled title="${t("console:staffPage.selfHint")}"` : ""}>${t("console:staffPage.revoke")}</button>
</form>
<form method="post" action="${here}/renew" class="inline">${hidden}<input type="hidden" name="account" value="${m.accountId ?? ""}"><input type="hidden" name="role" value="${m.role}"><button type="submit">${t("console:staffPage.renew")}</button></form>`;
    return html`<tr>
  <td>${who(t, m)}</td>
  <td>${t(`console:staffPage.role.${m.role}`)}</td>
  <td>${m.classes?.length ? m.classes.join(", ") : "—"}</td>
  <td>${day(m.grantedAt)}</td>
  <td>${m.source === "config" ? t("console:staffPage.never") : lastDay(m.expiresAt)}</td>
  <td>${actions}</td>
</tr>`;
  });
  return html`<h1>${t("console:staffPage.title")}</h1>
${data.done && html`<p class="notice" role="status">${t(`console:staffPage.results.${data.done}`, data.count ? { count: data.count } : {})}</p>`}
<p class="hint">${t("console:staffPage.hint")}</p>
${data.members.length
  ? html`<table>
<thead><tr><th>${t("console:staffPage.who")}</th><th>${t("console:staffPage.roleTitle")}</th><th>${t("console:staffPage.classes")}</th><th>${t("console:staffPage.granted")}</th><th>${t("console:staffPage.expires")}</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<form method="post" action="${here}/renew">${hidden}<input type="hidden" name="account" value="all"><button type="submit">${t("console:staffPage.renewAll")}</button></form>`
  : html`<p>${t("console:staffPage.none")}</p>`}`;
}

/** Revoking asks once more (as withdrawal in the guardian's cabinet): who loses which role, and what happens to their codes. */
export function revokeConfirmPage(t: Translate, data: { school: ConsoleSchool; member: StaffMember; withCodes: boolean; unusedCodes: number; csrf: string }): Html {
  const { member, unusedCodes } = data;
  const here = schoolHref(data.school._id, "staff");
  const codes = !unusedCodes ? null
    : data.withCodes ? t("console:staffPage.confirm.codesRevoked", { count: unusedCodes }) : t("console:staffPage.confirm.codesKept", { count: unusedCodes });
  return confirmPage({
    title: t("console:staffPage.confirm.title"),
    question: t("console:staffPage.confirm.question", { role: t(`console:staffPage.role.${member.role}`), who: who(t, member) }),
    details: [t("console:staffPage.confirm.effect"), ...(codes ? [codes] : [])],
    action: `${here}/revoke`,
    fields: { account: member.accountId ?? "", role: member.role, ...(data.withCodes ? { withCodes: "1" } : {}), confirm: "1" },
    yes: t("console:staffPage.confirm.yes"), no: t("console:staffPage.confirm.no"), back: here, csrf: data.csrf,
  });
}
