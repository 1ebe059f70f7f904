/** Item schemas of learning results: grades, final grades, exam results. */
import { FINAL_GRADE_STATUSES, GRADE_VALUES, GRADE_WEIGHT_MAX, GRADE_WEIGHT_MIN } from "../../db/models/enums";
import { MAX, day, instant, integer, issue, itemSchemas, number, oneOf, optional, optionalText, reference, text } from "./common";

export const grades = itemSchemas({
  studentId: reference,
  subjectId: reference,
  date: day,
  value: oneOf(GRADE_VALUES),
  weight: integer(GRADE_WEIGHT_MIN, GRADE_WEIGHT_MAX),
  workType: text(MAX.short),
  lessonId: optional(reference),
  comment: optionalText(MAX.comment),
});

export const finalGrades = itemSchemas(
  {
    studentId: reference,
    subjectId: reference,
    periodId: reference,
    value: optional(oneOf(GRADE_VALUES)),
    status: oneOf(FINAL_GRADE_STATUSES),
    deferredUntil: optional(day),
    reason: optionalText(500),
    resultsAt: instant,
  },
  (item, ctx) => {
    if (item.status === "final" && item.value === undefined) issue(ctx, "value", 'is required when status is "final"');
    if (item.status !== "final" && item.value !== undefined) issue(ctx, "value", `is only allowed when status is "final", not "${String(item.status)}"`);
    if (item.deferredUntil !== undefined && item.status !== "deferred") issue(ctx, "deferredUntil", 'is only allowed when status is "deferred"');
  },
);

export const exams = itemSchemas(
  {
    studentId: reference,
    name: text(MAX.name),
    date: day,
    score: number(0, 1_000_000),
    maxScore: optional(number(0, 1_000_000)),
    value: optional(oneOf(GRADE_VALUES)),
    resultsAt: instant,
  },
  (item, ctx) => {
    if (typeof item.score === "number" && typeof item.maxScore === "number" && item.score > item.maxScore) {
      issue(ctx, "score", `must not exceed maxScore (${item.maxScore})`);
    }
  },
);
