import { parseQuestion } from "../../src/domain/question";
import { CONTEXT, PHRASINGS, type Phrasing } from "./question-phrasings";

/** What the parser must have found, in the shape of its result (absent slots must be absent). */
function expectedSlots(p: Phrasing) {
  const many = <T>(v: T | T[] | undefined) => (Array.isArray(v) ? v : undefined);
  const one = <T>(v: T | T[] | undefined) => (Array.isArray(v) ? undefined : v);
  return {
    intent: p.intent,
    childId: one(p.child),
    childIds: many(p.child),
    subjectId: one(p.subject),
    subjectIds: many(p.subject),
    range: p.range,
    gradeValue: p.gradeValue,
    unknownChildName: p.unknownChild,
  };
}

describe("parseQuestion: phrasings with hand-written slots (today Thu 2026-12-03; Мария and Александр)", () => {
  test("the table has at least 150 phrasings in both languages", () => {
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(150);
    expect(PHRASINGS.filter((p) => /[a-z]/i.test(p.q)).length).toBeGreaterThanOrEqual(40);
  });

  test.each(PHRASINGS.map((p) => [p.q, p] as const))("%j", (_q, p) => {
    const parsed = parseQuestion(p.q, CONTEXT);
    expect({
      intent: parsed.intent,
      childId: parsed.childId,
      childIds: parsed.childIds,
      subjectId: parsed.subjectId,
      subjectIds: parsed.subjectIds,
      range: parsed.range,
      gradeValue: parsed.gradeValue,
      unknownChildName: parsed.notUnderstood.unknownChildName,
    }).toEqual(expectedSlots(p));
  });
});
