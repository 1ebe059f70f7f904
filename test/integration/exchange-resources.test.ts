/**
 * Every resource of the exchange API: create, update, unchanged re-send and delete, with exact
 * counts, references stored as ObjectIds and documents the mongoose models accept.
 */
import type { Model } from "mongoose";
import { EXCHANGE_RESOURCES, Guardian, School, Student, type ExchangeResource } from "../../src/db/models";
import { RESOURCES, WRITE_ORDER } from "../../src/services/exchange/resources";
import { createSchool } from "../../src/services/schools";
import { EDITS, SAMPLE, spare } from "../fixtures/exchange/sample";
import { useExchangeApp } from "../fixtures/exchange/harness";

const api = useExchangeApp();
let token: string;
let schoolId: string;

beforeAll(async () => {
  ({ token, schoolId } = await createSchool({ name: "Школа № 1" }));
});

const modelOf = (resource: ExchangeResource) => RESOURCES[resource].model as Model<Record<string, unknown>>;

describe.each(WRITE_ORDER.map((r) => [r]))("%s", (resource) => {
  const [first, ...rest] = SAMPLE[resource];
  const extra = spare(resource);
  const n = SAMPLE[resource].length + 1;

  test("create, update, unchanged re-send, delete", async () => {
    const created = await api.put(token, resource, { items: [first, ...rest, extra] });
    expect(created.json()).toEqual({ received: n, created: n, updated: 0, unchanged: 0, deleted: 0 });
    expect(created.statusCode).toBe(200);

    const stored = await modelOf(resource).findOne({ schoolId, externalId: first.externalId });
    expect(stored).not.toBeNull();
    await expect(stored!.validate()).resolves.toBeUndefined();

    const edited = { ...first, ...EDITS[resource] };
    const updated = await api.put(token, resource, { items: [edited, ...rest, extra] });
    expect(updated.json()).toEqual({ received: n, created: 0, updated: 1, unchanged: n - 1, deleted: 0 });

    const again = await api.put(token, resource, { items: [edited, ...rest, extra] });
    expect(again.json()).toEqual({ received: n, created: 0, updated: 0, unchanged: n, deleted: 0 });

    const removed = await api.put(token, resource, { items: [{ externalId: extra.externalId, deleted: true }] });
    expect(removed.json()).toEqual({ received: 1, created: 0, updated: 0, unchanged: 0, deleted: 1 });
    expect(await modelOf(resource).countDocuments({ schoolId, externalId: extra.externalId })).toBe(0);

    const gone = await api.put(token, resource, { items: [{ externalId: extra.externalId, deleted: true }] });
    expect(gone.json()).toEqual({ received: 1, created: 0, updated: 0, unchanged: 1, deleted: 0 });
  });
});

describe("what is stored", () => {
  test("every resource was covered", () => {
    expect([...WRITE_ORDER].sort()).toEqual([...EXCHANGE_RESOURCES].sort());
  });

  test("references are ObjectIds of the school's records", async () => {
    const student = await Student.findOne({ schoolId, externalId: "s1" }).lean();
    const cls = await modelOf("classes").findOne({ schoolId, externalId: "5a" }).lean();
    expect(String(student!.classId)).toBe(String(cls!._id));
  });

  test("guardian contacts come from the journal, normalized; a guardian's own contact stays", async () => {
    await Guardian.updateOne({ schoolId, externalId: "p1" }, { $push: { contacts: { kind: "email", value: "own@example.org", source: "guardian" } } });
    await api.put(token, "guardians", { items: [{ ...SAMPLE.guardians[0], phone: "+7 916 111-22-33" }] });
    const guardian = await Guardian.findOne({ schoolId, externalId: "p1" }).lean();
    expect(guardian!.contacts.map((c) => [c.kind, c.value, c.source])).toEqual([
      ["email", "own@example.org", "guardian"],
      ["email", "elena@example.org", "journal"],
      ["phone", "+79161112233", "journal"],
    ]);
    expect(guardian!.notify.grades).toBe("instant");
  });

  test("the journal's paper delivery never overrides a guardian's refusal when switched back", async () => {
    await Guardian.updateOne({ schoolId, externalId: "p1" }, { $set: { delivery: "paper", deliveryReason: "declined" } });
    await api.put(token, "guardians", { items: [{ ...SAMPLE.guardians[0], delivery: "electronic" }] });
    expect((await Guardian.findOne({ schoolId, externalId: "p1" }).lean())!.delivery).toBe("paper");
    await Guardian.updateOne({ schoolId, externalId: "p1" }, { $set: { delivery: "electronic" }, $unset: { deliveryReason: "" } });
    await api.put(token, "guardians", { items: [{ ...SAMPLE.guardians[0], delivery: "paper" }] });
    expect(await Guardian.findOne({ schoolId, externalId: "p1" }).lean()).toMatchObject({ delivery: "paper", deliveryReason: "journal" });
    await api.put(token, "guardians", { items: [{ ...SAMPLE.guardians[0], delivery: "electronic" }] });
    expect((await Guardian.findOne({ schoolId, externalId: "p1" }).lean())!.delivery).toBe("electronic");
  });

  test("an instant without an offset is the school's wall-clock time", async () => {
    const exam = await modelOf("exams").findOne({ schoolId, externalId: "e1" }).lean();
    expect((exam!.resultsAt as Date).toISOString()).toBe("2026-10-15T07:00:00.000Z");
  });

  test("each resource's first load is remembered", async () => {
    const school = await School.findById(schoolId).lean();
    expect([...school!.loadedResources].sort()).toEqual([...EXCHANGE_RESOURCES].sort());
  });
});
