import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { LANGUAGES } from "./enums";
import { optionalRefField } from "./fields";

/** How a web session was opened. */
export const WEB_SIGN_IN_METHODS = ["telegram", "bot-link", "email"] as const;
export type WebSignInMethod = (typeof WEB_SIGN_IN_METHODS)[number];

/**
 * A signed-in browser or Mini App of the web cabinet; collection `web_sessions`. The cookie holds a
 * random token, only its sha256 is stored. The principal is a person: an account, or (an e-mail
 * sign-in of someone the school knows only on paper) the journal's guardian record. MongoDB removes
 * the session at `expiresAt` (TTL index); signing out deletes it at once.
 */
export const webSessionSchema = new Schema(
  {
    tokenHash: { type: String, required: true, minlength: 64, maxlength: 64 },
    accountId: optionalRefField("Account"),
    guardianId: optionalRefField("Guardian"),
    via: { type: String, required: true, enum: WEB_SIGN_IN_METHODS },
    /** The synchronizer token every form of this session carries (CSRF). */
    csrfToken: { type: String, required: true, minlength: 32, maxlength: 64 },
    language: { type: String, enum: LANGUAGES, required: true },
    /** Renewed (at most hourly) while the session is used, never past `absoluteExpiresAt`. */
    expiresAt: { type: Date, required: true },
    absoluteExpiresAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
  },
  { collection: "web_sessions", timestamps: { createdAt: true, updatedAt: false } },
);

webSessionSchema.pre("validate", function () {
  if (!this.accountId === !this.guardianId) this.invalidate("accountId", "a web session belongs to exactly one account or guardian record");
});
webSessionSchema.index({ tokenHash: 1 }, { unique: true });
webSessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
// Signing a person out everywhere (withdrawal, deletion).
webSessionSchema.index({ accountId: 1 });
webSessionSchema.index({ guardianId: 1 });

export const WebSession = model("WebSession", webSessionSchema);
export type WebSession = InferSchemaType<typeof webSessionSchema>;
export type WebSessionDocument = HydratedDocument<WebSession>;
export type WebSessionModel = typeof WebSession;
