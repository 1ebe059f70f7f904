import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";

/** Sessions untouched for this long are removed by MongoDB's TTL monitor. */
export const SESSION_TTL_SECONDS = 90 * 24 * 60 * 60;

/** grammY session and conversation storage; collection `sessions`. */
export const sessionSchema = new Schema(
  {
    key: { type: String, required: true, maxlength: 300 },
    value: { type: Schema.Types.Mixed },
    /** A shorter life for state that may hold what a user typed (a dialog waiting for a code). */
    expiresAt: { type: Date },
  },
  { collection: "sessions", timestamps: { createdAt: false, updatedAt: true }, minimize: false },
);

sessionSchema.index({ key: 1 }, { unique: true });
sessionSchema.index({ updatedAt: 1 }, { expireAfterSeconds: SESSION_TTL_SECONDS });
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

/** The MAX bot's dialog state of one user (src/max/dialog.ts): it may hold a typed code, so it has a short life. */
export const maxDialogKey = (maxUserId: number): string => `max:dialog:${maxUserId}`;

export const Session = model("Session", sessionSchema);
export type Session = InferSchemaType<typeof sessionSchema>;
export type SessionDocument = HydratedDocument<Session>;
export type SessionModel = typeof Session;
