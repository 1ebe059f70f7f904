/**
 * Staff roles (teacher, admin) over their life: how long a role lasts (to the end of the school
 * year, src/domain/school-year.ts), which roles are in force at an instant, and what school IT and
 * the console do with them: list, revoke, renew. Every change writes an audit entry. Bootstrap
 * admins (ADMIN_TELEGRAM_IDS) are configuration, not roles: they are listed but changed only there.
 */
import { Types } from "mongoose";
import { Account, InviteCode, Period, School, SchoolClass, STAFF_ROLES, Teacher, DEFAULT_TIMEZONE, type AccountRole, type StaffRole } from "../db/models";
import { staffRoleLastDay } from "../domain/school-year";
import { addDays, schoolDay, zonedInstant } from "../domain/time";
import { recordAudit, type AuditActor, type AuditRecord } from "./audit";

/** A request that cannot be done as asked (unknown person, no such role): one clear line. */
export class StaffRequestError extends Error {}

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

/** The instant a staff role granted (or renewed) at `now` ends: the start of the day after the school year's last day, in the school's zone. */
export async function staffRoleExpiry(schoolId: Types.ObjectId, now: Date, mode: "grant" | "renew"): Promise<Date> {
  const [school, periods] = await Promise.all([
    School.findById(schoolId, { timezone: 1 }).lean(),
    Period.find({ schoolId }, { kind: 1, start: 1, end: 1 }).lean(),
  ]);
  const zone = school?.timezone ?? DEFAULT_TIMEZONE;
  return zonedInstant(addDays(staffRoleLastDay(schoolDay(now, zone), periods, mode), 1), "00:00", zone);
}

type Expiring = { expiresAt?: Date | null };

/** A role counts only before its expiry: checked on every update, before the upkeep job removes it. */
export function inForce(role: Expiring, now: Date): boolean {
  return !role.expiresAt || role.expiresAt.getTime() > now.getTime();
}

/** Leaves on the account, as loaded for this update, only the roles in force (nothing is written). */
export function dropExpiredRoles(account: { roles: AccountRole[]; set(path: string, value: unknown): unknown }, now: Date): void {
  if (account.roles.every((r) => inForce(r, now))) return;
  account.set("roles", account.roles.filter((r) => inForce(r, now)));
}

type RoleFields = Pick<AccountRole, "role" | "schoolId"> & {
  teacherId?: Types.ObjectId | null;
  grantedAt?: Date | null;
  expiresAt?: Date | null;
  codeId?: Types.ObjectId | null;
};

/** A role as the audit log keeps it: ids and instants only. */
export function roleSnapshot(role: RoleFields) {
  return {
    role: role.role,
    schoolId: String(role.schoolId),
    ...(role.teacherId ? { teacherId: String(role.teacherId) } : {}),
    grantedAt: role.grantedAt?.toISOString(),
    ...(role.expiresAt ? { expiresAt: role.expiresAt.toISOString() } : {}),
    ...(role.codeId ? { codeId: String(role.codeId) } : {}),
  };
}

export interface StaffMember {
  accountId?: string;
  /** Absent for a staff member known only through MAX. */
  telegramId?: number;
  role: StaffRole;
  /** "code": a role from an invite code; "config": a bootstrap admin from ADMIN_TELEGRAM_IDS (every school, never expires). */
  source: "code" | "config";
  teacherExternalId?: string;
  teacherName?: string;
  /** The label the code was issued with (`codes --admin --label ...`). */
  label?: string;
  grantedAt?: Date;
  expiresAt?: Date;
  /** Teachers: the classes the upkeep job last saw in their scope. */
  classes?: string[];
}

const staffQuery = (schoolId: Types.ObjectId) => ({ roles: { $elemMatch: { schoolId, role: { $in: [...STAFF_ROLES] } } } });

