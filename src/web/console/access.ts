/**
 * Who may see what in the school's console (/app/school/…), asked on the server for every request.
 * The one place that answers it (docs/web.md, "The school's console"):
 * - an admin (an admin role from a code, or a bootstrap admin of ADMIN_TELEGRAM_IDS: every school)
 *   sees their school and every class in it;
 * - a teacher (class teacher or subject teacher) sees their school and their classes only: their
 *   homeroom classes and the classes of their lessons from the grace period on
 *   (`teacherClasses`, the same rule as /recommend and the staff upkeep);
 * - everyone else — a guardian, a student, someone signed out, an admin of another school, a
 *   teacher asking for a class not theirs, an id that is no id — gets the same 404 as a page that
 *   does not exist. Nothing from the URL or the form carries a permission.
 * The scope is computed once per request (at most four queries) and kept with the request.
 */
import { isBootstrapAdmin } from "../../services/accounts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Types } from "mongoose";
import { School, SchoolClass, type AccountDocument } from "../../db/models";
import { teacherClasses } from "../../services/staff-upkeep";
import { byName } from "../../services/reports/school-data";
import type { WebPerson } from "../auth/person";
import type { WebApp } from "../feature";

export interface ConsoleSchool {
  _id: Types.ObjectId;
  name: string;
  timezone: string;
  /** The viewer administers this school (every class, the settings, the audit log). */
  admin: boolean;
  /** Teacher roles of the viewer in this school (usually one). */
  teacherIds: Types.ObjectId[];
  /** The classes a teacher (not admin) may see; for an admin, empty (ask `consoleClasses`). */
  teacherClassIds: Types.ObjectId[];
}

export interface ConsoleScope {
  account: AccountDocument;
  /** The schools the viewer may open in the console, by name. */
  schools: ConsoleSchool[];
}

export interface ConsoleClass {
  _id: Types.ObjectId;
  schoolId: Types.ObjectId;
  name: string;
  grade: number;
  homeroomTeacherId?: Types.ObjectId | null;
}

/** What the viewer may do with a school: `staff` = look (admins and its teachers), `admin` = administer. */
export type ConsoleNeed = "staff" | "admin";

const isObjectId = (id: unknown): id is string => typeof id === "string" && /^[0-9a-f]{24}$/.test(id);

/**
 * The account behind the page if it holds a staff role somewhere (or is a bootstrap admin), without
 * a query: what the navigation asks. The pages ask `consoleScope`.
 */
export function consoleAccount(person: WebPerson | null | undefined, bootstrapAdmins: readonly number[]): AccountDocument | null {
  if (person?.kind !== "account") return null;
  const account = person.account;
  if (isBootstrapAdmin(account, bootstrapAdmins)) return account;
  return account.roles.some((r) => r.role === "admin" || (r.role === "teacher" && r.teacherId)) ? account : null;
}

const scopes = new WeakMap<FastifyRequest, Promise<ConsoleScope | null>>();

/** The viewer's console: null when they may see none of it (the caller answers 404). Once per request. */
export function consoleScope(request: FastifyRequest, web: WebApp): Promise<ConsoleScope | null> {
  let scope = scopes.get(request);
  if (!scope) {
    scope = computeScope(consoleAccount(request.viewer?.person, web.deps.config.ADMIN_TELEGRAM_IDS), web.deps.config.ADMIN_TELEGRAM_IDS, web.deps.now());
    scopes.set(request, scope);
  }
  return scope;
}

async function computeScope(account: AccountDocument | null, bootstrapAdmins: readonly number[], now: Date): Promise<ConsoleScope | null> {
  if (!account) return null;
  const everywhere = isBootstrapAdmin(account, bootstrapAdmins);
  const adminOf = new Set(account.roles.filter((r) => r.role === "admin").map((r) => String(r.schoolId)));
  const teacherRoles = account.roles.filter((r) => r.role === "teacher" && r.teacherId);
  const schoolIds = [...new Set([...adminOf, ...teacherRoles.map((r) => String(r.schoolId))])].map((id) => new Types.ObjectId(id));
  const schools = await School.find(everywhere ? {} : { _id: { $in: schoolIds } }, { name: 1, timezone: 1 }).lean();
  const result: ConsoleSchool[] = [];
  for (const school of schools) {
    const id = String(school._id);
    const admin = everywhere || adminOf.has(id);
    const teacherIds = teacherRoles.filter((r) => r.schoolId.equals(school._id)).map((r) => r.teacherId!);
    let teacherClassIds: Types.ObjectId[] = [];
    if (!admin && teacherIds.length) {
      const byTeacher = await teacherClasses(school._id, teacherIds, now);
      teacherClassIds = [...new Set([...byTeacher.values()].flatMap((s) => [...s]))].map((c) => new Types.ObjectId(c));
    }
    result.push({ _id: school._id, name: school.name, timezone: school.timezone, admin, teacherIds, teacherClassIds });
  }
  result.sort((a, b) => a.name.localeCompare(b.name, "ru"));
  return result.length ? { account, schools: result } : null;
}

/** The school with this id if the viewer may open it for `need`, else null. */
export async function consoleSchool(request: FastifyRequest, web: WebApp, schoolId: unknown, need: ConsoleNeed = "staff"): Promise<ConsoleSchool | null> {
  if (!isObjectId(schoolId)) return null;
  const school = (await consoleScope(request, web))?.schools.find((s) => String(s._id) === schoolId) ?? null;
  if (!school || (need === "admin" && !school.admin)) return null;
  return school;
}

/** The classes of the school the viewer may see (an admin: all; a teacher: theirs), by grade and name. */
export async function consoleClasses(school: ConsoleSchool): Promise<ConsoleClass[]> {
  if (!school.admin && !school.teacherClassIds.length) return [];
  const filter = school.admin ? { schoolId: school._id } : { schoolId: school._id, _id: { $in: school.teacherClassIds } };
  const classes = await SchoolClass.find(filter, { schoolId: 1, name: 1, grade: 1, homeroomTeacherId: 1 }).lean();
  return classes.sort((a, b) => a.grade - b.grade || byName(a.name, b.name));
}

/** The class with this id in the school if the viewer may see it, else null. */
export async function consoleClass(school: ConsoleSchool, classId: unknown): Promise<ConsoleClass | null> {
  if (!isObjectId(classId)) return null;
  if (!school.admin && !school.teacherClassIds.some((id) => String(id) === classId)) return null;
  return SchoolClass.findOne({ _id: classId, schoolId: school._id }, { schoolId: 1, name: 1, grade: 1, homeroomTeacherId: 1 }).lean();
}

/**
 * For route handlers: the school (and the class, when the route has one) or the 404 page already
 * sent. Usage:
 *   const at = await consoleRequest(web, request, reply, { need: "admin" });
 *   if (!at) return reply;
 * Route params `schoolId` (and `classId`) are read from the request.
 */
export async function consoleRequest(
  web: WebApp,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { need?: ConsoleNeed } = {},
): Promise<{ scope: ConsoleScope; school: ConsoleSchool; schoolClass: ConsoleClass | null } | null> {
  const params = (request.params ?? {}) as { schoolId?: string; classId?: string };
  const school = await consoleSchool(request, web, params.schoolId, options.need ?? "staff");
  const schoolClass = school && params.classId !== undefined ? await consoleClass(school, params.classId) : null;
  if (!school || (params.classId !== undefined && !schoolClass)) {
    await web.notFound(request, reply);
    return null;
  }
  return { scope: (await consoleScope(request, web))!, school, schoolClass };
}
