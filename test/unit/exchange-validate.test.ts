import { EXCHANGE_RESOURCES } from "../../src/db/models/enums";
import { ITEM_SCHEMAS } from "../../src/api/schemas";
import { RESOURCES, WRITE_ORDER } from "../../src/services/exchange/resources";
import { validateSection } from "../../src/services/exchange/validate";
import { canonical, recordId, sameValue } from "../../src/services/exchange/state";
import { Types } from "mongoose";

describe("resource definitions", () => {
  test("every resource has a schema and a definition, and references point to resources written earlier", () => {
    for (const resource of EXCHANGE_RESOURCES) {
      expect(ITEM_SCHEMAS[resource]).toBeDefined();
      for (const ref of RESOURCES[resource].references) {
        expect(ITEM_SCHEMAS[resource].fields).toContain(ref.field);
        expect(WRITE_ORDER.indexOf(ref.to)).toBeLessThan(WRITE_ORDER.indexOf(resource));
      }
    }
  });
});

describe("validateSection", () => {
  test("trims strings, turns null and empty optional texts into 'not set'", () => {
    const { section, errors } = validateSection("grades", [
      { externalId: " g1 ", studentId: "s1", subjectId: "math", date: "2026-09-01", value: "5", weight: 2, workType: "тест", comment: "", lessonId: null },
    ], "items");
    expect(errors).toEqual([]);
    expect(section.items[0]).toMatchObject({ externalId: "g1", deleted: false });
    expect(section.items[0].item.comment).toBeUndefined();
    expect(section.items[0].item.lessonId).toBeUndefined();
  });

  test("a deletion needs only the externalId, but its other fields must still be known and well typed", () => {
    expect(validateSection("grades", [{ externalId: "g1", deleted: true }], "items").errors).toEqual([]);
    expect(validateSection("grades", [{ externalId: "g1", deleted: true, value: "9" }], "items").errors[0].path).toBe("items.0.value");
    expect(validateSection("grades", [{ externalId: "g1", deleted: true, colour: 1 }], "items").errors[0].message).toBe('unknown field "colour" (the fields are: externalId, studentId, subjectId, date, value, weight, workType, lessonId, comment, deleted)');
  });

  test("cross-field rules of lessons and final grades", () => {
    const lesson = { externalId: "l1", classId: "c", subjectId: "s", teacherId: "t", date: "2026-09-01", start: "08:30", end: "09:15", kind: "lesson" };
    const paths = (resource: "lessons" | "finalGrades", item: object) => validateSection(resource, [item], "items").errors.map((e) => `${e.path}: ${e.message}`);
    expect(paths("lessons", { ...lesson, status: "substituted" })).toEqual(['items.0.substituteTeacherId: is required when status is "substituted"']);
    expect(paths("lessons", { ...lesson, status: "moved" })).toEqual(['items.0.movedTo: is required when status is "moved"']);
    expect(paths("lessons", { ...lesson, status: "moved", movedTo: { date: "2026-09-31", start: "10:00", end: "09:00" } })).toEqual([
      "items.0.movedTo.date: must be a real calendar date YYYY-MM-DD",
      "items.0.movedTo.end: must be after movedTo.start (10:00)",
    ]);
    const final = { externalId: "f1", studentId: "s", subjectId: "m", periodId: "q1", resultsAt: "2026-10-24T12:00:00Z" };
    expect(paths("finalGrades", { ...final, status: "final" })).toEqual(['items.0.value: is required when status is "final"']);
    expect(paths("finalGrades", { ...final, status: "not_attested", value: "2" })).toEqual(['items.0.value: is only allowed when status is "final", not "not_attested"']);
    expect(paths("finalGrades", { ...final, status: "deferred", resultsAt: "24.10.2026" })).toEqual(["items.0.resultsAt: must be a date-time like 2026-10-30T14:00:00+03:00"]);
  });

  test("guardian contacts are checked and normalized", () => {
    const guardian = { externalId: "p1", fullName: "Петрова Е. В.", studentIds: ["s1"] };
    const ok = validateSection("guardians", [{ ...guardian, email: "A@B.RU", phone: "8 (916) 123-45-67" }], "items");
    expect(ok.section.items[0].item).toMatchObject({ email: "a@b.ru", phone: "89161234567" });
    const bad = validateSection("guardians", [{ ...guardian, email: "nope", phone: "call me", studentIds: [] }], "items");
    expect(bad.errors.map((e) => e.path)).toEqual(["items.0.studentIds", "items.0.email", "items.0.phone"]);
  });
});

describe("state", () => {
  test("canonical form: absent, null and [] are the same; ObjectIds and Dates compare by value", () => {
    const id = new Types.ObjectId();
    expect(sameValue(undefined, [])).toBe(true);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue(id, new Types.ObjectId(id.toHexString()))).toBe(true);
    expect(sameValue(new Date(0), new Date(0))).toBe(true);
    expect(canonical({ b: 1, a: null, c: { y: 2, x: 1 } })).toEqual({ b: 1, c: { x: 1, y: 2 } });
  });

  test("a record's id is derived from school, resource and externalId", () => {
    const school = new Types.ObjectId();
    expect(recordId(school, "grades", "g1").equals(recordId(school, "grades", "g1"))).toBe(true);
    expect(recordId(school, "grades", "g1").equals(recordId(school, "grades", "g2"))).toBe(false);
    expect(recordId(school, "grades", "g1").equals(recordId(new Types.ObjectId(), "grades", "g1"))).toBe(false);
  });
});
