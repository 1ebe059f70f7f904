/** Error pages: what happened in plain words and what to do; never a stack trace. */
import type { Translate } from "../../i18n";
import { html, type Html } from "../render/html";

export type ErrorKind = "notFound" | "form" | "tooMany" | "badRequest" | "internal" | "unavailable";

export function errorPage(t: Translate, kind: ErrorKind, values: Record<string, string | undefined> = {}): Html {
  return html`<h1>${t(`web:errors.${kind}Title`)}</h1>
<p>${t(`web:errors.${kind}Text`, values)}</p>
<p><a class="button" href="/app/">${t("web:errors.home")}</a></p>`;
}
