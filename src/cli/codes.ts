/**
 * `npm run --silent codes -- --school <id> (--class <name> | --student <externalId> [--guardian <externalId>]
 * [--role guardian|student] | --teacher <externalId> | --admin) [--json]` issues invite codes;
 * `--revoke <code>` revokes one. The codes are printed once here and stored only as peppered hashes.
 */
import { findSchool } from "../services/schools";
import { CodeRequestError, issueAdminCode, issueClassCodes, issueStudentCode, issueTeacherCode, revokeCode, type IssuedCode } from "../services/codes";
import { formatTable, InputError, option, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent codes -- --school <schoolId> (--class <name> | --student <externalId> [--guardian <externalId>] [--role guardian|student] | --teacher <externalId> | --admin) [--json]
       npm run --silent codes -- --school <schoolId> --revoke <code> [--json]`;

function row(code: IssuedCode) {
  return {
    role: code.role,
    code: code.code,
    expiresAt: code.expiresAt.toISOString(),
    ...(code.studentExternalId !== undefined ? { studentExternalId: code.studentExternalId } : {}),
    ...(code.studentName !== undefined ? { studentName: code.studentName } : {}),
    ...(code.className !== undefined ? { className: code.className } : {}),
    ...(code.teacherExternalId !== undefined ? { teacherExternalId: code.teacherExternalId } : {}),
  };
}

void runCli(USAGE, { values: ["school", "class", "student", "guardian", "role", "teacher", "revoke"], flags: ["admin"] }, async (ctx) => {
  const schoolOption = option(ctx.args, "school", true);
  const targets = ["class", "student", "teacher", "admin", "revoke"].filter((name) => ctx.args.options.has(name));
  if (targets.length !== 1) throw new UsageError("give exactly one of --class, --student, --teacher, --admin, --revoke");
  const role = option(ctx.args, "role") ?? "guardian";
  if (role !== "guardian" && role !== "student") throw new UsageError("--role must be guardian or student");
  if ((ctx.args.options.has("guardian") || ctx.args.options.has("role")) && !ctx.args.options.has("student")) throw new UsageError("--guardian and --role go with --student");
  await ctx.connectDb();
  const school = await findSchool(schoolOption);
  const common = { schoolId: school._id, pepper: ctx.config.codePepper, now: new Date() };

  const revoke = option(ctx.args, "revoke");
  if (revoke !== undefined) {
    const status = await revokeCode({ code: revoke, pepper: ctx.config.codePepper, now: new Date(), schoolId: school._id });
    if (status === "unknown") throw new InputError("no such code in this school");
    if (status === "used") throw new InputError("the code was already used; it cannot be revoked (unlink the account instead)");
    return { json: { revoked: true, status }, text: status === "revoked" ? "The code is revoked.\n" : "The code was already revoked.\n" };
  }

  let issued: IssuedCode[];
  try {
    const className = option(ctx.args, "class");
    const student = option(ctx.args, "student");
    const teacher = option(ctx.args, "teacher");
    if (className !== undefined) issued = await issueClassCodes({ ...common, className });
    else if (student !== undefined) issued = [await issueStudentCode({ ...common, studentExternalId: student, role, guardianExternalId: option(ctx.args, "guardian") })];
    else if (teacher !== undefined) issued = [await issueTeacherCode({ ...common, teacherExternalId: teacher })];
    else issued = [await issueAdminCode(common)];
  } catch (error) {
    if (error instanceof CodeRequestError) throw new InputError(error.message);
    throw error;
  }
  ctx.logger.info({ schoolId: String(school._id), count: issued.length }, "invite codes issued");
  const rows = issued.map(row);
  const table = rows.map((r) => ({ role: r.role, code: r.code, expires: r.expiresAt.slice(0, 10), class: r.className, student: r.studentName ?? r.teacherExternalId }));
  return {
    json: rows,
    text: rows.length ? formatTable(table) + "\nThe codes are shown only now; the database keeps their hashes.\n" : "No students in this class: no codes issued.\n",
  };
});
