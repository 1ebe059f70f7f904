/** Item schemas of the school year and the timetable: periods, curriculum, lessons, assessments, homework, holidays. */
import { z } from "zod";
import { ASSESSMENT_KINDS, LESSON_KINDS, LESSON_STATUSES, PERIOD_KINDS, URL_RE } from "../../db/models/enums";
import { MAX, day, integer, issue, itemSchemas, oneOf, optional, optionalText, reference, references, text, time } from "./common";

type Item = Record<string, unknown>;

/** `end` must not be before `start` (both days, inclusive). */
function endNotBeforeStart(item: Item, ctx: z.RefinementCtx): void {
  if (typeof item.start === "string" && typeof item.end === "string" && item.end < item.start) {
    issue(ctx, "end", `must not be before start (${item.start})`);
  }
}

export const periods = itemSchemas(
  {
    name: text(MAX.name),
    kind: oneOf(PERIOD_KINDS),
    start: day,
    end: day,
  },
  endNotBeforeStart,
);

export const curriculum = itemSchemas({
  classId: reference,
  subjectId: reference,
  periodId: reference,
  plannedLessons: integer(0, 10_000),
});

const movedTo = z.strictObject(
  {
    date: day,
    start: time,
    end: time,
  },
  { error: "must be an object {date, start, end}" },
);

export const lessons = itemSchemas(
  {
    classId: reference,
    groupId: optional(reference),
    subjectId: reference,
    teacherId: reference,
    date: day,
    start: time,
    end: time,
    room: optionalText(MAX.short),
    kind: oneOf(LESSON_KINDS),
    status: oneOf(LESSON_STATUSES),
    substituteTeacherId: optional(reference),
    movedTo: optional(movedTo),
    topic: optionalText(500),
  },
  (item, ctx) => {
    if (typeof item.start === "string" && typeof item.end === "string" && item.end <= item.start) issue(ctx, "end", `must be after start (${item.start})`);
    const moved = item.movedTo as { start?: unknown; end?: unknown } | undefined;
    if (moved && typeof moved.start === "string" && typeof moved.end === "string" && moved.end <= moved.start) {
      issue(ctx, "movedTo.end", `must be after movedTo.start (${moved.start})`);
    }
    if (item.status === "substituted" && !item.substituteTeacherId) issue(ctx, "substituteTeacherId", 'is required when status is "substituted"');
    if (item.status === "moved" && !item.movedTo) issue(ctx, "movedTo", 'is required when status is "moved"');
    if (item.movedTo && item.status !== "moved") issue(ctx, "movedTo", 'is only allowed when status is "moved"');
  },
);

export const assessments = itemSchemas({
  classId: reference,
  subjectId: reference,
  date: day,
  kind: oneOf(ASSESSMENT_KINDS),
  topic: optionalText(500),
});

const link = z
  .string({ error: "must be a string" })
  .trim()
  .max(MAX.url, `must be at most ${MAX.url} characters`)
  .refine((v) => URL_RE.test(v), "must be an http:// or https:// link");

export const homework = itemSchemas(
  {
    classId: reference,
    groupId: optional(reference),
    subjectId: reference,
    assignedOn: day,
    dueOn: day,
    text: text(MAX.text),
    links: optional(z.array(link, { error: "must be an array of links" }).max(20, "must have at most 20 links")),
  },
  (item, ctx) => {
    if (typeof item.assignedOn === "string" && typeof item.dueOn === "string" && item.dueOn < item.assignedOn) {
      issue(ctx, "dueOn", `must not be before assignedOn (${item.assignedOn})`);
    }
  },
);

export const holidays = itemSchemas(
  {
    name: text(MAX.name),
    start: day,
    end: day,
    classIds: optional(references(200)),
  },
  endNotBeforeStart,
);
