/**
 * `npm run --silent seed:demo -- [--name "<name>"] [--today YYYY-MM-DD] [--json]`: a demo school
 * loaded through the exchange import (the timetable around today in Europe/Moscow), its exchange
 * token and guardian invite codes, so that a newcomer can try the bot at once.
 */
import { DEFAULT_TIMEZONE, type ExchangeResource } from "../db/models";
import { isCalendarDay, schoolDay } from "../domain/time";
import { createSchool, findSchool } from "../services/schools";
import { importBundle } from "../services/exchange/import";
import { formatTable, option, runCli, UsageError } from "./common";
import { demoSchool } from "./demo-data";

const USAGE = 'Usage: npm run --silent seed:demo -- [--name "<school name>"] [--today YYYY-MM-DD] [--json]';

export interface DemoCode {
  role: string;
  code: string;
  expiresAt: string;
  studentExternalId?: string;
  studentName?: string;
  className?: string;
}

/**
 * Guardian invite codes for a few demo students. Empty until the onboarding issue provides code
 * issuing: call its service here (e.g. one guardian code per student of 5А) and return them.
 */
async function issueDemoCodes(_schoolId: string): Promise<DemoCode[]> {
  return [];
}

void runCli(USAGE, { values: ["name", "today"] }, async (ctx) => {
  const today = option(ctx.args, "today") ?? schoolDay(new Date(), DEFAULT_TIMEZONE);
  if (!isCalendarDay(today)) throw new UsageError("--today must be a date YYYY-MM-DD");
  const data = demoSchool(today);
  await ctx.connectDb();
  const issued = await createSchool({ name: option(ctx.args, "name") ?? "Демонстрационная школа № 1", address: "г. Москва, ул. Школьная, д. 1", timezone: DEFAULT_TIMEZONE });
  const school = await findSchool(issued.schoolId);
  // A first load: silent, no events to enqueue, so no Redis is needed.
  const result = await importBundle({ _id: school._id, timezone: school.timezone, loadedResources: school.loadedResources }, data, { notify: false, logger: ctx.logger });
  const codes = await issueDemoCodes(issued.schoolId);
  const rows = (Object.keys(result.resources) as ExchangeResource[]).map((resource) => ({ resource, items: result.resources[resource]!.created }));
  return {
    json: { schoolId: issued.schoolId, token: issued.token, codes },
    text:
      formatTable([
        { field: "schoolId", value: issued.schoolId },
        { field: "token", value: issued.token },
      ]) +
      `\nDemo data as of ${today}:\n` +
      formatTable(rows) +
      (codes.length ? `\nGuardian codes:\n${formatTable(codes as unknown as Array<Record<string, unknown>>)}` : "\nGuardian codes: none yet (invite codes come with the onboarding feature).\n"),
  };
});
