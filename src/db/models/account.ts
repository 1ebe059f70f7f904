import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { LANGUAGES, ROLES } from "./enums";
import { ObjectId, optionalRefField } from "./fields";
import { personFields } from "./person";

/**
 * A role the account holds in one school, gained by redeeming an invite code. Guardian roles name
 * the guardian record, student roles the student, teacher roles the teacher (admins may have none).
 */
const roleSchema = new Schema(
  {
    role: { type: String, enum: ROLES, required: true },
    schoolId: { type: ObjectId, ref: "School", required: true },
    guardianId: {
      type: ObjectId,
      ref: "Guardian",
      required: [function (this: { role?: string }) { return this.role === "guardian"; }, "a guardian role needs guardianId"],
    },
    studentId: {
      type: ObjectId,
      ref: "Student",
      required: [function (this: { role?: string }) { return this.role === "student"; }, "a student role needs studentId"],
    },
    teacherId: {
      type: ObjectId,
      ref: "Teacher",
      required: [function (this: { role?: string }) { return this.role === "teacher"; }, "a teacher role needs teacherId"],
    },
    grantedAt: { type: Date, required: true, default: () => new Date() },
    /** The invite code that granted the role (absent for bootstrap admins from ADMIN_TELEGRAM_IDS). */
    codeId: optionalRefField("InviteCode"),
    /**
     * Staff roles (teacher, admin): the instant the role ends — the end of the school year it was
     * granted or renewed for (src/services/staff.ts). Checked on every update; the upkeep job
     * removes the role then. Guardian and student roles have none.
     */
    expiresAt: { type: Date },
    /** Teacher roles: the classes the upkeep job last saw in the teacher's scope (for the audit log). */
    classIds: { type: [{ type: ObjectId, ref: "SchoolClass" }], default: undefined },
  },
  { _id: false },
);

const codeAttemptsSchema = new Schema(
  {
    /** Instants of recent wrong codes (the service trims old ones). */
    failures: { type: [{ type: Date }], default: () => [] },
    lockedUntil: { type: Date },
  },
  { _id: false },
);

/**
 * The account's MAX messenger identity (issue 14): the MAX user and their dialog with the bot. Absent
 * on accounts that never wrote to the MAX bot; an account may have MAX, Telegram or both.
 */
const maxIdentitySchema = new Schema(
  {
    userId: { type: Number, required: true },
    /** The dialog chat with the bot (messages are sent by user id; the chat is kept for edits). */
    chatId: { type: Number },
    /** Set when MAX refuses to deliver (the user stopped or blocked the bot); cleared when they write again. */
    blockedAt: { type: Date },
  },
  { _id: false },
);

/**
 * A person who uses the service through a messenger (Telegram, MAX or both); collection `accounts`. Holds no
 * names or messages. Consent, links, roles and the person's own settings (contacts they entered,
 * channel order, notifications) belong to the account: one account is one person. Its delivery
 * mode is derived, never stored: its consent per school, its channel order (paper first = paper
 * by choice) and whether Telegram still reaches it (src/services/people.ts).
 */
export const accountSchema = new Schema(
  {
    /** The Telegram user (absent on an account known only through MAX). */
    telegramId: { type: Number },
    /** The private chat with the Telegram bot (its id is the user's id). */
    chatId: { type: Number },
    /** The MAX identity, when the person uses the MAX bot (issue 14). */
    max: { type: maxIdentitySchema },
    language: { type: String, enum: LANGUAGES, required: true, default: "ru" },
    /** False once Telegram answers 403 (the user blocked the bot). */
    active: { type: Boolean, required: true, default: true },
    blockedAt: { type: Date },
    roles: { type: [roleSchema], default: () => [] },
    /** The child the guardian chose last (questions without a name refer to them). */
    selectedStudentId: optionalRefField("Student"),
    codeAttempts: { type: codeAttemptsSchema, required: true, default: () => ({}) },
    /** Contacts the person entered (source "guardian"), or the school received in writing from them as the signer. */
    ...personFields(),
  },
  { collection: "accounts", timestamps: true },
);

// One account per Telegram user and per MAX user; an account may lack either (partial indexes: the
// Telegram one replaced a plain unique index, dropped at start-up by src/db/migrations.ts).
accountSchema.index({ telegramId: 1 }, { unique: true, partialFilterExpression: { telegramId: { $type: "number" } } });
accountSchema.index({ "max.userId": 1 }, { unique: true, partialFilterExpression: { "max.userId": { $type: "number" } } });
accountSchema.index({ "roles.schoolId": 1, "roles.role": 1 });
accountSchema.index({ "roles.guardianId": 1 });
// E-mail sign-in to the web cabinet finds the person by address (src/services/web-email-sign-in.ts).
accountSchema.index({ "contacts.value": 1 });
// Final grades and exam results also go to the students themselves (regulation 6).
accountSchema.index({ "roles.studentId": 1 });

accountSchema.pre("validate", function () {
  if (typeof this.telegramId !== "number" && typeof this.max?.userId !== "number") this.invalidate("telegramId", "an account needs a Telegram or a MAX identity");
});

export const Account = model("Account", accountSchema);
export type Account = InferSchemaType<typeof accountSchema>;
export type AccountDocument = HydratedDocument<Account>;
export type AccountModel = typeof Account;
export type AccountRole = Account["roles"][number];
