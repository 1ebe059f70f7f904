/**
 * `npm run --silent db:role -- [--db ed] [--role edService] [--json]`: the MongoDB role for the
 * service in production (docs/security.md, "People (per-person data)"): the mongosh commands to
 * create it, or with --json the role document. Needs no database.
 */
import { serviceRole } from "../db/service-role";
import { option, runCli } from "./common";

const USAGE = "Usage: npm run --silent db:role -- [--db <database>] [--role <name>] [--json]";

void runCli(USAGE, { values: ["db", "role"] }, async (ctx) => {
  const db = option(ctx.args, "db") ?? "ed";
  const role = serviceRole(db, option(ctx.args, "role") ?? "edService");
  const script = [
    `// Run in mongosh as an administrator; then create the service's user with this role only:`,
    `//   db.getSiblingDB(${JSON.stringify(db)}).createUser({ user: "ed", pwd: passwordPrompt(), roles: [${JSON.stringify(role.role)}] })`,
    `db.getSiblingDB(${JSON.stringify(db)}).createRole(${JSON.stringify({ role: role.role, privileges: role.privileges, roles: role.roles }, null, 2)});`,
    "",
  ].join("\n");
  return { json: role, text: script };
});
