/**
 * The staff upkeep job (hourly, BullMQ scheduler `staff-upkeep`): per school, removes the staff
 * roles whose school year has ended, gives roles from before expiry existed their year end, and
 * keeps each teacher role's list of classes in step with the journal, writing an audit entry for
 * every change. Access itself never waits for this job: expired roles count for nothing from their
 * expiry on (src/bot/middleware/account.ts), and a teacher's classes are computed from the journal
 * whenever they act (src/services/recommendations.ts). A few queries per school, whatever its size.
 */
import { Types } from "mongoose";
import { Account, Lesson, School, SchoolClass, STAFF_ROLES, type AccountRole } from "../db/models";
import type { Logger } from "../logger";
import { recordAudit, type AuditActor, type AuditRecord } from "./audit";
import { teachingSince } from "./recommendations";
import { inForce, roleSnapshot, staffRoleExpiry } from "./staff";

const ACTOR: AuditActor = { kind: "system", name: "staff-upkeep" };

export interface UpkeepReport {
  expired: number;
  expirySet: number;
  classChanges: number;
}

export async function runStaffUpkeep(now: Date, logger?: Logger): Promise<UpkeepReport> {
  const report: UpkeepReport = { expired: 0, expirySet: 0, classChanges: 0 };
  for (const school of await School.find({}, { _id: 1 }).lean()) {
    const part = await upkeepSchool(school._id, now);
    report.expired += part.expired;
    report.expirySet += part.expirySet;
    report.classChanges += part.classChanges;
  }
  if (report.expired || report.expirySet || report.classChanges) logger?.info({ ...report }, "staff roles kept up");
  return report;
}

type StaffAccount = { _id: Types.ObjectId; roles: AccountRole[] };

export async function upkeepSchool(schoolId: Types.ObjectId, now: Date): Promise<UpkeepReport> {
  const accounts: StaffAccount[] = await Account.find({ roles: { $elemMatch: { schoolId, role: { $in: [...STAFF_ROLES] } } } }, { roles: 1 }).lean();
  const ours = (a: StaffAccount) => a.roles.filter((r) => r.schoolId.equals(schoolId) && (STAFF_ROLES as readonly string[]).includes(r.role));
  const entries: AuditRecord[] = [];
  const audit = (accountId: Types.ObjectId, action: AuditRecord["action"], before: unknown, after: unknown, reason: string) =>
    entries.push({ at: now, schoolId, actor: ACTOR, action, target: { kind: "account", id: accountId }, before, after, reason });

  // 1. The school year is over for these roles.
  let expired = 0;
  for (const account of accounts) {
    const ended = ours(account).filter((r) => !inForce(r, now));
    if (!ended.length) continue;
    await Account.updateOne({ _id: account._id }, { $pull: { roles: { schoolId, role: { $in: [...STAFF_ROLES] }, expiresAt: { $lte: now } } } });
    for (const role of ended) audit(account._id, "role.expired", roleSnapshot(role), null, "the school year of the role ended");
    expired += ended.length;
  }

  // 2. Roles granted before roles expired get the end of the current school year.
  let expirySet = 0;
  const undated = accounts.flatMap((a) => ours(a).filter((r) => !r.expiresAt).map((role) => ({ account: a, role })));
  if (undated.length) {
    const until = await staffRoleExpiry(schoolId, now, "grant");
    for (const { account, role } of undated) {
      const match = { schoolId, role: role.role, expiresAt: null, ...(role.teacherId ? { teacherId: role.teacherId } : {}) };
      const updated = await Account.updateOne({ _id: account._id, roles: { $elemMatch: match } }, { $set: { "roles.$.expiresAt": until } });
      if (!updated.modifiedCount) continue;
      audit(account._id, "role.renewed", roleSnapshot(role), roleSnapshot({ ...role, expiresAt: until }), "a role from before expiry existed: to the end of the school year");
      expirySet++;
    }
  }

  // 3. Each teacher's classes as the journal has them now (lessons within the grace period, homeroom).
  const teacherRoles = accounts.flatMap((a) => ours(a).filter((r) => r.role === "teacher" && r.teacherId && inForce(r, now)).map((role) => ({ account: a, role })));
  let classChanges = 0;
  if (teacherRoles.length) {
    const scopes = await teacherClasses(schoolId, teacherRoles.map(({ role }) => role.teacherId!), now);
    const names = new Map((await SchoolClass.find({ schoolId }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
    const described = (ids: readonly string[]) => ids.map((id) => ({ classId: id, name: names.get(id) ?? null }));
    for (const { account, role } of teacherRoles) {
      const current = [...(scopes.get(String(role.teacherId)) ?? [])].sort();
      const before = role.classIds ? role.classIds.map(String).sort() : null;
      if (before && before.length === current.length && before.every((id, i) => id === current[i])) continue;
      const match = { schoolId, role: "teacher", teacherId: role.teacherId };
      await Account.updateOne({ _id: account._id, roles: { $elemMatch: match } }, { $set: { "roles.$.classIds": current.map((id) => new Types.ObjectId(id)) } });
      const lost = (before ?? []).filter((id) => !current.includes(id));
      audit(
        account._id, "role.classes-changed",
        before ? { teacherId: String(role.teacherId), classes: described(before) } : null,
        { teacherId: String(role.teacherId), classes: described(current) },
        lost.length ? "the journal's lessons with a class ended" : before ? "the journal gave the teacher a class" : "the classes of the teacher's role recorded",
      );
      classChanges++;
    }
  }
  await recordAudit(entries);
  return { expired, expirySet, classChanges };
}

/**
 * The classes each teacher has access to at `now`: classes of their lessons (or substitutions) from
 * the grace period on, and their homeroom classes. Two queries for all the school's teachers.
 */
export async function teacherClasses(schoolId: Types.ObjectId, teacherIds: readonly Types.ObjectId[], now: Date): Promise<Map<string, Set<string>>> {
  const since = await teachingSince(schoolId, now);
  const [pairs, homerooms] = await Promise.all([
    Lesson.aggregate<{ _id: { teacherId: Types.ObjectId; substituteTeacherId?: Types.ObjectId | null; classId: Types.ObjectId } }>([
      { $match: { schoolId, date: { $gte: since }, $or: [{ teacherId: { $in: teacherIds } }, { substituteTeacherId: { $in: teacherIds } }] } },
      { $group: { _id: { teacherId: "$teacherId", substituteTeacherId: "$substituteTeacherId", classId: "$classId" } } },
    ]),
    SchoolClass.find({ schoolId, homeroomTeacherId: { $in: teacherIds } }, { homeroomTeacherId: 1 }).lean(),
  ]);
  const wanted = new Set(teacherIds.map(String));
  const classes = new Map<string, Set<string>>(teacherIds.map((id) => [String(id), new Set<string>()]));
  const add = (teacherId: unknown, classId: unknown) => {
    if (teacherId && wanted.has(String(teacherId))) classes.get(String(teacherId))!.add(String(classId));
  };
  for (const { _id } of pairs) {
    add(_id.teacherId, _id.classId);
    add(_id.substituteTeacherId, _id.classId);
  }
  for (const c of homerooms) add(c.homeroomTeacherId, c._id);
  return classes;
}