/** The school's staff: every teacher and admin role, and the bootstrap admins, by role then grant. */
export async function listStaff(schoolId: Types.ObjectId, bootstrapAdmins: readonly number[]): Promise<StaffMember[]> {
  const accounts = await Account.find(staffQuery(schoolId), { telegramId: 1, roles: 1 }).lean();
  const roles = accounts.flatMap((a) => a.roles.filter((r) => r.schoolId.equals(schoolId) && isStaffRole(r.role)).map((r) => ({ account: a, role: r })));
  const ids = (pick: (r: AccountRole) => Types.ObjectId | null | undefined) => [...new Set(roles.map(({ role }) => pick(role)).filter(Boolean).map(String))];
  const [teachers, codes, classes, bootstrap] = await Promise.all([
    Teacher.find({ _id: { $in: ids((r) => r.teacherId) } }, { fullName: 1, externalId: 1 }).lean(),
    InviteCode.find({ _id: { $in: ids((r) => r.codeId) } }, { batch: 1 }).lean(),
    SchoolClass.find({ _id: { $in: [...new Set(roles.flatMap(({ role }) => (role.classIds ?? []).map(String)))] } }, { name: 1 }).lean(),
    Account.find({ telegramId: { $in: [...bootstrapAdmins] } }, { telegramId: 1 }).lean(),
  ]);
  const teacher = new Map(teachers.map((t) => [String(t._id), t]));
  const label = new Map(codes.map((c) => [String(c._id), c.batch ?? undefined]));
  const className = new Map(classes.map((c) => [String(c._id), c.name]));
  const members: StaffMember[] = roles.map(({ account, role }) => {
    const t = role.teacherId ? teacher.get(String(role.teacherId)) : undefined;
    return {
      accountId: String(account._id),
      ...(typeof account.telegramId === "number" ? { telegramId: account.telegramId } : {}),
      role: role.role as StaffRole,
      source: "code",
      ...(t ? { teacherExternalId: t.externalId, teacherName: t.fullName } : {}),
      ...(role.codeId && label.get(String(role.codeId)) ? { label: label.get(String(role.codeId)) } : {}),
      grantedAt: role.grantedAt,
      ...(role.expiresAt ? { expiresAt: role.expiresAt } : {}),
      ...(role.classIds ? { classes: role.classIds.map((id) => className.get(String(id)) ?? String(id)).sort() } : {}),
    };
  });
  const accountOf = new Map(bootstrap.map((a) => [a.telegramId, String(a._id)]));
  for (const telegramId of bootstrapAdmins) {
    members.push({ telegramId, role: "admin", source: "config", ...(accountOf.has(telegramId) ? { accountId: accountOf.get(telegramId) } : {}) });
  }
  const order = (m: StaffMember) => `${m.role === "admin" ? 0 : 1}${m.source === "config" ? 0 : 1}${m.grantedAt?.toISOString() ?? ""}`;
  return members.sort((a, b) => order(a).localeCompare(order(b)));
}

/** The account named by its id (24 hex digits) or its Telegram user id (digits). */
async function findAccount(who: string) {
  const value = who.trim();
  const filter = /^[0-9a-f]{24}$/i.test(value) ? { _id: new Types.ObjectId(value) } : /^\d{1,20}$/.test(value) ? { telegramId: Number(value) } : null;
  if (!filter) throw new StaffRequestError(`"${who}" is neither an account id (24 hex digits) nor a Telegram user id (digits)`);
  return Account.findOne(filter, { telegramId: 1, roles: 1 }).lean();
}

export interface StaffChangeInput {
  schoolId: Types.ObjectId;
  /** An account id or a Telegram user id. */
  who: string;
  /** Only these roles (default: teacher and admin). */
  roles?: readonly StaffRole[];
  actor: AuditActor;
  reason?: string;
  now: Date;
  bootstrapAdmins: readonly number[];
}

export interface RevokeOutcome {
  accountId: string;
  revoked: Array<ReturnType<typeof roleSnapshot>>;
  /** Codes this account issued in the school that are still unused: revoked with `withCodes`, else counted. */
  unusedCodes: number;
  codesRevoked: boolean;
}

const unusedCodesQuery = (schoolId: Types.ObjectId, accountId: Types.ObjectId, now: Date) =>
  ({ schoolId, issuedBy: accountId, usedAt: null, revokedAt: null, expiresAt: { $gt: now } });

/** The codes the account issued in the school that can still be redeemed (the console's confirmation says how many). */
export async function unusedCodesIssued(schoolId: Types.ObjectId, accountId: Types.ObjectId, now: Date): Promise<number> {
  return InviteCode.countDocuments(unusedCodesQuery(schoolId, accountId, now));
}

