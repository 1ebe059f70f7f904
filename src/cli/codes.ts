/**
 * `npm run --silent codes -- --school <id> (--class <name> | --student <externalId> [--guardian <externalId>]
 * [--role guardian|student] | --teacher <externalId> | --admin) [--json]` issues invite codes; a new
 * guardian or student code revokes the student's earlier unused codes of the same role and binding.
 * `--revoke <code>` revokes one code, `--revoke (--student <externalId> | --class <name>)` every
 * unused, unexpired code of that student or class. The codes are printed once here and stored only
 * as peppered hashes.
 */
import type { Types } from "mongoose";
import { findSchool } from "../services/schools";
import {
  CodeRequestError, issueAdminCode, issueClassCodes, issueStudentCode, issueTeacherCode, revokeClassCodes, revokeCode, revokeStudentCodes,
  type IssuedCode,
} from "../services/codes";
import { formatTable, InputError, option, refusalsAsInput, runCli, UsageError, type Args, type CliOutput } from "./common";

const USAGE = `Usage: npm run --silent codes -- --school <schoolId> (--class <name> | --student <externalId> [--guardian <externalId>] [--role guardian|student] | --teacher <externalId> | --admin) [--label "..."] [--json]
       npm run --silent codes -- --school <schoolId> --revoke (<code> | --student <externalId> | --class <name>) [--json]
New guardian/student codes revoke the student's earlier unused codes of the same role and guardian.
--label names whom a teacher or admin code is for (shown by npm run staff -- --list).`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Runs a service call, turning a mistake in what was asked for into one clear line. */
const asked = <T>(call: () => Promise<T>) => refusalsAsInput(CodeRequestError, call);

async function revoke(args: Args, schoolId: Types.ObjectId, pepper: string): Promise<CliOutput> {
  const value = args.options.get("revoke");
  const now = new Date();
  if (typeof value === "string") {
    if (["student", "class"].some((name) => args.options.has(name))) throw new UsageError("--revoke takes either a code or --student/--class");
    const status = await revokeCode({ code: value, pepper, now, schoolId });
    if (status === "unknown") throw new InputError("no such code in this school");
    if (status === "used") throw new InputError("the code was already used; it cannot be revoked (unlink the account instead)");
    return { json: { revoked: true, status }, text: status === "revoked" ? "The code is revoked.\n" : "The code was already revoked.\n" };
  }
  const student = option(args, "student");
  const className = option(args, "class");
  if ((student === undefined) === (className === undefined)) throw new UsageError("--revoke needs a code, --student <externalId> or --class <name>");
  const count = await asked(() =>
    student !== undefined ? revokeStudentCodes({ schoolId, studentExternalId: student, now }) : revokeClassCodes({ schoolId, className: className!, now }),
  );
  const whose = student !== undefined ? `student ${student}` : `class ${className}`;
  return {
    json: { ...(student !== undefined ? { student } : { class: className }), revokedCount: count },
    text: count ? `Revoked ${plural(count, "unused code")} of ${whose}.\n` : `No unused codes of ${whose} to revoke.\n`,
  };
}

function row(code: IssuedCode) {
  return {
    role: code.role,
    code: code.code,
    expiresAt: code.expiresAt.toISOString(),
    ...(code.studentExternalId !== undefined ? { studentExternalId: code.studentExternalId } : {}),
    ...(code.studentName !== undefined ? { studentName: code.studentName } : {}),
    ...(code.className !== undefined ? { className: code.className } : {}),
    ...(code.teacherExternalId !== undefined ? { teacherExternalId: code.teacherExternalId } : {}),
    ...(code.revokedEarlier !== undefined ? { revokedEarlier: code.revokedEarlier } : {}),
  };
}

void runCli(USAGE, { values: ["school", "class", "student", "guardian", "role", "teacher", "label"], optionalValues: ["revoke"], flags: ["admin"] }, async (ctx) => {
  const schoolOption = option(ctx.args, "school", true);
  const revoking = ctx.args.options.has("revoke");
  if (revoking) {
    if (["teacher", "admin", "guardian", "role", "label"].some((name) => ctx.args.options.has(name))) throw new UsageError("--revoke goes with a code, --student or --class only");
  } else {
    const targets = ["class", "student", "teacher", "admin"].filter((name) => ctx.args.options.has(name));
    if (targets.length !== 1) throw new UsageError("give exactly one of --class, --student, --teacher, --admin, --revoke");
  }
  const role = option(ctx.args, "role") ?? "guardian";
  if (role !== "guardian" && role !== "student") throw new UsageError("--role must be guardian or student");
  if ((ctx.args.options.has("guardian") || ctx.args.options.has("role")) && !ctx.args.options.has("student")) throw new UsageError("--guardian and --role go with --student");
  const label = option(ctx.args, "label");
  if (label !== undefined && !ctx.args.options.has("teacher") && !ctx.args.options.has("admin")) throw new UsageError("--label goes with --teacher or --admin");
  await ctx.connectDb();
  const school = await findSchool(schoolOption);
  if (revoking) return revoke(ctx.args, school._id, ctx.config.codePepper);
  const common = { schoolId: school._id, pepper: ctx.config.codePepper, now: new Date() };

  const className = option(ctx.args, "class");
  const student = option(ctx.args, "student");
  const teacher = option(ctx.args, "teacher");
  const issued: IssuedCode[] = await asked(async () => {
    if (className !== undefined) return issueClassCodes({ ...common, className });
    if (student !== undefined) return [await issueStudentCode({ ...common, studentExternalId: student, role, guardianExternalId: option(ctx.args, "guardian") })];
    if (teacher !== undefined) return [await issueTeacherCode({ ...common, teacherExternalId: teacher, label })];
    return [await issueAdminCode({ ...common, label })];
  });
  const revokedEarlier = issued.reduce((sum, c) => sum + (c.revokedEarlier ?? 0), 0);
  ctx.logger.info({ schoolId: String(school._id), count: issued.length, revokedEarlier }, "invite codes issued");
  const rows = issued.map(row);
  const table = rows.map((r) => ({ role: r.role, code: r.code, expires: r.expiresAt.slice(0, 10), class: r.className, student: r.studentName ?? r.teacherExternalId }));
  const revokedLine = revokedEarlier
    ? `${plural(revokedEarlier, "earlier unused code")} of the same student${issued.length === 1 ? "" : "s"} (same role and guardian) revoked: slips printed before no longer work.\n`
    : "";
  return {
    json: rows,
    text: rows.length ? formatTable(table) + "\nThe codes are shown only now; the database keeps their hashes.\n" + revokedLine : "No students in this class: no codes issued.\n",
  };
});
