/** E-mail sign-in: the form on /app/login, the answer after it (the same whoever asked), the e-mail. */
import type { Translate } from "../../i18n";
import { html, type Html } from "../render/html";

export function emailFormPage(t: Translate, csrf: string, options: { value?: string; error?: boolean } = {}): Html {
  return html`<h1>${t("web:emailSignIn.title")}</h1>
<p>${t("web:emailSignIn.intro")}</p>
<form method="post" action="/app/login" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}">
  <label for="email">${t("web:emailSignIn.label")}</label>
  <input id="email" name="email" type="email" autocomplete="email" inputmode="email" required maxlength="254" value="${options.value ?? ""}"${options.error ? html` aria-invalid="true" aria-describedby="email-error"` : ""}>
  ${options.error && html`<p id="email-error" class="error" role="alert">${t("web:emailSignIn.invalid")}</p>`}
  <p><button class="primary" type="submit">${t("web:emailSignIn.button")}</button></p>
</form>
<p class="hint">${t("web:emailSignIn.otherWays")} <a href="/app/">${t("web:emailSignIn.otherWaysLink")}</a></p>`;
}

/** The same words whether the address is known, unknown, limited or the mail failed: nothing tells. */
export function emailSentPage(t: Translate, minutes: number): Html {
  return html`<h1>${t("web:emailSignIn.sentTitle")}</h1>
<p>${t("web:emailSignIn.sentText", { count: minutes })}</p>
<p>${t("web:emailSignIn.sentHelp")}</p>
<p><a class="button" href="/app/login">${t("web:emailSignIn.again")}</a></p>`;
}

/** The e-mail with the link: plain text and HTML, in the person's language. */
export function emailSignInMessage(t: Translate, url: string, minutes: number, lang: string): { subject: string; text: string; html: string } {
  const text = `${t("web:emailSignIn.mailText", { count: minutes })}\n\n${url}\n\n${t("web:emailSignIn.mailIgnore")}`;
  const body = html`<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">
<p>${t("web:emailSignIn.mailText", { count: minutes })}</p>
<p><a href="${url}">${t("web:emailSignIn.mailButton")}</a></p>
<p>${url}</p>
<p>${t("web:emailSignIn.mailIgnore")}</p>
</body></html>`;
  return { subject: t("web:emailSignIn.mailSubject"), text, html: body.value };
}
