/**
 * Settings (/app/settings): the signed-in person's notifications, channel order and contacts —
 * the bot's /settings through the same services. Every change is a POST with the session's token
 * that redirects back here (?done=<result>). Offered to accounts that act as a guardian; a record
 * person's settings are the school's (written statements), the page says so.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { emailHtml } from "../../channels/email";
import type { ContactKind } from "../../db/models";
import { escapeHtml } from "../../domain/html";
import { cancelEmailVerification, confirmEmail, contactsOf, journalContactsOf, moveChannelUp, pendingEmailOf, removeOwnContact, settingsAccess, startEmailVerification, switchChannel } from "../../services/contacts";
import { changeNotifications, notificationSettingsOf, NOTIFY_TOGGLES, type NotifyToggle } from "../../services/notification-settings";
import type { AccountDocument, GradeNotifyMode } from "../../db/models";
import type { NavSection, PageContext, WebApp, WebFeature } from "../feature";
import { SETTINGS_RESULTS, settingsPage, settingsUnavailablePage } from "../views/settings";
import { sendMissing } from "../child";

type Body = Record<string, string | undefined>;

/** The person's own pages (settings, privacy): in the navigation whenever someone is signed in. */
export function personNav(page: PageContext): NavSection | null {
  if (!page.viewer) return null;
  return {
    id: "person",
    label: page.t("web:nav.account"),
    items: [
      // Pages without a child on screen offer the way back to the diary.
      ...(page.child ? [] : [{ id: "diary", href: "/app/", label: page.t("web:nav.diary") }]),
      { id: "settings", href: "/app/settings", label: page.t("web:nav.settings") },
      { id: "privacy", href: "/app/privacy", label: page.t("web:nav.privacy") },
    ],
  };
}

/** The signed-in account, or the answer already sent (sign-in page, or the record person's note). */
async function requireAccount(web: WebApp, request: FastifyRequest, reply: FastifyReply): Promise<AccountDocument | null> {
  const person = request.viewer?.person;
  if (!person) {
    // The sign-in page right here on a page (the Mini App comes back to it); a form goes to the start page.
    if (request.method === "GET") await sendMissing(web, request, reply, "signed-out");
    else await reply.redirect("/app/", 303);
    return null;
  }
  const { t } = request;
  if (person.kind !== "account") {
    await web.page(request, reply, { title: t("web:settings.title"), body: settingsUnavailablePage(t, "record"), active: "settings" });
    return null;
  }
  return person.account;
}

const back = (reply: FastifyReply, done: string) => reply.redirect(`/app/settings?done=${done}`, 303);

export const settingsFeature: WebFeature = {
  name: "settings",
  register(app, web) {
    app.get<{ Querystring: { done?: string } }>("/settings", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const { t } = request;
      const now = web.deps.now();
      const [notifications, access] = await Promise.all([notificationSettingsOf(account), settingsAccess(account)]);
      if (!notifications || !access.guardian) {
        return web.page(request, reply, { title: t("web:settings.title"), body: settingsUnavailablePage(t, "noGuardian"), active: "settings" });
      }
      const [{ contacts, channelOrder }, journal, pendingEmail] = await Promise.all([contactsOf(account), journalContactsOf(account), pendingEmailOf(account._id, now)]);
      const done = (SETTINGS_RESULTS as readonly string[]).includes(request.query.done ?? "") ? request.query.done : undefined;
      const body = settingsPage(t, {
        csrf: request.viewer!.session.csrfToken,
        notifications,
        channelOrder,
        contacts: access.consent ? { own: contacts, journal, pendingEmail, mail: !!web.deps.mailer } : null,
        done,
      });
      return web.page(request, reply, { title: t("web:settings.title"), body, active: "settings" });
    });

    app.post<{ Body: Body }>("/settings/notifications", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const body = request.body ?? {};
      const toggles = Object.fromEntries(NOTIFY_TOGGLES.map((k) => [k, body[k] === "on"])) as Record<NotifyToggle, boolean>;
      const ok = await changeNotifications(account._id, { grades: body.grades as GradeNotifyMode, toggles, quietPreset: Number(body.quiet) });
      if (!ok) return web.notFound(request, reply);
      return back(reply, "saved");
    });

    app.post<{ Body: Body }>("/settings/channels", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const body = request.body ?? {};
      // ↑ moves a channel up; on/off switches an optional one (SMS): the registry says which.
      const changed = body.up ? await moveChannelUp(account, String(body.up)) : body.on || body.off ? await switchChannel(account, String(body.on ?? body.off), !!body.on) : null;
      if (!changed) return web.notFound(request, reply);
      return back(reply, "channels");
    });

    app.post<{ Body: Body }>("/settings/contacts/remove", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const kind = request.body?.kind;
      if (kind !== "email" && kind !== "phone") return web.notFound(request, reply);
      await removeOwnContact(account, kind as ContactKind);
      return back(reply, "removed");
    });

    app.post<{ Body: Body }>("/settings/email", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const lang = request.lang;
      const t = request.t;
      const started = await startEmailVerification({
        account, email: String(request.body?.email ?? ""), pepper: web.deps.config.codePepper, now: web.deps.now(), mailer: web.deps.mailer ?? null,
        message: (code) => ({ subject: t("settings:email.subject"), text: t("settings:email.body", { code }), html: emailHtml(escapeHtml(t("settings:email.body", { code })), lang) }),
      });
      return back(reply, started.status === "sent" ? "email-sent" : `email-${started.status}`);
    });

    app.post("/settings/email/cancel", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      await cancelEmailVerification(account._id);
      return back(reply, "email-cancelled");
    });

    app.post<{ Body: Body }>("/settings/email/confirm", async (request, reply) => {
      const account = await requireAccount(web, request, reply);
      if (!account) return reply;
      const result = await confirmEmail({ account, typed: String(request.body?.code ?? ""), pepper: web.deps.config.codePepper, now: web.deps.now() });
      return back(reply, `email-${result.status}`);
    });
  },
  nav: personNav,
};
