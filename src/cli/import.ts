/**
 * `npm run --silent import -- --school <id> <resource> <file.json|file.csv> [--json] [--no-notify]`:
 * the exchange API's import from a file (same validation, counts and errors). JSON files hold
 * `{"items": [...]}` or a bare array; resource `bundle` takes `{"classes": [...], ...}` (JSON only),
 * `schoolYear` the new school year's rollover `{"year", "movers", "leavers"}` (JSON only; issue 15).
 */
import fs from "node:fs";
import path from "node:path";
import { EXCHANGE_RESOURCES, type ExchangeResource } from "../db/models";
import { QUEUES } from "../queue/names";
import { findSchool } from "../services/schools";
import { CsvError, csvToItems } from "../services/exchange/csv";
import { importBatch, importBundle, type Counts } from "../services/exchange/import";
import { rollOverSchoolYear } from "../services/school-year";
import { InputError, formatTable, option, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent import -- --school <schoolId> <resource> <file.json|file.csv> [--json] [--no-notify]
resources: ${EXCHANGE_RESOURCES.join(", ")}, bundle, schoolYear (the new school year's rollover)`;

/** Resources whose file is one JSON object, not a list of items. */
const WHOLE = ["bundle", "schoolYear"];

function readItems(resource: string, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const extension = path.extname(file).toLowerCase();
  if (extension === ".csv") {
    if (WHOLE.includes(resource)) throw new UsageError(`${resource} can only be imported from a JSON file`);
    try {
      return { items: csvToItems(resource as ExchangeResource, text) };
    } catch (error) {
      if (error instanceof CsvError) throw new CsvError(`${file}: ${error.message}`);
      throw error;
    }
  }
  if (extension !== ".json") throw new UsageError(`${file}: the file must end in .json or .csv`);
  let body: unknown;
  try {
    body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InputError(`${file}: malformed JSON: ${(error as Error).message}`);
  }
  return Array.isArray(body) && !WHOLE.includes(resource) ? { items: body } : body;
}

void runCli(USAGE, { values: ["school"], flags: ["no-notify"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  const [resource, file, ...extra] = ctx.args.positional;
  if (!resource || !file || extra.length) throw new UsageError("give a resource and a file");
  if (!WHOLE.includes(resource) && !(EXCHANGE_RESOURCES as readonly string[]).includes(resource)) throw new UsageError(`unknown resource "${resource}"`);
  const body = readItems(resource, file);
  await ctx.connectDb();
  const school = await findSchool(schoolId);
  const queues = await ctx.queues();
  const target = { _id: school._id, timezone: school.timezone, loadedResources: school.loadedResources };
  const options = { notify: !ctx.args.options.has("no-notify"), events: queues.queue(QUEUES.events), logger: ctx.logger };
  if (resource === "schoolYear") {
    const result = await rollOverSchoolYear(school, body, { now: new Date(), deliveries: queues.queue(QUEUES.deliveries), notify: options.notify, logger: ctx.logger });
    return { json: result, text: formatTable([{ ...result }], ["year", "moved", "stayed", "left", "unchanged", "linksEnded", "codesExpired", "notified"]) };
  }
  const columns = ["resource", "received", "created", "updated", "unchanged", "deleted"];
  if (resource === "bundle") {
    const result = await importBundle(target, body, options);
    const rows = Object.entries(result.resources).map(([name, counts]) => ({ resource: name, ...counts }));
    return { json: result, text: formatTable([...rows, { resource: "total", ...result, resources: undefined }], columns) };
  }
  const result: Counts = await importBatch(target, resource as ExchangeResource, body, options);
  return { json: result, text: formatTable([{ resource, ...result }], columns) };
});
