/** Tokens decide the school: two schools with the same externalIds never see or change each other's data. */
import { Grade, School, Student } from "../../src/db/models";
import { authenticateToken, createSchool, hashToken, rotateToken } from "../../src/services/schools";
import { useExchangeApp } from "../fixtures/exchange/harness";
import { SAMPLE } from "../fixtures/exchange/sample";

const api = useExchangeApp();

async function loadSample(token: string): Promise<void> {
  for (const resource of ["subjects", "teachers", "classes", "groups", "students", "periods", "lessons"] as const) {
    expect((await api.put(token, resource, { items: SAMPLE[resource] })).statusCode).toBe(200);
  }
}

describe("school tokens", () => {
  test("a token is shown once, stored only as its sha256, and rotation revokes the old one", async () => {
    const { schoolId, token } = await createSchool({ name: "Лицей", timezone: "Asia/Yekaterinburg" });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const school = await School.findById(schoolId).lean();
    expect(school!.exchangeTokenHash).toBe(hashToken(token));
    expect(JSON.stringify(school)).not.toContain(token);
    expect(String((await authenticateToken(token))!._id)).toBe(schoolId);

    const rotated = await rotateToken(schoolId);
    expect(rotated.token).not.toBe(token);
    expect(await authenticateToken(token)).toBeNull();
    expect((await api.put(token, "grades", { items: [] })).statusCode).toBe(401);
    expect((await api.put(rotated.token, "grades", { items: [] })).statusCode).toBe(200);
  });

  test("unknown school ids are refused clearly", async () => {
    await expect(rotateToken("000000000000000000000000")).rejects.toThrow("School 000000000000000000000000 not found");
    await expect(rotateToken("nonsense")).rejects.toThrow("not found");
  });
});

describe("two schools with the same externalIds", () => {
  let a: { schoolId: string; token: string };
  let b: { schoolId: string; token: string };

  beforeAll(async () => {
    a = await createSchool({ name: "Школа А" });
    b = await createSchool({ name: "Школа Б" });
    await loadSample(a.token);
    await loadSample(b.token);
  });

  test("each school has its own records", async () => {
    expect(await Student.countDocuments({ schoolId: a.schoolId })).toBe(2);
    expect(await Student.countDocuments({ schoolId: b.schoolId })).toBe(2);
  });

  test("a change by one school leaves the other's record alone", async () => {
    await api.put(a.token, "students", { items: [{ ...SAMPLE.students[0], fullName: "Петров Артём (А)" }] });
    expect((await Student.findOne({ schoolId: b.schoolId, externalId: "s1" }).lean())!.fullName).toBe(SAMPLE.students[0].fullName);
    const removed = await api.put(b.token, "grades", { items: [{ externalId: "g1", deleted: true }] });
    expect(removed.json()).toMatchObject({ deleted: 0, unchanged: 1 });
  });

  test("references resolve within the school only", async () => {
    const c = await createSchool({ name: "Школа В" });
    const answer = await api.put(c.token, "grades", { items: SAMPLE.grades });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().errors.map((e: { path: string }) => e.path)).toEqual(["items.0.studentId", "items.0.subjectId", "items.0.lessonId"]);
  });
});

describe("concurrency and failures", () => {
  let school: { schoolId: string; token: string };

  beforeAll(async () => {
    school = await createSchool({ name: "Школа Г" });
    await loadSample(school.token);
  });

  const grades = (n: number, value = "5") =>
    Array.from({ length: n }, (_, i) => ({ ...SAMPLE.grades[0], externalId: `c${i}`, value, lessonId: undefined }));

  test("two identical batches at once: no duplicates, counts add up", async () => {
    const items = grades(200);
    const [first, second] = await Promise.all([api.put(school.token, "grades", { items }), api.put(school.token, "grades", { items })]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const [x, y] = [first.json(), second.json()];
    expect(x.created + y.created).toBe(200);
    expect(x.updated + y.updated).toBe(0);
    expect(x.created + x.unchanged).toBe(200);
    expect(y.created + y.unchanged).toBe(200);
    expect(await Grade.countDocuments({ schoolId: school.schoolId })).toBe(200);
  });

  test("two identical updates at once: each record updated once", async () => {
    const items = grades(200, "4");
    const [first, second] = await Promise.all([api.put(school.token, "grades", { items }), api.put(school.token, "grades", { items })]);
    const [x, y] = [first.json(), second.json()];
    expect(x.updated + y.updated).toBe(200);
    expect(x.unchanged + y.unchanged).toBe(200);
    expect(await Grade.countDocuments({ schoolId: school.schoolId, value: "4" })).toBe(200);
  });

  test("a database failure half-way answers 503, and re-sending completes the batch", async () => {
    const items = [...grades(200, "3"), ...grades(250).slice(200).map((g) => ({ ...g, value: "3" }))];
    // The creations are written, then the connection breaks before the updates.
    const collection = Grade.collection as unknown as { bulkWrite: (...args: unknown[]) => Promise<unknown> };
    const real = collection.bulkWrite.bind(collection);
    let calls = 0;
    const spy = jest.spyOn(collection, "bulkWrite").mockImplementation(async (...args: unknown[]) => {
      if (++calls === 2) throw new Error("connection reset by peer");
      return real(...args);
    });
    const failed = await api.put(school.token, "grades", { items });
    spy.mockRestore();
    expect(failed.statusCode).toBe(503);
    expect(await Grade.countDocuments({ schoolId: school.schoolId })).toBe(250);
    expect(await Grade.countDocuments({ schoolId: school.schoolId, value: "3" })).toBe(50);
    expect(failed.json().error).toMatch(/nothing or part of the batch was applied; the batch is idempotent, send it again$/);
    // The driver's own words (hosts, values) stay in the log.
    expect(failed.json().error).not.toContain("connection reset by peer");
    const healed = await api.put(school.token, "grades", { items });
    expect(healed.json()).toEqual({ received: 250, created: 0, updated: 200, unchanged: 50, deleted: 0 });
    expect(await Grade.countDocuments({ schoolId: school.schoolId })).toBe(250);
    expect(await Grade.countDocuments({ schoolId: school.schoolId, value: "3" })).toBe(250);
  });
});
