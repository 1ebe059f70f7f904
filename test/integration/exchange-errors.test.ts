/** Every class of refused batch: the status, a JSON body with a clear message, and nothing applied. */
import { Grade, Student, SchoolClass } from "../../src/db/models";
import { createSchool } from "../../src/services/schools";
import { useExchangeApp } from "../fixtures/exchange/harness";
import { SAMPLE } from "../fixtures/exchange/sample";

const api = useExchangeApp({ bodyLimitMb: 0.05, maxItems: 50 });
let token: string;
let schoolId: string;

beforeAll(async () => {
  ({ token, schoolId } = await createSchool({ name: "Школа № 2" }));
  for (const resource of ["subjects", "teachers", "classes", "groups", "students", "periods", "lessons"] as const) {
    expect((await api.put(token, resource, { items: SAMPLE[resource] })).statusCode).toBe(200);
  }
});

const grade = (over: Record<string, unknown> = {}) => ({ ...SAMPLE.grades[0], ...over });

async function refused(items: unknown[], resource = "grades") {
  const answer = await api.put(token, resource, { items });
  expect(answer.statusCode).toBe(422);
  const body = answer.json();
  expect(typeof body.error).toBe("string");
  return body.errors as Array<{ index: number; path: string; message: string }>;
}

describe("422: invalid items, every error listed, nothing applied", () => {
  test.each([
    ["a $-key", grade({ $set: { value: "5" } }), "items.0.$set", 'key "$set" is not allowed'],
    ["a dotted key", grade({ "value.x": 1 }), "items.0.value.x", "is not allowed"],
    ["a $-key nested in movedTo", { ...SAMPLE.lessons[0], status: "moved", movedTo: { date: "2026-09-02", start: "10:00", end: "10:45", $where: "1" } }, "items.0.movedTo.$where", "is not allowed"],
    ["an unknown field", grade({ mark: "5" }), "items.0.mark", 'unknown field "mark"'],
    ["a wrong type", grade({ weight: "2" }), "items.0.weight", "must be a number"],
    ["a missing field", (({ workType: _w, ...rest }) => rest)(grade()), "items.0.workType", "is required"],
    ["a day that does not exist", grade({ date: "2026-02-30" }), "items.0.date", "must be a real calendar date"],
    ["a bad grade value", grade({ value: "6" }), "items.0.value", "must be one of: 5, 4, 3, 2, 1, зачёт, незачёт"],
    ["a weight out of range", grade({ weight: 11 }), "items.0.weight", "must be 1..10"],
    ["a fractional weight", grade({ weight: 1.5 }), "items.0.weight", "must be a whole number"],
    ["a too long string", grade({ workType: "x".repeat(101) }), "items.0.workType", "at most 100 characters"],
    ["a too long externalId", grade({ externalId: "g".repeat(129) }), "items.0.externalId", "at most 128 characters"],
    ["an unknown reference", grade({ studentId: "nobody" }), "items.0.studentId", 'unknown student "nobody"'],
    ["an item that is not an object", "g1", "items.0", "must be an object"],
  ])("%s", async (_name, item, path, message) => {
    const errors = await refused([item]);
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ index: 0, path, message: expect.stringContaining(message) })]));
    expect(await Grade.countDocuments({ schoolId })).toBe(0);
  });

  test("end before start (periods, holidays, lessons)", async () => {
    expect(await refused([{ ...SAMPLE.periods[0], end: "2026-08-31" }], "periods")).toEqual([
      { index: 0, path: "items.0.end", message: "must not be before start (2026-09-01)" },
    ]);
    expect((await refused([{ ...SAMPLE.holidays[0], end: "2026-10-01" }], "holidays"))[0].path).toBe("items.0.end");
    expect((await refused([{ ...SAMPLE.lessons[0], end: "08:00" }], "lessons"))[0].message).toBe("must be after start (08:30)");
  });

  test("a reference in a list names its position", async () => {
    const errors = await refused([{ ...SAMPLE.teachers[0], subjectIds: ["math", "astronomy"] }], "teachers");
    expect(errors).toEqual([{ index: 0, path: "items.0.subjectIds.1", message: 'unknown subject "astronomy" (no subjects item with this externalId)' }]);
  });

  test("an invalid item in the middle of a valid batch: every error, nothing applied", async () => {
    const items = Array.from({ length: 10 }, (_, i) => grade({ externalId: `g${i}` }));
    items[4] = grade({ externalId: "g4", date: "2026-13-01", value: 5 });
    items[7] = grade({ externalId: "g7", studentId: "ghost" });
    const errors = await refused(items);
    expect(errors.map((e) => e.path).sort()).toEqual(["items.4.date", "items.4.value", "items.7.studentId"]);
    expect(await Grade.countDocuments({ schoolId })).toBe(0);
  });

  test("the same externalId twice in one batch", async () => {
    const errors = await refused([grade(), grade({ value: "3" })]);
    expect(errors).toEqual([{ index: 1, path: "items.1.externalId", message: '"g1" appears more than once in this batch (also at items.0)' }]);
  });

  test("a body that is not {items: [...]}", async () => {
    const answer = await api.put(token, "grades", { grades: [] });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error).toContain('{"items": [...]}');
  });

  test("deleting a class that students still refer to names them; nothing applied", async () => {
    const errors = await refused([{ externalId: "5a", deleted: true }], "classes");
    expect(errors).toEqual([{ index: 0, path: "items.0", message: expect.stringContaining("2 students (classId)") }]);
    expect(errors[0].message).toMatch(/^cannot delete class "5a": still referred to by .*; change or delete those first$/);
    expect(await SchoolClass.countDocuments({ schoolId, externalId: "5a" })).toBe(1);
  });

  test("a bundle may refer to items of its own batch, and deletes in the right order", async () => {
    const bundle = {
      students: [{ externalId: "s9", fullName: "Новиков Лев", classId: "6b" }],
      classes: [{ externalId: "6b", name: "6Б", grade: 6 }],
    };
    const answer = await api.put(token, "bundle", bundle);
    expect(answer.json()).toMatchObject({ received: 2, created: 2, resources: { classes: { created: 1 }, students: { created: 1 } } });
    const gone = await api.put(token, "bundle", { classes: [{ externalId: "6b", deleted: true }], students: [{ externalId: "s9", deleted: true }] });
    expect(gone.json()).toMatchObject({ deleted: 2 });
    expect(await Student.countDocuments({ schoolId, externalId: "s9" })).toBe(0);
    const dangling = await api.put(token, "bundle", { classes: [{ externalId: "5a", deleted: true }], students: [{ ...SAMPLE.students[0] }] });
    expect(dangling.json().errors[0]).toMatchObject({ resource: "students", path: "students.0.classId", message: 'refers to class "5a", which this batch deletes' });
  });
});

