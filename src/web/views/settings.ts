/**
 * The settings page: notifications, the order of delivery channels, contacts. The same settings as
 * the bot's /settings (src/services/notification-settings.ts, src/services/contacts.ts); each
 * section is a form of its own, and a change comes back to this page with one line saying so.
 */
import { GRADE_NOTIFY_MODES, type Channel } from "../../db/models";
import type { Translate } from "../../i18n";
import { shownChannels, switchableChannels, type ContactView, type JournalContact } from "../../services/contacts";
import { NOTIFY_TOGGLES, QUIET_PRESETS, quietPresetOf, type NotificationSettings } from "../../services/notification-settings";
import { html, type Html } from "../render/html";

export interface SettingsData {
  csrf: string;
  notifications: NotificationSettings;
  channelOrder: Channel[];
  /** Contacts: only while the person's consent is in force (null: not offered). */
  contacts: { own: ContactView[]; journal: JournalContact[]; pendingEmail: string | null; mail: boolean } | null;
  done?: string;
}

/** Result lines a redirect may name (?done=...): nothing else is shown. */
export const SETTINGS_RESULTS = [
  "saved", "channels", "removed", "email-sent", "email-confirmed", "email-wrong", "email-expired", "email-too-many", "email-none",
  "email-invalid", "email-cancelled", "email-rate-limited", "email-send-failed", "email-not-configured", "email-no-consent",
] as const;

export function settingsPage(t: Translate, data: SettingsData): Html {
  return html`<h1>${t("web:settings.title")}</h1>
${data.done && html`<p class="notice" role="status">${t(`web:settings.results.${data.done}`)}</p>`}
${notificationsSection(t, data)}
${channelsSection(t, data)}
${contactsSection(t, data)}`;
}

function notificationsSection(t: Translate, { csrf, notifications: n }: SettingsData): Html {
  const school = `${n.schoolQuietHours.start}–${n.schoolQuietHours.end}`;
  const preset = quietPresetOf(n.quietHours);
  return html`<section class="card" aria-labelledby="notify-title">
<h2 id="notify-title">${t("web:settings.notifications")}</h2>
<p class="hint">${t("web:settings.notificationsHint")}</p>
<form method="post" action="/app/settings/notifications">
  <input type="hidden" name="_csrf" value="${csrf}">
  <label for="grades">${t("web:settings.grades")}</label>
  <select id="grades" name="grades">
    ${GRADE_NOTIFY_MODES.map((m) => html`<option value="${m}"${m === n.grades ? html` selected` : ""}>${t(`notify:settings.modes.${m}`)}</option>`)}
  </select>
  <fieldset>
    <legend>${t("web:settings.alsoSend")}</legend>
    ${NOTIFY_TOGGLES.map((k) => html`<label class="check"><input type="checkbox" name="${k}" value="on"${n.toggles[k] ? html` checked` : ""}> ${t(`web:settings.toggles.${k}`)}</label>`)}
  </fieldset>
  <label for="quiet">${t("web:settings.quiet")}</label>
  <select id="quiet" name="quiet">
    ${QUIET_PRESETS.map((p, i) => html`<option value="${i}"${i === preset ? html` selected` : ""}>${!p ? t("web:settings.quietSchool", { window: school }) : p.start === p.end ? t("web:settings.quietNone") : `${p.start}–${p.end}`}</option>`)}
  </select>
  <p><button class="primary" type="submit">${t("web:settings.save")}</button></p>
</form>
</section>`;
}

