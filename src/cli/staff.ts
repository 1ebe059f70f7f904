/**
 * `npm run --silent staff -- --school <id> --list [--json]` lists the school's teachers and admins
 * (roles from codes, with their expiry, and the bootstrap admins of ADMIN_TELEGRAM_IDS);
 * `--revoke <accountId|telegramId> [--role teacher|admin] [--with-codes] [--reason "..."]` takes the
 * roles away at once; `--renew <accountId|telegramId|all> [--role teacher|admin]` keeps them through
 * the next school year. Every change is written to the audit log.
 */
import { STAFF_ROLES, type StaffRole } from "../db/models";
import { schoolDay } from "../domain/time";
import { findSchool } from "../services/schools";
import { listStaff, renewStaffRoles, revokeStaffRoles, StaffRequestError, type StaffMember } from "../services/staff";
import { formatTable, option, refusalsAsInput, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent staff -- --school <schoolId> --list [--json]
       npm run --silent staff -- --school <schoolId> --revoke <accountId|telegramId> [--role teacher|admin] [--with-codes] [--reason "..."] [--json]
       npm run --silent staff -- --school <schoolId> --renew <accountId|telegramId|all> [--role teacher|admin] [--reason "..."] [--json]
Staff roles end with the school year (the journal's last period, else 31 August) unless renewed.`;

const ACTOR = { kind: "cli" as const, name: "staff" };

/** Days on the school's calendar: when a role was granted, and the last day it lasts (its end is the midnight after). */
function calendar(zone: string) {
  const day = (at: Date | string | undefined) => (at ? schoolDay(new Date(at), zone) : "");
  const lastDay = (end: Date | string | undefined) => (end ? day(new Date(new Date(end).getTime() - 1)) : "");
  return { day, lastDay };
}

function memberJson(m: StaffMember) {
  return { ...m, grantedAt: m.grantedAt?.toISOString(), expiresAt: m.expiresAt?.toISOString() };
}

function memberRow(m: StaffMember, { day, lastDay }: ReturnType<typeof calendar>) {
  return {
    role: m.role,
    account: m.accountId ?? "",
    telegram: m.telegramId,
    who: m.source === "config" ? "ADMIN_TELEGRAM_IDS" : m.teacherName ? `${m.teacherName} (${m.teacherExternalId})` : (m.label ?? ""),
    granted: day(m.grantedAt),
    until: m.source === "config" ? "always" : lastDay(m.expiresAt),
    classes: m.classes?.join(", ") ?? "",
  };
}

/** A service refusal is one clear line, exit code 1. */
const asked = <T>(call: () => Promise<T>) => refusalsAsInput(StaffRequestError, call);

void runCli(USAGE, { values: ["school", "revoke", "renew", "role", "reason"], flags: ["list", "with-codes"] }, async (ctx) => {
  const schoolOption = option(ctx.args, "school", true);
  const actions = ["list", "revoke", "renew"].filter((name) => ctx.args.options.has(name));
  if (actions.length !== 1) throw new UsageError("give exactly one of --list, --revoke, --renew");
  const role = option(ctx.args, "role");
  if (role !== undefined && !(STAFF_ROLES as readonly string[]).includes(role)) throw new UsageError("--role must be teacher or admin");
  if (ctx.args.options.has("with-codes") && !ctx.args.options.has("revoke")) throw new UsageError("--with-codes goes with --revoke");
  const roles = role ? [role as StaffRole] : undefined;
  await ctx.connectDb();
  const school = await findSchool(schoolOption);
  const common = { schoolId: school._id, roles, actor: ACTOR, reason: option(ctx.args, "reason"), now: new Date(), bootstrapAdmins: ctx.config.ADMIN_TELEGRAM_IDS };

  if (actions[0] === "list") {
    const staff = await listStaff(school._id, ctx.config.ADMIN_TELEGRAM_IDS);
    const days = calendar(school.timezone);
    return { json: staff.map(memberJson), text: staff.length ? formatTable(staff.map((m) => memberRow(m, days))) : "No teachers or admins in this school yet.\n" };
  }

  if (actions[0] === "revoke") {
    const who = option(ctx.args, "revoke", true);
    const outcome = await asked(() => revokeStaffRoles({ ...common, who, withCodes: ctx.args.options.has("with-codes") }));
    const codes = outcome.codesRevoked
      ? `${outcome.unusedCodes} unused code(s) this account issued were revoked.\n`
      : outcome.unusedCodes
        ? `${outcome.unusedCodes} unused code(s) this account issued stay valid; add --with-codes to revoke them too.\n`
        : "";
    return {
      json: outcome,
      text: `Revoked: ${outcome.revoked.map((r) => r.role).join(", ")} of account ${outcome.accountId}. It takes effect on the account's next message.\n${codes}`,
    };
  }

  const who = option(ctx.args, "renew", true);
  const renewed = await asked(() => renewStaffRoles({ ...common, who }));
  const { lastDay } = calendar(school.timezone);
  return {
    json: renewed,
    text: renewed.length
      ? formatTable(renewed.map((r) => ({ role: r.role, account: r.accountId, was: lastDay(r.before), until: lastDay(r.after) })))
      : "Nothing to renew: the roles already last through the next school year.\n",
  };
});