describe("400, 401, 404, 413, 415", () => {
  test("malformed JSON → 400", async () => {
    const answer = await api.put(token, "grades", undefined, { raw: '{"items": [' });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatch(/^Malformed JSON/);
  });

  test("a __proto__ key → 400", async () => {
    const answer = await api.put(token, "grades", undefined, { raw: '{"items": [], "__proto__": {"x": 1}}' });
    expect(answer.statusCode).toBe(400);
  });

  test("text/plain → 415", async () => {
    const answer = await api.put(token, "grades", undefined, { raw: "items", contentType: "text/plain" });
    expect(answer.statusCode).toBe(415);
    expect(answer.json().error).toBe("Content-Type must be application/json, not text/plain");
  });

  test("a body over the limit → 413", async () => {
    const items = Array.from({ length: 48 }, (_, i) => grade({ externalId: `big${i}`, comment: "x".repeat(999) }));
    const answer = await api.put(token, "grades", { items });
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error).toContain("EXCHANGE_BODY_LIMIT_MB");
  });

  test("more items than the limit → 413", async () => {
    const answer = await api.put(token, "grades", { items: Array.from({ length: 51 }, (_, i) => grade({ externalId: `n${i}` })) });
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error).toContain("at most 50");
    expect(await Grade.countDocuments({ schoolId })).toBe(0);
  });

  test("missing and wrong tokens → 401 with the same body", async () => {
    const missing = await api.put(undefined, "grades", { items: [] });
    const wrong = await api.put("not-a-token", "grades", { items: [] });
    expect([missing.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(missing.body).toBe('{"error":"Unauthorized"}');
    expect(wrong.body).toBe(missing.body);
  });

  test("an unknown resource → 404 listing the resources", async () => {
    const answer = await api.put(token, "marks", { items: [] });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().error).toContain("grades, homework");
  });

  test("an empty batch is fine", async () => {
    expect((await api.put(token, "grades", { items: [] })).json()).toEqual({ received: 0, created: 0, updated: 0, unchanged: 0, deleted: 0 });
  });
});
