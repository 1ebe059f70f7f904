/**
 * A page that asks once more before a POST that cannot be undone (withdrawal, deletion, revoking a
 * staff role): yes posts the form with the session's token and the given fields, no goes back.
 */
import { html, type Html } from "../render/html";

export interface ConfirmPage {
  title: string;
  question: string;
  /** Further lines under the question (what follows from yes). */
  details?: string[];
  action: string;
  /** Hidden fields posted with yes. */
  fields?: Record<string, string>;
  yes: string;
  no: string;
  /** Where no goes. */
  back: string;
  csrf: string;
}

export function confirmPage(p: ConfirmPage): Html {
  return html`<h1>${p.title}</h1>
<p>${p.question}</p>
${(p.details ?? []).map((line) => html`<p>${line}</p>`)}
<form method="post" action="${p.action}">
  <input type="hidden" name="_csrf" value="${p.csrf}">
  ${Object.entries(p.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  <button class="primary danger" type="submit">${p.yes}</button>
  <a class="button" href="${p.back}">${p.no}</a>
</form>`;
}
