/**
 * Connecting to MongoDB: the service and the CLIs share this, so that both see the same collections
 * (renamed ones included) and the same indexes.
 */
import mongoose from "mongoose";
import { allModels } from "./models";

/** Collections renamed since the first release: old name → new name. */
const RENAMED_COLLECTIONS: ReadonlyArray<[string, string]> = [["telegram_accounts", "accounts"]];

/** Renames collections of an older release once (a no-op when already done or never created). */
export async function renameLegacyCollections(db: mongoose.mongo.Db): Promise<void> {
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const [from, to] of RENAMED_COLLECTIONS) {
    if (names.has(from) && !names.has(to)) await db.renameCollection(from, to);
  }
}

export async function connectDatabase(url: string): Promise<void> {
  await mongoose.connect(url, { serverSelectionTimeoutMS: 10_000 });
  await renameLegacyCollections(mongoose.connection.db!);
  await Promise.all(allModels.map((model) => model.init()));
}
