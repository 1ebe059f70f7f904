/**
 * What every command-line tool shares: arguments, configuration without BOT_TOKEN, MongoDB (and
 * Redis when events are enqueued), a readable table or exactly one JSON document on stdout, logs on
 * stderr, and one clear line with a non-zero exit code on error.
 */
import mongoose from "mongoose";
import { ConfigError, loadConfig, type Config } from "../config";
import { connectDatabase } from "../db/connect";
import { createLogger, type Logger } from "../logger";
import { createQueueFactory, type QueueFactory } from "../queue/connection";
import { StartupError, resolveMongo, resolveRedis, type Resolved } from "../runtime/embedded";
import { ExchangeInputError, ExchangeTooLargeError, ExchangeUnavailableError } from "../services/exchange/errors";
import { SchoolNotFoundError } from "../services/schools";
import { CsvError } from "../services/exchange/csv";

/** A mistake in how the tool was called: exit code 2 and the usage line. */
export class UsageError extends Error {}

/** A problem with the tool's input (an unreadable or malformed file): exit code 1, one line. */
export class InputError extends Error {}

/** Runs a service call, turning its refusals (errors of `refusal`) into one clear line (InputError). */
export async function refusalsAsInput<T>(refusal: new (...args: never[]) => Error, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof refusal) throw new InputError(error.message);
    throw error;
  }
}

export interface Args {
  options: Map<string, string | true>;
  /** Every value of each repeatable option, in order (`--set a=1 --set b=2`). */
  lists: Map<string, string[]>;
  positional: string[];
  json: boolean;
}

export interface ArgSpec {
  values?: string[];
  /** `--name value` that may be given several times. */
  repeated?: string[];
  flags?: string[];
  /** `--name [value]`: takes the next argument unless it is another option; alone it is `true`. */
  optionalValues?: string[];
}

/**
 * `--name value`, `--name=value`, boolean `--flag`, `--name [value]`; anything else starting with
 * "--" is refused.
 */
export function parseArgs(argv: string[], spec: ArgSpec): Args {
  const values = new Set([...(spec.values ?? []), ...(spec.repeated ?? [])]);
  const repeated = new Set(spec.repeated ?? []);
  const lists = new Map<string, string[]>();
  const optionalValues = new Set(spec.optionalValues ?? []);
  const flags = new Set([...(spec.flags ?? []), "json", "help"]);
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (flags.has(name) && inline === undefined) options.set(name, true);
    else if (optionalValues.has(name)) {
      const next = inline ?? argv[i + 1];
      if (inline === undefined && (next === undefined || next.startsWith("--"))) options.set(name, true);
      else {
        if (inline === undefined) i++;
        options.set(name, next);
      }
    } else if (values.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
      if (repeated.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { options, lists, positional, json: options.has("json") };
}

export function option(args: Args, name: string, required: true): string;
export function option(args: Args, name: string, required?: false): string | undefined;
export function option(args: Args, name: string, required = false): string | undefined {
  const value = args.options.get(name);
  if (value === undefined && required) throw new UsageError(`--${name} is required`);
  return typeof value === "string" ? value : undefined;
}

/** A plain text table: a header, a rule, the rows; columns as wide as their widest cell. */
export function formatTable(rows: Array<Record<string, unknown>>, columns = Object.keys(rows[0] ?? {})): string {
  const cells = rows.map((row) => columns.map((c) => (row[c] === undefined || row[c] === null ? "" : String(row[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n";
}

export interface CliContext {
  args: Args;
  config: Config;
  logger: Logger;
  /** Connects mongoose (MONGODB_URI, or the embedded MongoDB under DATA_DIR) and ensures the indexes. */
  connectDb(): Promise<void>;
  /** BullMQ queues on REDIS_URL (or the local/embedded Redis). */
  queues(): Promise<QueueFactory>;
}

/** What a tool returns: the JSON document for --json and the text for people. */
export interface CliOutput {
  json: unknown;
  text: string;
}

/** An exchange token just issued: shown once, with what to do with it. */
export function issuedTokenOutput(issued: { schoolId: string; token: string }, note: string): CliOutput {
  return {
    json: issued,
    text: formatTable([
      { field: "schoolId", value: issued.schoolId },
      { field: "token", value: issued.token },
    ]) + `\n${note}\n`,
  };
}

/** Runs a tool: prints its output, or one error line (and for invalid data the error list), and sets the exit code. */
export async function runCli(usage: string, spec: ArgSpec, main: (ctx: CliContext) => Promise<CliOutput>): Promise<void> {
  const stops: Array<() => Promise<unknown>> = [];
  let json = false;
  try {
    const args = parseArgs(process.argv.slice(2), spec);
    json = args.json;
    if (args.options.has("help")) {
      process.stdout.write(`${usage}\n`);
      return;
    }
    const config = loadConfig(process.env, { requireBotToken: false });
    const logger = createLogger(process.env.LOG_LEVEL ?? "warn");
    const ctx: CliContext = {
      args,
      config,
      logger,
      async connectDb() {
        const mongo: Resolved = await resolveMongo(config, logger);
        stops.unshift(mongo.stop);
        stops.unshift(() => mongoose.disconnect());
        await connectDatabase(mongo.url);
      },
      async queues() {
        const redis = await resolveRedis(config, logger);
        stops.unshift(redis.stop);
        const queues = createQueueFactory(redis.url, config.REDIS_PREFIX);
        stops.unshift(() => queues.close());
        return queues;
      },
    };
    const output = await main(ctx);
    process.stdout.write(json ? `${JSON.stringify(output.json)}\n` : output.text);
  } catch (error) {
    process.exitCode = report(error, json, usage);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

function report(error: unknown, json: boolean, usage: string): number {
  if (error instanceof ExchangeInputError) {
    if (json) process.stdout.write(`${JSON.stringify({ error: error.message, errors: error.errors })}\n`);
    else {
      console.error(error.message);
      process.stderr.write(formatTable(error.errors.map((e) => ({ ...(e.resource && { resource: e.resource }), index: e.index, path: e.path, message: e.message }))));
    }
    return 1;
  }
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (json && (error instanceof ExchangeTooLargeError || error instanceof ExchangeUnavailableError)) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  if (error instanceof UsageError) {
    console.error(`${message}\n${usage}`);
    return 2;
  }
  const known = [ConfigError, StartupError, SchoolNotFoundError, CsvError, InputError, ExchangeTooLargeError, ExchangeUnavailableError].some((type) => error instanceof type);
  console.error(known ? message : `Error: ${message}`);
  return 1;
}
