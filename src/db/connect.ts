/**
 * Connecting to MongoDB: the service and the CLIs share this, so that both see the same collections
 * (renamed ones included), the same migrated data and the same indexes.
 */
import mongoose from "mongoose";
import { allModels } from "./models";
import { runMigrations } from "./migrations";

export { renameLegacyCollections } from "./migrations";

export async function connectDatabase(url: string): Promise<void> {
  await mongoose.connect(url, { serverSelectionTimeoutMS: 10_000, monitorCommands: true });
  await runMigrations(mongoose.connection.db!);
  await Promise.all(allModels.map((model) => model.init()));
}
