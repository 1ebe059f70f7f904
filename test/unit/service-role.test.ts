/** The production MongoDB role (issue #16.8): every collection of the service, append-only ones insert-only. */
import { allModels } from "../../src/db/models";
import { APPEND_ONLY_COLLECTIONS, serviceRole } from "../../src/db/service-role";

test("covers every collection; consent records and the audit log may be read and added to, never changed or removed", () => {
  const role = serviceRole("ed");
  const byCollection = new Map(role.privileges.map((p) => [p.resource.collection, p.actions]));
  for (const model of allModels) expect(byCollection.has(model.collection.collectionName)).toBe(true);
  for (const name of APPEND_ONLY_COLLECTIONS) {
    expect(byCollection.get(name)).toEqual(["find", "insert", "createIndex"]);
  }
  expect(byCollection.get("accounts")).toEqual(expect.arrayContaining(["update", "remove"]));
  expect(byCollection.get("")).toEqual(["listCollections"]);
  expect(role.privileges.every((p) => p.resource.db === "ed")).toBe(true);
  // The models that refuse changes are exactly the collections the role makes insert-only.
  expect([...APPEND_ONLY_COLLECTIONS].sort()).toEqual(["audit_log", "consent_records"]);
});
