/** `npm run --silent school:token -- --school <id> [--json]`: issues a new exchange token (the old one stops working). */
import { rotateToken } from "../services/schools";
import { issuedTokenOutput, option, runCli } from "./common";

const USAGE = "Usage: npm run --silent school:token -- --school <schoolId> [--json]";

void runCli(USAGE, { values: ["school"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  await ctx.connectDb();
  const issued = await rotateToken(schoolId);
  return issuedTokenOutput(issued, "The old token no longer works. The new one is shown only now: put it into the journal's exchange settings.");
});
