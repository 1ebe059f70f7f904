/**
 * Per-test-file MongoDB database: `useTestDb()` connects mongoose's default connection to a fresh
 * database before the file's tests and drops it afterwards.
 */
import mongoose from "mongoose";
import { randomBytes } from "node:crypto";

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error("TEST_MONGODB_URI is not set: run tests through jest (its global setup sets it)");
  return uri;
}

export function useTestDb(): { dbName: string } {
  const state = { dbName: `test_${randomBytes(6).toString("hex")}` };
  beforeAll(async () => {
    await mongoose.connect(testMongoUri(), { dbName: state.dbName, serverSelectionTimeoutMS: 10000, monitorCommands: true });
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  });
  afterAll(async () => {
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
  });
  return state;
}

/** Empties every collection (indexes stay), for tests that want a clean slate between cases. */
export async function clearDb(): Promise<void> {
  const collections = await mongoose.connection.db!.collections();
  await Promise.all(collections.map((c) => c.deleteMany({})));
}

/** A connection string for another process (a CLI, the built service) to reach database `dbName`. */
export function testMongoUriFor(dbName: string): string {
  const url = new URL(testMongoUri());
  url.pathname = `/${dbName}`;
  return url.toString();
}
