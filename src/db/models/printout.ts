import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { MAX, dayField, optionalRefField, optionalTextField, refField, schoolIdField } from "./fields";

/** One paper slip: a student's extract for one guardian, and when it was handed over. */
const slipSchema = new Schema(
  {
    studentId: refField("Student"),
    guardianId: refField("Guardian"),
    handedAt: { type: Date },
    /** The staff account that registered the hand-over. */
    handedBy: optionalRefField("Account"),
  },
  { _id: false },
);

/**
 * The weekly printout of a class for guardians on paper delivery (regulation 9); collection
 * `printouts`. One per class and week.
 */
export const printoutSchema = new Schema(
  {
    schoolId: schoolIdField(),
    classId: refField("SchoolClass"),
    /** Monday of the ISO week, YYYY-MM-DD. */
    weekStart: dayField(),
    producedAt: { type: Date, required: true, default: () => new Date() },
    fileName: optionalTextField(MAX.name),
    slips: { type: [slipSchema], default: () => [] },
  },
  { collection: "printouts", timestamps: true },
);

printoutSchema.index({ schoolId: 1, classId: 1, weekStart: 1 }, { unique: true });

export const Printout = model("Printout", printoutSchema);
export type Printout = InferSchemaType<typeof printoutSchema>;
export type PrintoutDocument = HydratedDocument<Printout>;
export type PrintoutModel = typeof Printout;

/**
 * The daily results slip of a class (regulation 6 for families on paper): the finals and exam
 * results that went on paper, printed for the homeroom teacher on the next school morning and handed
 * over like the weekly printout's slips; collection `result_slips`. One per class and school day.
 */
export const resultSlipSchema = new Schema(
  {
    schoolId: schoolIdField(),
    classId: refField("SchoolClass"),
    /** The school day it was printed for, YYYY-MM-DD. */
    day: dayField(),
    producedAt: { type: Date, required: true, default: () => new Date() },
    fileName: optionalTextField(MAX.name),
    slips: { type: [slipSchema], default: () => [] },
  },
  { collection: "result_slips", timestamps: true },
);

resultSlipSchema.index({ schoolId: 1, classId: 1, day: 1 }, { unique: true });

export const ResultSlip = model("ResultSlip", resultSlipSchema);
export type ResultSlip = InferSchemaType<typeof resultSlipSchema>;
export type ResultSlipModel = typeof ResultSlip;
