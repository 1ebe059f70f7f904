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
