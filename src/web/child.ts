/**
 * The child a page is about, resolved on the server for every request: the id in the URL must be
 * one of the viewer's children (access rules of src/services/access.ts, through auth/person.ts);
 * a foreign id gets the same 404 as a missing one. Without an id: the child chosen last, else the
 * first.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Account, Student } from "../db/models";
import { loadScope } from "../services/diary";
import { firstNameOf } from "../domain/format";
import type { AccessibleChild } from "../services/access";
import type { ChildPage, WebApp } from "./feature";
import { childDisplayName, childOf, childrenOf, type WebPerson } from "./auth/person";
import { signInPage } from "./views/sign-in";
import { noChildrenPage } from "./views/start";

export type ChildLookup = { page: ChildPage } | { missing: "signed-out" | "no-children" | "not-found" };

export async function lookupChild(web: WebApp, request: FastifyRequest, childId?: string): Promise<ChildLookup> {
  const viewer = request.viewer;
  if (!viewer) return { missing: "signed-out" };
  const children = await childrenOf(viewer.person);
  if (children.length === 0) return { missing: childId ? "not-found" : "no-children" };
  const child = childId !== undefined ? await childOf(viewer.person, childId, children) : defaultChild(viewer.person, children);
  if (!child) return { missing: "not-found" };
  const [scope, names] = await Promise.all([loadScope(child, web.deps.now()), siblingNames(viewer.person, children)]);
  if (!scope) return { missing: "not-found" };
  if (childId !== undefined) await rememberChild(viewer.person, child);
  return {
    page: {
      child,
      scope,
      displayName: childDisplayName(viewer.person, scope.fullName),
      siblings: children.map((c) => ({ id: String(c.studentId), name: names.get(String(c.studentId)) ?? "?" })),
    },
  };
}

/** For a route: the child page, or the answer already sent (sign-in, no children, 404). */
export async function requireChild(web: WebApp, request: FastifyRequest, reply: FastifyReply, childId: string): Promise<ChildPage | null> {
  const found = await lookupChild(web, request, childId);
  if ("page" in found) return found.page;
  await sendMissing(web, request, reply, found.missing);
  return null;
}

export function sendMissing(web: WebApp, request: FastifyRequest, reply: FastifyReply, missing: Exclude<ChildLookup, { page: ChildPage }>["missing"]): FastifyReply {
  const { t } = request;
  // Signed out at a deep link: the sign-in page right here, so the Mini App comes back to it.
  if (missing === "signed-out") return web.page(request, reply, { title: t("web:signIn.title"), body: signInPage(t, { email: web.emailSignIn }) });
  if (missing === "no-children") return web.page(request, reply, { title: t("web:start.title"), body: noChildrenPage(t, request.viewer!.person) });
  return web.notFound(request, reply);
}

function defaultChild(person: WebPerson, children: AccessibleChild[]): AccessibleChild {
  const selected = person.kind === "account" ? person.account.selectedStudentId : undefined;
  return (selected && children.find((c) => c.studentId.equals(selected))) || children[0];
}

/** Names on the switcher: first names (as in the bot), masked for a record person. */
async function siblingNames(person: WebPerson, children: AccessibleChild[]): Promise<Map<string, string>> {
  if (children.length < 2) return new Map();
  const students = await Student.find({ _id: { $in: children.map((c) => c.studentId) } }, { fullName: 1 }).lean();
  return new Map(students.map((s) => [String(s._id), person.kind === "account" ? firstNameOf(s.fullName) : childDisplayName(person, s.fullName)]));
}

/** The child chosen in the cabinet is the one the bot answers about next, and vice versa. */
async function rememberChild(person: WebPerson, child: AccessibleChild): Promise<void> {
  if (person.kind !== "account" || person.account.selectedStudentId?.equals(child.studentId)) return;
  await Account.updateOne({ _id: person.account._id }, { $set: { selectedStudentId: child.studentId } });
  person.account.selectedStudentId = child.studentId;
}