function channelsSection(t: Translate, { csrf, channelOrder, contacts }: SettingsData): Html {
  const has = (kind: "email" | "phone") => !!contacts?.own.some((c) => c.kind === kind && c.verified);
  const order = shownChannels(channelOrder);
  const name = (c: Channel) => t(`settings:channels.names.${c}`);
  const switchable = switchableChannels(channelOrder);
  const off = switchable.filter((s) => !s.on).map((s) => name(s.channel));
  return html`<section class="card" aria-labelledby="channels-title">
<h2 id="channels-title">${t("web:settings.channels")}</h2>
<p class="hint">${t("web:settings.channelsHint")}</p>
<form method="post" action="/app/settings/channels">
  <input type="hidden" name="_csrf" value="${csrf}">
  <ol class="channels">
    ${order.map((c, i) => html`<li><span>${name(c)}</span>${i > 0 && html` <button type="submit" name="up" value="${c}" aria-label="${t("web:settings.upLabel", { channel: name(c) })}">↑</button>`}</li>`)}
  </ol>
  ${off.length > 0 && html`<p>${t("settings:channels.offList", { channels: off.join(", ") })}</p>`}
  ${switchable.map(({ channel, on }) => html`<p><button type="submit" name="${on ? "off" : "on"}" value="${channel}">${t(on ? "settings:channels.off" : "settings:channels.on", { channel: name(channel) })}</button></p>`)}
</form>
${!has("email") && order.indexOf("email") < order.indexOf("paper") && html`<p class="hint">${t("web:settings.noEmail")}</p>`}
${order.includes("sms") && html`<p class="hint">${t("settings:channels.smsHint")}${!has("phone") && html` ${t("settings:channels.noPhone")}`}</p>`}
</section>`;
}

function contactsSection(t: Translate, data: SettingsData): Html {
  const { csrf, contacts } = data;
  if (!contacts) {
    return html`<section class="card" aria-labelledby="contacts-title"><h2 id="contacts-title">${t("web:settings.contacts")}</h2><p>${t("web:settings.needConsent")}</p></section>`;
  }
  const own = (kind: "email" | "phone") => contacts.own.some((c) => c.kind === kind && c.source === "guardian");
  return html`<section class="card" aria-labelledby="contacts-title">
<h2 id="contacts-title">${t("web:settings.contacts")}</h2>
${contacts.own.length === 0 ? html`<p>${t("web:settings.noContacts")}</p>` : html`<ul>
  ${contacts.own.map((c) => html`<li>${t(`settings:contacts.kinds.${c.kind}`)}: <strong>${c.value}</strong> <span class="hint">(${t(`settings:sources.${c.source}`)}${!c.verified ? `, ${t("settings:contacts.unverified")}` : ""})</span></li>`)}
</ul>`}
${(own("email") || own("phone")) && html`<form method="post" action="/app/settings/contacts/remove">
  <input type="hidden" name="_csrf" value="${csrf}">
  ${own("email") && html`<button type="submit" name="kind" value="email">${t("web:settings.removeEmail")}</button>`}
  ${own("phone") && html`<button type="submit" name="kind" value="phone">${t("web:settings.removePhone")}</button>`}
</form>`}
${contacts.journal.length > 0 && html`<p class="hint">${t("web:settings.journal")}</p><ul>
  ${contacts.journal.map((c) => html`<li>${c.record ?? "—"}: ${t(`settings:contacts.kinds.${c.kind}`)} ${c.value}</li>`)}
</ul>`}
${contacts.pendingEmail
    ? html`<form method="post" action="/app/settings/email/confirm">
  <input type="hidden" name="_csrf" value="${csrf}">
  <label for="code">${t("web:settings.codeLabel", { email: contacts.pendingEmail })}</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required>
  <p><button class="primary" type="submit">${t("web:settings.confirm")}</button></p>
</form>
<form method="post" action="/app/settings/email/cancel">
  <input type="hidden" name="_csrf" value="${csrf}">
  <button type="submit">${t("web:settings.otherEmail")}</button>
</form>`
    : contacts.mail && html`<form method="post" action="/app/settings/email">
  <input type="hidden" name="_csrf" value="${csrf}">
  <label for="email">${t("web:settings.emailLabel")}</label>
  <input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>
  <p><button type="submit">${t("web:settings.sendCode")}</button></p>
</form>`}
<p class="hint">${t("web:settings.phoneHint")}</p>
</section>`;
}

export function settingsUnavailablePage(t: Translate, kind: "record" | "noGuardian"): Html {
  return html`<h1>${t("web:settings.title")}</h1><p>${t(`web:settings.${kind}`)}</p>`;
}
