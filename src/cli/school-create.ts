/** `npm run --silent school:create -- --name "<name>" [--address "..."] [--timezone Europe/Moscow] [--json]` */
import { createSchool } from "../services/schools";
import { issuedTokenOutput, option, runCli, UsageError } from "./common";

const USAGE = 'Usage: npm run --silent school:create -- --name "<name>" [--address "<address>"] [--timezone Europe/Moscow] [--json]';

void runCli(USAGE, { values: ["name", "address", "timezone"] }, async (ctx) => {
  const name = option(ctx.args, "name", true).trim();
  if (!name) throw new UsageError("--name must not be empty");
  const timezone = option(ctx.args, "timezone") ?? ctx.config.DEFAULT_TIMEZONE;
  await ctx.connectDb();
  const issued = await createSchool({ name, address: option(ctx.args, "address"), timezone });
  return issuedTokenOutput(issued, "The exchange token is shown only now: put it into the journal's exchange settings.");
});
