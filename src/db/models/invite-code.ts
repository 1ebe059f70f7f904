import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { ROLES } from "./enums";
import { MAX, ObjectId, optionalRefField, optionalTextField, schoolIdField } from "./fields";

/**
 * A one-time invite code; collection `invite_codes`. Only a peppered hash of the code is stored
 * (HMAC with CODE_PEPPER); the code itself is printed once. Guardian and student codes are bound to
 * a student (a guardian code may also name the guardian record), teacher codes to a teacher.
 * Redeemed, expired and revoked codes are kept as the record of who gained access and how.
 */
export const inviteCodeSchema = new Schema(
  {
    schoolId: schoolIdField(),
    codeHash: { type: String, required: true, minlength: 16, maxlength: 256 },
    role: { type: String, enum: ROLES, required: true },
    studentId: {
      type: ObjectId,
      ref: "Student",
      required: [
        function (this: { role?: string }) { return this.role === "guardian" || this.role === "student"; },
        "a guardian or student code needs studentId",
      ],
    },
    guardianId: optionalRefField("Guardian"),
    teacherId: {
      type: ObjectId,
      ref: "Teacher",
      required: [function (this: { role?: string }) { return this.role === "teacher"; }, "a teacher code needs teacherId"],
    },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
    usedByAccountId: optionalRefField("Account"),
    revokedAt: { type: Date },
    /** The admin account that issued the code (absent when issued from the CLI). */
    issuedBy: optionalRefField("Account"),
    /** A label of the batch, e.g. the class name for a class's codes. */
    batch: optionalTextField(MAX.short),
  },
  { collection: "invite_codes", timestamps: true },
);

inviteCodeSchema.index({ codeHash: 1 }, { unique: true });
inviteCodeSchema.index({ schoolId: 1, role: 1 });
inviteCodeSchema.index({ studentId: 1 });

export const InviteCode = model("InviteCode", inviteCodeSchema);
export type InviteCode = InferSchemaType<typeof inviteCodeSchema>;
export type InviteCodeDocument = HydratedDocument<InviteCode>;
export type InviteCodeModel = typeof InviteCode;
