/**
 * Database commands counted with the driver's command monitoring (`monitorCommands: true` on the
 * connection: src/db/connect.ts): what a unit of work costs in round trips, the honest measure of
 * the delivery engine's cost on any MongoDB (the tests' stand-in is slower per call than mongod, a
 * remote mongod costs a network round trip per call). Benchmarks print it per delivered message;
 * a test bounds it.
 */
import mongoose, { type Connection, type mongo } from "mongoose";

/** The driver's own housekeeping, not work of ours. */
const HOUSEKEEPING = new Set(["hello", "isMaster", "ismaster", "ping", "endSessions", "saslStart", "saslContinue", "buildInfo"]);

export interface CommandCounter {
  /** Commands since the start (or the last reset). */
  total(): number;
  /** The same by command name (find, update, insert, aggregate...). */
  byName(): Record<string, number>;
  reset(): void;
  stop(): void;
}

/** Counts the commands sent on `connection` (mongoose's default connection unless given) from now on. */
export function countCommands(connection: Connection = mongoose.connection): CommandCounter {
  const client = connection.getClient();
  if (!client.options.monitorCommands) throw new Error("command monitoring is off: connect with monitorCommands: true");
  let counts = new Map<string, number>();
  const listener = (event: mongo.CommandStartedEvent) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    counts.set(event.commandName, (counts.get(event.commandName) ?? 0) + 1);
  };
  client.on("commandStarted", listener);
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byName: () => Object.fromEntries(counts),
    reset: () => {
      counts = new Map();
    },
    stop: () => {
      client.off("commandStarted", listener);
    },
  };
}

/** One command as the driver saw it: when it left and when its answer came (ms since the epoch). */
export interface TimedCommand {
  name: string;
  collection: string;
  /** The filter's (or pipeline's first stage's) field names, never their values: no personal data. */
  shape: string;
  /** Statements in a write (upserts of a bulkWrite, updates of an update command). */
  statements: number;
  startedAt: number;
  endedAt: number;
}

const shapeOf = (event: mongo.CommandStartedEvent): { collection: string; shape: string; statements: number } => {
  const command = event.command as Record<string, unknown>;
  const collection = typeof command[event.commandName] === "string" ? (command[event.commandName] as string) : "";
  const keys = (value: unknown) => (value && typeof value === "object" ? Object.keys(value as object).join(",") : "");
  const list = (command.updates ?? command.deletes ?? command.documents) as Array<Record<string, unknown>> | undefined;
  const pipeline = command.pipeline as Array<Record<string, unknown>> | undefined;
  const shape = command.filter ? keys(command.filter) : list?.[0]?.q ? keys(list[0].q) : pipeline?.length ? Object.keys(pipeline[0]).join(",") : command.query ? keys(command.query) : "";
  return { collection, shape, statements: list?.length ?? 1 };
};

/**
 * Records every command on `connection` with its start and end (benchmarks: which commands a
 * message waits behind on a server that answers one command at a time, such as the stand-in).
 */
export function recordCommands(connection: Connection = mongoose.connection): { entries(): TimedCommand[]; stop(): void } {
  const client = connection.getClient();
  if (!client.options.monitorCommands) throw new Error("command monitoring is off: connect with monitorCommands: true");
  const open = new Map<number, Omit<TimedCommand, "endedAt">>();
  const done: TimedCommand[] = [];
  const started = (event: mongo.CommandStartedEvent) => {
    if (!HOUSEKEEPING.has(event.commandName)) open.set(event.requestId, { name: event.commandName, ...shapeOf(event), startedAt: Date.now() });
  };
  const ended = (event: mongo.CommandSucceededEvent | mongo.CommandFailedEvent) => {
    const entry = open.get(event.requestId);
    if (!entry) return;
    open.delete(event.requestId);
    done.push({ ...entry, endedAt: Date.now() });
  };
  client.on("commandStarted", started);
  client.on("commandSucceeded", ended);
  client.on("commandFailed", ended);
  return {
    entries: () => done,
    stop: () => {
      client.off("commandStarted", started);
      client.off("commandSucceeded", ended);
      client.off("commandFailed", ended);
    },
  };
}
