/**
 * The web cabinet and Telegram Mini App: one Fastify plugin under /app/ on the service's HTTP
 * server. Server-rendered pages (src/web/views), a session per signed-in person (session.ts),
 * defences in security.ts, and the page groups of webFeatures() in order.
 */
import cookie from "@fastify/cookie";
import { Api } from "grammy";
import formbody from "@fastify/formbody";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLanguage, translator, type Language } from "../i18n";
import type { WebDeps } from "./context";
import type { NavSection, PageContext, PageSpec, WebApp, WebFeature } from "./feature";
import { loadPerson } from "./auth/person";
import { CsrfError, registerSecurity } from "./security";
import { cookiePolicy, findSession } from "./session";
import { registerStatic } from "./static";
import { createBackgroundTasks } from "./tasks";
import { layout } from "./views/layout";
import { errorPage } from "./views/errors";
import { signInFeature } from "./routes/sign-in";
import { emailSignInFeature } from "./routes/email-sign-in";
import { startFeature } from "./routes/start";
import { gradesFeature } from "./routes/grades";
import { chartsFeature } from "./routes/charts";
import { forecastFeature } from "./routes/forecast";
import { diaryFeature } from "./routes/diary";
import { settingsFeature } from "./routes/settings";
import { privacyFeature } from "./routes/privacy";
import { consoleFeature } from "./routes/console";
import { consoleRegistryFeature } from "./routes/console-registry";
import { consoleCodesFeature } from "./routes/console-codes";
import { consoleStaffFeature } from "./routes/console-staff";
import { consoleDeliveriesFeature } from "./routes/console-deliveries";
import { consolePrintoutsFeature } from "./routes/console-printouts";
import { consoleTeacherFeature } from "./routes/console-teacher";
import { consoleSettingsFeature } from "./routes/console-settings";

export const WEB_PREFIX = "/app";
/** Forms are small; nothing the cabinet accepts comes near this. */
const FORM_BODY_LIMIT = 64 * 1024;

export function webFeatures(): WebFeature[] {
  return [
    signInFeature, emailSignInFeature, startFeature, gradesFeature, chartsFeature, forecastFeature, diaryFeature, settingsFeature, privacyFeature,
    consoleFeature, consoleSettingsFeature, consoleRegistryFeature, consoleCodesFeature, consoleDeliveriesFeature, consolePrintoutsFeature, consoleTeacherFeature, consoleStaffFeature,
  ];
}

export async function registerWebApp(http: FastifyInstance, deps: WebDeps): Promise<void> {
  await http.register(async (app) => webApp(app, deps), { prefix: WEB_PREFIX });
}

async function webApp(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const policy = cookiePolicy(deps.config.WEB_URL);
  const log = deps.logger.child({ component: "web" });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  app.decorateRequest("viewer", null);
  app.decorateRequest("lang", deps.config.DEFAULT_LOCALE);
  app.decorateRequest("t", null as never);

  // The language first: even a refusal by the rate limit is a page in the reader's language.
  app.addHook("onRequest", async (request) => {
    request.lang = requestLanguage(request, deps.config.DEFAULT_LOCALE);
    request.t = translator(deps.i18n, request.lang);
  });
  await registerSecurity(app, deps, policy);
  const assets = registerStatic(app);

  // Who is asking: before the CSRF check (it needs the session's token).
  app.addHook("onRequest", async (request) => {
    if (request.url.startsWith(`${WEB_PREFIX}/static/`)) return;
    if (deps.database && !deps.database.up()) throw new DatabaseDownError();
    const session = await findSession(request, policy, deps.now());
    const principal = session?.accountId ? { accountId: session.accountId } : session?.guardianId ? { guardianId: session.guardianId } : null;
    const person = principal ? await loadPerson(principal, deps.now()) : null;
    if (session && person) {
      request.viewer = { session, person };
      request.lang = session.language as Language;
      request.t = translator(deps.i18n, request.lang);
    }
  });
  // Pages carry personal data: no cache may keep them (a shared computer's back button, a proxy).
  app.addHook("onSend", async (request, reply) => {
    if (!request.url.startsWith(`${WEB_PREFIX}/static/`)) void reply.header("cache-control", "no-store");
  });

  const features = webFeatures();
  const web: WebApp = {
    deps,
    policy,
    assets,
    tasks: deps.tasks ?? createBackgroundTasks(log),
    emailSignIn: !!deps.mailer && !!deps.config.WEB_URL,
    page(request, reply, spec) {
      return sendPage(request, reply, spec);
    },
    notFound(request, reply) {
      return sendPage(request, reply, { title: request.t("web:errors.notFoundTitle"), body: errorPage(request.t, "notFound"), status: 404 });
    },
  };

  function sendPage(request: FastifyRequest, reply: FastifyReply, spec: PageSpec): FastifyReply {
    const path = request.url;
    const page: PageContext = { viewer: request.viewer, deps, t: request.t, lang: request.lang, path, child: spec.child, active: spec.active };
    const nav = features.map((f) => f.nav?.(page)).filter((s): s is NavSection => !!s && s.items.length > 0);
    const childSubpath = /^\/app\/c\/[0-9a-f]{24}\/([^?]*)/.exec(path)?.[1] ?? "";
    const body = layout({ page, title: spec.title, body: spec.body, nav, assets, childSubpath });
    return reply.status(spec.status ?? 200).type("text/html; charset=utf-8").send(body.value);
  }

  app.setNotFoundHandler((request, reply) => web.notFound(request, reply));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const t = request.t;
    if (error instanceof CsrfError) {
      log.info({ url: request.routeOptions.url, reason: error.message }, "web form refused");
      return sendPage(request, reply, { title: t("web:errors.formTitle"), body: errorPage(t, "form"), status: 403 });
    }
    if (error instanceof DatabaseDownError) {
      void reply.header("retry-after", "30");
      return sendPage(request, reply, { title: t("web:errors.unavailableTitle"), body: errorPage(t, "unavailable"), status: 503 });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      const after = (error as { retryAfter?: string }).retryAfter;
      return sendPage(request, reply, { title: t("web:errors.tooManyTitle"), body: errorPage(t, "tooMany", { after }), status });
    }
    if (status === 413 || status === 415 || status === 400) {
      return sendPage(request, reply, { title: t("web:errors.badRequestTitle"), body: errorPage(t, "badRequest"), status });
    }
    log.error({ url: request.routeOptions.url, err: { type: error.name, message: error.message } }, "web request failed");
    return sendPage(request, reply, { title: t("web:errors.internalTitle"), body: errorPage(t, "internal"), status: 500 });
  });

  for (const feature of features) feature.register(app, web);
}

class DatabaseDownError extends Error {}

/** The bot's @username from getMe, asked once when first needed (the console's code slips); null if Telegram does not answer. */
export function botUsernameOf(token: string, apiRoot: string): () => Promise<string | null> {
  let known: string | null = null;
  return async () => {
    if (known) return known;
    try {
      known = (await new Api(token, { apiRoot }).getMe()).username;
    } catch {
      return null;
    }
    return known;
  };
}

/** The session's language when signed in (set above), else ?lang=, else the browser's, else the default. */
function requestLanguage(request: FastifyRequest, fallback: Language): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLanguage(asked)) return asked;
  for (const part of (request.headers["accept-language"] ?? "").split(",")) {
    const base = part.trim().split(";")[0].split("-")[0].toLowerCase();
    if (isLanguage(base)) return base;
  }
  return fallback;
}
