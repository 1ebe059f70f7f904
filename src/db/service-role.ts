/**
 * The MongoDB role the service should run as in production (issue #16.8): full use of its
 * collections, but only find and insert on the append-only ones (consent records, the audit log),
 * so that even a bug or a stolen service password cannot edit or delete a consent decision. Built
 * from the models, so that a new collection is never forgotten; printed by `npm run db:role`.
 */
import { allModels } from "./models";

/** Collections whose records may be added, never changed or removed. */
export const APPEND_ONLY_COLLECTIONS = ["consent_records", "audit_log"] as const;
/** Collections written through the raw driver, without a model. */
const RAW_COLLECTIONS = ["migrations"];

const FULL = ["find", "insert", "update", "remove", "createIndex"];
const APPEND = ["find", "insert", "createIndex"];

export interface RoleDocument {
  role: string;
  privileges: Array<{ resource: { db: string; collection: string }; actions: string[] }>;
  roles: never[];
}

export function serviceRole(db: string, role = "edService"): RoleDocument {
  const names = [...new Set([...allModels.map((m) => m.collection.collectionName), ...RAW_COLLECTIONS])].sort();
  const appendOnly = new Set<string>(APPEND_ONLY_COLLECTIONS);
  return {
    role,
    privileges: [
      // listCollections: the start-up check for collections renamed since an older release.
      { resource: { db, collection: "" }, actions: ["listCollections"] },
      ...names.map((collection) => ({ resource: { db, collection }, actions: appendOnly.has(collection) ? APPEND : FULL })),
    ],
    roles: [],
  };
}
