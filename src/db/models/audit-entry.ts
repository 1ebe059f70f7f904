import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from "./enums";
import { appendOnly } from "./append-only";
import { MAX, ObjectId, optionalRefField, optionalTextField } from "./fields";

export const AUDIT_APPEND_ONLY_MESSAGE = "audit entries are append-only";

const actorSchema = new Schema(
  {
    kind: { type: String, enum: AUDIT_ACTOR_KINDS, required: true },
    /** The acting person's account (kind "account"). */
    accountId: optionalRefField("Account"),
    /** For "cli" and "system": which tool or job (e.g. "staff", "staff-upkeep"). */
    name: optionalTextField(MAX.short),
  },
  { _id: false },
);

const targetSchema = new Schema(
  {
    /** What was acted on: "account", "school", ... */
    kind: { type: String, required: true, trim: true, minlength: 1, maxlength: MAX.short },
    id: { type: ObjectId },
  },
  { _id: false },
);

/**
 * One thing that changed who may do what (roles today; school settings and other administrative
 * changes later); collection `audit_log`. APPEND-ONLY, like consent records: who (`actor`), when
 * (`at`), in which school, what (`action`, `target`), and the state `before` and `after` (plain
 * JSON of ids and values, no names or contacts). The console reads it newest first per school.
 */
export const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    /** Absent for deployment-wide entries. */
    schoolId: optionalRefField("School"),
    actor: { type: actorSchema, required: true },
    action: { type: String, enum: AUDIT_ACTIONS, required: true },
    target: { type: targetSchema, required: true },
    /** The setting's dotted key (`school.setting-changed`: `quietHours.start`, `consent.version`, ...). */
    key: optionalTextField(MAX.short),
    before: { type: Schema.Types.Mixed },
    after: { type: Schema.Types.Mixed },
    /** Why, in the actor's words (CLI --reason) or the job's ("school year ended"). */
    reason: optionalTextField(500),
  },
  { collection: "audit_log", timestamps: false, minimize: false },
);

auditEntrySchema.index({ schoolId: 1, at: -1 });
auditEntrySchema.index({ "target.id": 1, at: -1 });

appendOnly(auditEntrySchema, AUDIT_APPEND_ONLY_MESSAGE);

export const AuditEntry = model("AuditEntry", auditEntrySchema);
export type AuditEntry = InferSchemaType<typeof auditEntrySchema>;
export type AuditEntryDocument = HydratedDocument<AuditEntry>;
export type AuditEntryModel = typeof AuditEntry;
