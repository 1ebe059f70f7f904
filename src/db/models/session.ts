import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";

/** Sessions untouched for this long are removed by MongoDB's TTL monitor. */
export const SESSION_TTL_SECONDS = 90 * 24 * 60 * 60;

/** grammY session and conversation storage; collection `sessions`. */
export const sessionSchema = new Schema(
  {
    key: { type: String, required: true, maxlength: 300 },
    value: { type: Schema.Types.Mixed },
  },
  { collection: "sessions", timestamps: { createdAt: false, updatedAt: true }, minimize: false },
);

sessionSchema.index({ key: 1 }, { unique: true });
sessionSchema.index({ updatedAt: 1 }, { expireAfterSeconds: SESSION_TTL_SECONDS });

export const Session = model("Session", sessionSchema);
export type Session = InferSchemaType<typeof sessionSchema>;
export type SessionDocument = HydratedDocument<Session>;
export type SessionModel = typeof Session;
