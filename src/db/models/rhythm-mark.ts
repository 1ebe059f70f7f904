import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { optionalRefField, refField, schoolIdField } from "./fields";

/** What a mark records as done (src/services/notify/period-end.ts). */
export const RHYTHM_MARK_KINDS = [
  /** The period-end warning (teachers' lists, families' forecasts) was planned. */
  "period-warning",
  /** The missing-finals list of the period came out empty: the daily list stops. */
  "finals-complete",
  /** A class's curriculum statistics and summary sheet were sent to the admins (`classId`). */
  "class-sheets",
] as const;
export type RhythmMarkKind = (typeof RHYTHM_MARK_KINDS)[number];

/**
 * "This part of the school's rhythm is done for this period" (issue 15): one record per school,
 * period, kind (and class), so that a rerun of the school's morning, a retried job or a changed
 * setting never sends it again; collection `rhythm_marks`. Written after the work it marks.
 */
export const rhythmMarkSchema = new Schema(
  {
    schoolId: schoolIdField(),
    periodId: refField("Period"),
    kind: { type: String, enum: RHYTHM_MARK_KINDS, required: true },
    classId: optionalRefField("SchoolClass"),
    /** The school's day it was done on. */
    day: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: "rhythm_marks", timestamps: false },
);

rhythmMarkSchema.index({ schoolId: 1, periodId: 1, kind: 1, classId: 1 }, { unique: true });

export const RhythmMark = model("RhythmMark", rhythmMarkSchema);
export type RhythmMark = InferSchemaType<typeof rhythmMarkSchema>;
export type RhythmMarkDocument = HydratedDocument<RhythmMark>;
