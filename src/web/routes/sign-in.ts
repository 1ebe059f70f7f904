/**
 * Ways in and out: the Mini App's init data (POST /app/auth/telegram, sent by app.js from the URL
 * hash Telegram opened the app with), the bot's one-time link (GET shows a button, POST uses the
 * link: link previews and mail scanners fetch URLs, and must not use it up), signing out, and the
 * language switch.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Account } from "../../db/models";
import { isLanguage, languageFromTelegram, type Language } from "../../i18n";
import { accountOfTelegramUser } from "../../services/accounts";
import { signInLinkUsable, useSignInLink } from "../../services/web-sign-in";
import type { WebApp, WebFeature } from "../feature";
import { checkInitData } from "../auth/telegram-init-data";
import { languageOf, loadPerson, type WebPrincipal } from "../auth/person";
import { SIGN_IN_RATE_LIMIT, formToken } from "../security";
import { closeSession, openSession } from "../session";
import { linkConfirmPage, linkInvalidPage, telegramRefusedPage } from "../views/sign-in";

type Body = Record<string, string | undefined>;

/** Where to go after signing in: a page of the app, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/app\/[^\\\s]*$/.test(next) && !next.startsWith("//") ? next : "/app/";
}

export const signInFeature: WebFeature = {
  name: "sign-in",
  register(app, web) {
    app.post<{ Body: Body }>(
      "/auth/telegram",
      { config: { csrf: "none", rateLimit: SIGN_IN_RATE_LIMIT } },
      async (request, reply) => {
        const now = web.deps.now();
        const check = checkInitData(request.body?.initData, web.deps.config.BOT_TOKEN, now);
        if (!check.ok) {
          request.log.info({ reason: check.reason }, "mini app sign-in refused");
          return web.page(request, reply, { title: request.t("web:signIn.refusedTitle"), body: telegramRefusedPage(request.t, check.reason), status: 403 });
        }
        const language = languageFromTelegram(check.user.languageCode, web.deps.config.DEFAULT_LOCALE);
        const account = await accountOfTelegramUser(check.user.id, language);
        const next = safeNext(request.body?.next);
        // Already signed in as this account: no new session on every opening of the Mini App.
        if (request.viewer?.person.kind === "account" && request.viewer.person.account._id.equals(account._id)) return reply.redirect(next, 303);
        await signIn(web, request, reply, { accountId: account._id }, "telegram", account.language as Language);
        return reply.redirect(next, 303);
      },
    );

    app.get<{ Params: { token: string } }>("/auth/link/:token", async (request, reply) => {
      if (!(await signInLinkUsable(request.params.token, web.deps.now()))) {
        return web.page(request, reply, { title: request.t("web:signIn.linkInvalidTitle"), body: linkInvalidPage(request.t), status: 410 });
      }
      const csrf = formToken(request, reply, web.policy);
      return web.page(request, reply, { title: request.t("web:signIn.linkTitle"), body: linkConfirmPage(request.t, request.params.token, csrf) });
    });

    app.post<{ Params: { token: string } }>(
      "/auth/link/:token",
      { config: { csrf: "form", rateLimit: SIGN_IN_RATE_LIMIT } },
      async (request, reply) => {
        const now = web.deps.now();
        const used = await useSignInLink(request.params.token, now);
        const person = used ? await loadPerson(used.principal, now) : null;
        if (!used || !person) {
          return web.page(request, reply, { title: request.t("web:signIn.linkInvalidTitle"), body: linkInvalidPage(request.t), status: 410 });
        }
        await signIn(web, request, reply, used.principal, used.purpose, languageOf(person) ?? request.lang);
        return reply.redirect("/app/", 303);
      },
    );

    app.post("/logout", async (request, reply) => {
      await closeSession(reply, web.policy, request.viewer?.session ?? null);
      return reply.redirect("/app/", 303);
    });

    app.post<{ Body: Body }>("/language", async (request, reply) => {
      const { viewer } = request;
      const language = request.body?.language;
      if (viewer && isLanguage(language)) {
        viewer.session.language = language;
        await viewer.session.save();
        // The same stored choice as the bot's /language: one person, one language.
        if (viewer.person.kind === "account") await Account.updateOne({ _id: viewer.person.account._id }, { $set: { language } });
      }
      return reply.redirect(safeNext(request.body?.next), 303);
    });
  },
};

/** Replaces whatever session the browser had with one for this person. */
async function signIn(web: WebApp, request: FastifyRequest, reply: FastifyReply, principal: WebPrincipal, via: "telegram" | "bot-link" | "email", language: Language) {
  if (request.viewer) await request.viewer.session.deleteOne();
  await openSession(reply, web.policy, principal, via, language, web.deps.now());
  request.log.info({ via, ...(principal.accountId ? { accountId: String(principal.accountId) } : { guardianId: String(principal.guardianId) }) }, "web sign-in");
}
