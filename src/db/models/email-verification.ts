import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { EMAIL_RE } from "./enums";
import { optionalRefField, refField } from "./fields";

/**
 * A pending check of an e-mail address a person entered: a code sent to it, stored hashed;
 * collection `email_verifications`. MongoDB removes it at `expiresAt` (TTL index).
 */
export const emailVerificationSchema = new Schema(
  {
    accountId: refField("Account"),
    /** Older releases named the guardian record the address was for; contacts are the account's own now. */
    guardianId: optionalRefField("Guardian"),
    email: { type: String, required: true, trim: true, lowercase: true, maxlength: 254, match: EMAIL_RE },
    codeHash: { type: String, required: true, minlength: 16, maxlength: 256 },
    expiresAt: { type: Date, required: true },
    /** Wrong codes entered so far. */
    attempts: {
      type: Number,
      required: true,
      default: 0,
      min: 0,
      validate: { validator: Number.isInteger, message: "{PATH} must be an integer" },
    },
  },
  { collection: "email_verifications", timestamps: true },
);

emailVerificationSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
emailVerificationSchema.index({ accountId: 1, createdAt: -1 });

export const EmailVerification = model("EmailVerification", emailVerificationSchema);
export type EmailVerification = InferSchemaType<typeof emailVerificationSchema>;
export type EmailVerificationDocument = HydratedDocument<EmailVerification>;
export type EmailVerificationModel = typeof EmailVerification;