/**
 * Takes the account's staff roles in the school away at once (the next update finds them gone) and
 * writes one audit entry per role. With `withCodes`, the unused codes the account issued there are
 * revoked too (a slip they printed for themselves); without, the outcome says how many remain.
 */
export async function revokeStaffRoles(input: StaffChangeInput & { withCodes?: boolean }): Promise<RevokeOutcome> {
  const wanted = input.roles ?? STAFF_ROLES;
  const account = await findAccount(input.who);
  const telegramId = account?.telegramId ?? (/^\d+$/.test(input.who.trim()) ? Number(input.who.trim()) : undefined);
  const roles = (account?.roles ?? []).filter((r) => r.schoolId.equals(input.schoolId) && (wanted as readonly string[]).includes(r.role));
  if (!account || !roles.length) {
    if (telegramId !== undefined && input.bootstrapAdmins.includes(telegramId) && wanted.includes("admin")) {
      throw new StaffRequestError(`${telegramId} is an admin through ADMIN_TELEGRAM_IDS: remove it there and restart the service`);
    }
    throw new StaffRequestError(`${input.who} has no ${wanted.join(" or ")} role in this school`);
  }
  await Account.updateOne({ _id: account._id }, { $pull: { roles: { schoolId: input.schoolId, role: { $in: [...wanted] } } } });
  const codes = unusedCodesQuery(input.schoolId, account._id, input.now);
  const unusedCodes = input.withCodes ? (await InviteCode.updateMany(codes, { $set: { revokedAt: input.now } })).modifiedCount : await InviteCode.countDocuments(codes);
  const revoked = roles.map(roleSnapshot);
  await recordAudit(revoked.map((before) => ({
    at: input.now, schoolId: input.schoolId, actor: input.actor, action: "role.revoked" as const,
    target: { kind: "account" as const, id: account._id }, before, after: null, reason: input.reason,
  })));
  return { accountId: String(account._id), revoked, unusedCodes, codesRevoked: !!input.withCodes };
}

export interface RenewOutcome {
  accountId: string;
  role: StaffRole;
  before?: string;
  after: string;
}

/**
 * Keeps staff roles through the next school year: one account's (`who`) or, with `who` = "all",
 * every staff role in the school. A role that already lasts that long is left as it is (renewing
 * twice changes nothing); each change writes an audit entry.
 */
export async function renewStaffRoles(input: StaffChangeInput): Promise<RenewOutcome[]> {
  const wanted = input.roles ?? STAFF_ROLES;
  const renewable = (r: AccountRole) => r.schoolId.equals(input.schoolId) && (wanted as readonly string[]).includes(r.role) && inForce(r, input.now);
  const accounts = input.who === "all" ? await Account.find(staffQuery(input.schoolId), { roles: 1 }).lean() : [await findAccount(input.who)].filter((a) => !!a);
  if (input.who !== "all" && !accounts.some((a) => a.roles.some(renewable))) {
    throw new StaffRequestError(`${input.who} has no ${wanted.join(" or ")} role in force in this school (an expired role needs a new code)`);
  }
  const until = await staffRoleExpiry(input.schoolId, input.now, "renew");
  const outcomes: RenewOutcome[] = [];
  const entries: AuditRecord[] = [];
  for (const account of accounts) {
    const due = account.roles.filter((r) => renewable(r) && (!r.expiresAt || r.expiresAt.getTime() < until.getTime()));
    for (const role of due) {
      // One role at a time: the element that is this role in this school (a teacher may also be an admin).
      const match = { schoolId: input.schoolId, role: role.role, ...(role.teacherId ? { teacherId: role.teacherId } : {}) };
      const updated = await Account.updateOne({ _id: account._id, roles: { $elemMatch: match } }, { $set: { "roles.$.expiresAt": until } });
      if (!updated.modifiedCount) continue;
      outcomes.push({ accountId: String(account._id), role: role.role as StaffRole, before: role.expiresAt?.toISOString(), after: until.toISOString() });
      entries.push({
        at: input.now, schoolId: input.schoolId, actor: input.actor, action: "role.renewed", target: { kind: "account", id: account._id },
        before: roleSnapshot(role), after: roleSnapshot({ ...role, expiresAt: until }), reason: input.reason,
      });
    }
  }
  await recordAudit(entries);
  return outcomes;
}
