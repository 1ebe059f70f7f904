/** The page around every view: header with the child switcher, role-aware navigation, footer. */
import { LANGUAGES } from "../../i18n";
import type { NavSection, PageContext } from "../feature";
import { html, type Html } from "../render/html";
import type { StaticAssets } from "../static";

export interface LayoutInput {
  page: PageContext;
  title: string;
  body: Html;
  nav: NavSection[];
  assets: StaticAssets;
  /** The child switcher links to this page of another child (the path after /app/c/<id>/). */
  childSubpath?: string;
}

export function layout({ page, title, body, nav, assets, childSubpath = "" }: LayoutInput): Html {
  const { t, lang, viewer, child } = page;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${title} · ${t("web:layout.brand")}</title>
<link rel="stylesheet" href="${assets.url("app.css")}">
<script src="${assets.url("app.js")}" defer></script>
</head>
<body data-signed-in="${viewer ? "1" : "0"}">
<a class="skip" href="#main">${t("web:layout.skip")}</a>
<header class="top">
  <a class="brand" href="/app/">${t("web:layout.brand")}</a>
  ${child && child.siblings.length > 1 && html`<nav class="children" aria-label="${t("web:layout.children")}">
    ${child.siblings.map((s) => html`<a href="/app/c/${s.id}/${childSubpath}"${s.id === String(child.child.studentId) ? html` aria-current="page"` : ""}>${s.name}</a>`)}
  </nav>`}
</header>
${nav.length > 0 && html`<nav class="main" aria-label="${t("web:layout.navigation")}">
  ${nav.map((section) => html`<ul>
    ${nav.length > 1 && section.label && html`<li class="section-label" aria-hidden="true">${section.label}</li>`}
    ${section.items.map((item) => html`<li><a href="${item.href}"${item.id === page.active ? html` aria-current="page"` : ""}>${item.label}</a></li>`)}
  </ul>`)}
</nav>`}
<p id="signing-in" class="notice" role="status" hidden>${t("web:signIn.signingIn")}</p>
<main id="main">
${body}
</main>
<footer>
  ${languageSwitch(page)}
  ${viewer && html`<form class="inline" method="post" action="/app/logout">
    <input type="hidden" name="_csrf" value="${viewer.session.csrfToken}">
    <button type="submit">${t("web:layout.signOut")}</button>
  </form>`}
</footer>
<form id="telegram-sign-in" method="post" action="/app/auth/telegram" hidden>
  <input type="hidden" name="initData" value="">
  <input type="hidden" name="next" value="${page.path}">
</form>
</body>
</html>`;
}

function languageSwitch(page: PageContext): Html {
  const { t, lang, viewer } = page;
  const others = LANGUAGES.filter((l) => l !== lang);
  // Signed in: the choice is stored (a POST with the session's token); otherwise a plain link.
  if (viewer) {
    return html`<form class="inline" method="post" action="/app/language">
      <input type="hidden" name="_csrf" value="${viewer.session.csrfToken}">
      <input type="hidden" name="next" value="${page.path}">
      ${others.map((l) => html`<button type="submit" name="language" value="${l}" lang="${l}">${t(`web:layout.languageNames.${l}`)}</button>`)}
    </form>`;
  }
  return html`<span>${others.map((l) => html`<a href="?lang=${l}" lang="${l}" hreflang="${l}">${t(`web:layout.languageNames.${l}`)}</a>`)}</span>`;
}
