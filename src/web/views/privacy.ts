/**
 * The privacy page: the consent in force per school (with its full text), withdrawing it (asked once
 * more on a page of its own), and everything stored about the person as a JSON file — the bot's
 * /privacy and /mydata through the same services.
 */
import type { Translate } from "../../i18n";
import type { SchoolConsent } from "../../services/privacy";
import { html, type Html } from "../render/html";
import { confirmPage } from "./confirm";

export interface PrivacyData {
  consents: Array<SchoolConsent & { date: string }>;
  withdrawn?: string;
}

export function privacyPage(t: Translate, data: PrivacyData): Html {
  return html`<h1>${t("web:privacy.title")}</h1>
${data.withdrawn && html`<p class="notice" role="status">${t("web:privacy.withdrawn", { school: data.withdrawn })}</p>`}
<section class="card" aria-labelledby="consent-title">
<h2 id="consent-title">${t("web:privacy.consents")}</h2>
${data.consents.length === 0 ? html`<p>${t("web:privacy.none")}</p>` : html`<ul class="plain">
  ${data.consents.map((c) => html`<li>
    <strong>${c.schoolName}</strong>: ${t(`web:privacy.states.${c.decision === "granted" && !c.current ? "outdated" : c.decision}`, { date: c.date, version: c.textVersion })}
    <br><a href="/app/privacy/text/${c.schoolId}">${t("web:privacy.fullText")}</a>
    ${c.decision === "granted" && html` · <a href="/app/privacy/withdraw/${c.schoolId}">${t("web:privacy.withdraw")}</a>`}
  </li>`)}
</ul>`}
<p class="hint">${t("web:privacy.withdrawHint")}</p>
</section>
<section class="card" aria-labelledby="data-title">
<h2 id="data-title">${t("web:privacy.data")}</h2>
<p>${t("web:privacy.dataText")}</p>
<p><a class="button" href="/app/privacy/mydata.json" download="mydata.json">${t("web:privacy.download")}</a></p>
</section>
<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">${t("web:privacy.deleteSection")}</h2>
<p>${t("web:privacy.deleteText")}</p>
<p><a class="button" href="/app/privacy/delete">${t("web:privacy.deleteLink")}</a></p>
</section>`;
}

export function withdrawConfirmPage(t: Translate, school: string, schoolId: string, csrf: string): Html {
  return confirmPage({ title: t("web:privacy.withdrawTitle"), question: t("web:privacy.withdrawConfirm", { school }), action: `/app/privacy/withdraw/${schoolId}`, back: "/app/privacy", yes: t("web:privacy.withdrawYes"), no: t("web:privacy.withdrawNo"), csrf });
}

export function deleteConfirmPage(t: Translate, csrf: string): Html {
  return confirmPage({ title: t("web:privacy.deleteTitle"), question: t("web:privacy.deleteConfirm"), action: "/app/privacy/delete", back: "/app/privacy", yes: t("web:privacy.deleteYes"), no: t("web:privacy.deleteNo"), csrf });
}

export function deletedPage(t: Translate): Html {
  return html`<h1>${t("web:privacy.deletedTitle")}</h1>
<p class="notice" role="status">${t("web:privacy.deletedText")}</p>`;
}

export function consentTextPage(t: Translate, school: string, text: string): Html {
  return html`<h1>${t("web:privacy.textTitle", { school })}</h1>
<div class="consent-text">${text.split("\n\n").map((p) => html`<p>${p}</p>`)}</div>
<p><a class="button" href="/app/privacy">${t("web:privacy.back")}</a></p>`;
}

/** A record person: the school's written decision and how to change it (in writing, at school). */
export function recordPrivacyPage(t: Translate, state: { decision: string; date: string } | null): Html {
  return html`<h1>${t("web:privacy.title")}</h1>
<section class="card">
<p>${state ? t(`web:privacy.record.${state.decision === "granted" ? "granted" : "other"}`, { date: state.date }) : t("web:privacy.none")}</p>
<p class="hint">${t("web:privacy.record.how")}</p>
</section>`;
}
