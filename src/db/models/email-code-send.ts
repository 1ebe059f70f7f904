import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { EMAIL_RE } from "./enums";
import { refField } from "./fields";

/**
 * One e-mail with a confirmation code sent at a person's request; collection `email_code_sends`.
 * Kept a day (TTL) for the limits per account and per address (src/services/contacts.ts): the bot
 * must not become a way to flood someone's mailbox. Holds the address only for that day.
 */
export const emailCodeSendSchema = new Schema(
  {
    accountId: refField("Account"),
    email: { type: String, required: true, trim: true, lowercase: true, maxlength: 254, match: EMAIL_RE },
    at: { type: Date, required: true },
  },
  { collection: "email_code_sends", timestamps: false },
);

export const EMAIL_CODE_SEND_TTL_SECONDS = 24 * 3600;
emailCodeSendSchema.index({ at: 1 }, { expireAfterSeconds: EMAIL_CODE_SEND_TTL_SECONDS });
emailCodeSendSchema.index({ accountId: 1, at: -1 });
emailCodeSendSchema.index({ email: 1, at: -1 });

export const EmailCodeSend = model("EmailCodeSend", emailCodeSendSchema);
export type EmailCodeSend = InferSchemaType<typeof emailCodeSendSchema>;
export type EmailCodeSendDocument = HydratedDocument<EmailCodeSend>;
export type EmailCodeSendModel = typeof EmailCodeSend;
