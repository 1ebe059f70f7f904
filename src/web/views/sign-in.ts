/** The sign-in pages: the start page of a visitor, the one-time link's confirmation, refusals. */
import type { Translate } from "../../i18n";
import { html, type Html } from "../render/html";

/**
 * What a visitor who is not signed in sees at /app/. In the Mini App the script signs in at once
 * (the notice above says so); in a browser: the ways in.
 */
export function signInPage(t: Translate, options: { email: boolean }): Html {
  return html`<h1>${t("web:signIn.title")}</h1>
<p>${t("web:signIn.intro")}</p>
<div class="card">
  <h2>${t("web:signIn.telegramTitle")}</h2>
  <p>${t("web:signIn.telegramText")}</p>
</div>
<div class="card">
  <h2>${t("web:signIn.computerTitle")}</h2>
  <p>${t("web:signIn.computerText")}</p>
</div>
${options.email && html`<div class="card">
  <h2>${t("web:signIn.emailTitle")}</h2>
  <p>${t("web:signIn.emailText")}</p>
  <p><a class="button" href="/app/login">${t("web:signIn.emailButton")}</a></p>
</div>`}`;
}

export function linkConfirmPage(t: Translate, token: string, csrf: string): Html {
  return html`<h1>${t("web:signIn.linkTitle")}</h1>
<p>${t("web:signIn.linkText")}</p>
<form method="post" action="/app/auth/link/${token}">
  <input type="hidden" name="_csrf" value="${csrf}">
  <button class="primary" type="submit">${t("web:signIn.linkButton")}</button>
</form>`;
}

export function linkInvalidPage(t: Translate): Html {
  return html`<h1>${t("web:signIn.linkInvalidTitle")}</h1>
<p>${t("web:signIn.linkInvalidText")}</p>
<p><a class="button" href="/app/">${t("web:errors.home")}</a></p>`;
}

export function telegramRefusedPage(t: Translate, reason: string): Html {
  return html`<h1>${t("web:signIn.refusedTitle")}</h1>
<p>${t(reason === "expired" ? "web:signIn.refusedExpired" : "web:signIn.refusedInvalid")}</p>`;
}
