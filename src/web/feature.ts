/**
 * One group of pages of the cabinet (the diary, settings and privacy, later the school's console):
 * its routes under /app/ and the navigation it adds for the viewer. `webFeatures()` in app.ts lists
 * them in order, as `botFeatures()` does for the bot.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Language, Translate } from "../i18n";
import type { AccessibleChild } from "../services/access";
import type { StudentScope } from "../services/diary";
import type { WebDeps, Viewer } from "./context";
import type { Html } from "./render/html";
import type { CookiePolicy } from "./session";
import type { StaticAssets } from "./static";
import type { BackgroundTasks } from "./tasks";

export interface NavItem {
  id: string;
  href: string;
  label: string;
}

export interface NavSection {
  id: string;
  /** Shown before the items when several sections are on screen. */
  label?: string;
  items: NavItem[];
}

/** The child a page is about, with the other children the viewer may switch to. */
export interface ChildPage {
  child: AccessibleChild;
  scope: StudentScope;
  /** The name as this viewer sees it (full, or masked for a record person). */
  displayName: string;
  siblings: Array<{ id: string; name: string }>;
}

export interface PageContext {
  viewer: Viewer | null;
  /** The app's dependencies (configuration, clock): for navigation that depends on them. */
  deps: WebDeps;
  t: Translate;
  lang: Language;
  /** The request's path (for "current page" marks and the language switch). */
  path: string;
  child?: ChildPage;
  /** The nav item this page is (aria-current). */
  active?: string;
}

export interface PageSpec {
  title: string;
  body: Html;
  active?: string;
  child?: ChildPage;
  status?: number;
}

/** What the features share: dependencies, cookie policy, assets and the page renderer. */
export interface WebApp {
  deps: WebDeps;
  policy: CookiePolicy;
  assets: StaticAssets;
  /** Work a request starts but does not wait for. */
  tasks: BackgroundTasks;
  /** Whether e-mail sign-in is offered (an e-mail channel and WEB_URL for the link). */
  emailSignIn: boolean;
  /** Sends a full page in the layout (navigation from every feature, for this viewer). */
  page(request: FastifyRequest, reply: FastifyReply, spec: PageSpec): FastifyReply;
  /** Sends the not-found page: the same for a missing page and for one the viewer may not see. */
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

export interface WebFeature {
  name: string;
  /** Registers the group's routes (inside the /app/ scope: paths are relative to it). */
  register(app: FastifyInstance, web: WebApp): void;
  /** The navigation this group offers this viewer on this page; null when it offers none (role-aware). */
  nav?(page: PageContext): NavSection | null;
}
