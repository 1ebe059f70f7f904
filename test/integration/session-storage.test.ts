import { useTestDb } from "../support/db";
import { MongoSessionStorage } from "../../src/bot/session";
import { Session } from "../../src/db/models";

useTestDb();

describe("session storage", () => {
  test("plain sessions are kept (the 90-day TTL on updatedAt applies)", async () => {
    const storage = new MongoSessionStorage<{ a: number }>();
    await storage.write("session:1", { a: 1 });
    expect(await storage.read("session:1")).toEqual({ a: 1 });
    expect((await Session.findOne({ key: "session:1" }).lean())?.expiresAt).toBeUndefined();
    await storage.delete("session:1");
    expect(await storage.read("session:1")).toBeUndefined();
  });

  test("short-lived state (dialogs) is forgotten after its TTL even before MongoDB deletes it", async () => {
    const storage = new MongoSessionStorage<{ typed: string }>(150);
    await storage.write("dialog:2", { typed: "ABCD-EFGH-JK" });
    expect(await storage.read("dialog:2")).toEqual({ typed: "ABCD-EFGH-JK" });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await storage.read("dialog:2")).toBeUndefined();
    // A new write starts a new life.
    await storage.write("dialog:2", { typed: "" });
    expect(await storage.read("dialog:2")).toEqual({ typed: "" });
  });
});
