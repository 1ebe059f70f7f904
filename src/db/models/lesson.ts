import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { LESSON_KINDS, LESSON_STATUSES } from "./enums";
import {
  MAX,
  dayField,
  externalIdField,
  optionalRefField,
  optionalTextField,
  refField,
  schoolIdField,
  timeField,
  uniqueExternalId,
} from "./fields";

/** Where a moved lesson went. */
const movedToSchema = new Schema(
  {
    date: dayField(),
    start: timeField(),
    end: timeField(),
  },
  { _id: false },
);

/**
 * One lesson of the timetable (planned or held); collection `lessons`. Cross-field rules (a
 * substitute teacher when `substituted`, `movedTo` when `moved`) are the exchange API's to check.
 */
export const lessonSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    classId: refField("SchoolClass"),
    /** The group taught, when the lesson is for a part of the class. */
    groupId: optionalRefField("Group"),
    subjectId: refField("Subject"),
    teacherId: refField("Teacher"),
    date: dayField(),
    start: timeField(),
    end: timeField(),
    room: optionalTextField(MAX.short),
    kind: { type: String, enum: LESSON_KINDS, required: true, default: "lesson" },
    status: { type: String, enum: LESSON_STATUSES, required: true, default: "planned" },
    substituteTeacherId: optionalRefField("Teacher"),
    movedTo: { type: movedToSchema },
    topic: optionalTextField(500),
  },
  { collection: "lessons", timestamps: true },
);

uniqueExternalId(lessonSchema);
lessonSchema.index({ schoolId: 1, classId: 1, date: 1 });
lessonSchema.index({ schoolId: 1, teacherId: 1, date: 1 });

export const Lesson = model("Lesson", lessonSchema);
export type Lesson = InferSchemaType<typeof lessonSchema>;
export type LessonDocument = HydratedDocument<Lesson>;
export type LessonModel = typeof Lesson;
