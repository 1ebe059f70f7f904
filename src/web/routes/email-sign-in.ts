/**
 * E-mail sign-in (/app/login): a person asks for a link to an address on record; the answer is the
 * same page whatever happens (known or not, limited, failed), and the lookup and the mail run after
 * it (web.tasks) so that not even the time taken tells. The link is the one-time link of
 * routes/sign-in.ts (GET shows a button, POST uses it), valid 15 minutes.
 */
import { translator, type Language } from "../../i18n";
import { EMAIL_LINK_TTL_MS, normaliseEmail, sendEmailSignIn } from "../../services/web-email-sign-in";
import type { WebFeature } from "../feature";
import { SIGN_IN_RATE_LIMIT, formToken } from "../security";
import { emailFormPage, emailSentPage, emailSignInMessage } from "../views/email-sign-in";

const MINUTES = EMAIL_LINK_TTL_MS / 60_000;

export const emailSignInFeature: WebFeature = {
  name: "email-sign-in",
  register(app, web) {
    app.get("/login", async (request, reply) => {
      if (!web.emailSignIn) return web.notFound(request, reply);
      if (request.viewer) return reply.redirect("/app/", 303);
      const csrf = formToken(request, reply, web.policy);
      return web.page(request, reply, { title: request.t("web:emailSignIn.title"), body: emailFormPage(request.t, csrf) });
    });

    app.post<{ Body: Record<string, string | undefined> }>(
      "/login",
      { config: { csrf: "form", rateLimit: SIGN_IN_RATE_LIMIT } },
      async (request, reply) => {
        if (!web.emailSignIn || !web.deps.mailer) return web.notFound(request, reply);
        const { t } = request;
        const email = normaliseEmail(request.body?.email);
        if (!email) {
          const csrf = formToken(request, reply, web.policy);
          const body = emailFormPage(t, csrf, { value: String(request.body?.email ?? "").slice(0, 254), error: true });
          return web.page(request, reply, { title: t("web:emailSignIn.title"), body, status: 400 });
        }
        const mailer = web.deps.mailer;
        const base = `${web.deps.config.WEB_URL}/app/auth/link/`;
        const fallback: Language = request.lang;
        const now = web.deps.now();
        web.tasks.run("email sign-in", async () => {
          const outcomes = await sendEmailSignIn({
            email,
            now,
            mailer,
            message: ({ token, language }) => {
              const lang = language ?? fallback;
              return emailSignInMessage(translator(web.deps.i18n, lang), base + token, MINUTES, lang);
            },
          });
          // Outcomes only: never the address.
          request.log.info({ outcomes }, "e-mail sign-in asked");
        });
        return web.page(request, reply, { title: t("web:emailSignIn.sentTitle"), body: emailSentPage(t, MINUTES) });
      },
    );
  },
};
