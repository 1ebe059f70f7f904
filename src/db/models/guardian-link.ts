import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { optionalRefField, refField, schoolIdField } from "./fields";

/**
 * An account's access to one child: created when a guardian code is redeemed, removed when consent
 * is withdrawn; collection `guardian_links`. Access checks go through these links.
 */
export const guardianLinkSchema = new Schema(
  {
    accountId: refField("Account"),
    guardianId: refField("Guardian"),
    studentId: refField("Student"),
    schoolId: schoolIdField(),
    linkedAt: { type: Date, required: true, default: () => new Date() },
    /** The invite code redeemed. */
    codeId: optionalRefField("InviteCode"),
  },
  { collection: "guardian_links", timestamps: false },
);

guardianLinkSchema.index({ accountId: 1, studentId: 1 }, { unique: true });
guardianLinkSchema.index({ studentId: 1 });
guardianLinkSchema.index({ guardianId: 1 });

export const GuardianLink = model("GuardianLink", guardianLinkSchema);
export type GuardianLink = InferSchemaType<typeof guardianLinkSchema>;
export type GuardianLinkDocument = HydratedDocument<GuardianLink>;
export type GuardianLinkModel = typeof GuardianLink;
