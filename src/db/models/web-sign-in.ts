import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { optionalRefField } from "./fields";

export const WEB_SIGN_IN_PURPOSES = ["bot-link", "email"] as const;
export type WebSignInPurpose = (typeof WEB_SIGN_IN_PURPOSES)[number];

/**
 * A one-time sign-in link to the web cabinet (the bot's /web, or an e-mail); collection
 * `web_sign_ins`. Only the sha256 of the link's token is stored. Using it sets `usedAt` atomically
 * (two clicks: one session); MongoDB removes it at `expiresAt` (TTL index).
 */
export const webSignInSchema = new Schema(
  {
    tokenHash: { type: String, required: true, minlength: 64, maxlength: 64 },
    purpose: { type: String, required: true, enum: WEB_SIGN_IN_PURPOSES },
    accountId: optionalRefField("Account"),
    guardianId: optionalRefField("Guardian"),
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
  },
  { collection: "web_sign_ins", timestamps: { createdAt: true, updatedAt: false } },
);

webSignInSchema.pre("validate", function () {
  if (!this.accountId === !this.guardianId) this.invalidate("accountId", "a sign-in link is for exactly one account or guardian record");
});
webSignInSchema.index({ tokenHash: 1 }, { unique: true });
webSignInSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
// Links one person asked for that have not expired (a limit on how many there may be).
webSignInSchema.index({ accountId: 1, expiresAt: 1 });
webSignInSchema.index({ guardianId: 1, expiresAt: 1 });

export const WebSignIn = model("WebSignIn", webSignInSchema);
export type WebSignIn = InferSchemaType<typeof webSignInSchema>;
export type WebSignInDocument = HydratedDocument<WebSignIn>;
export type WebSignInModel = typeof WebSignIn;
