import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { DELIVERY_MODES, DELIVERY_REASONS } from "./enums";
import { MAX, ObjectId, optionalTextField, refArrayField, schoolIdField } from "./fields";
import { personFields } from "./person";

/**
 * An account that acted for this record and left the school's children — a withdrawal in the bot,
 * or a written refusal or withdrawal naming it as the signer: its links are gone, but the family
 * keeps its paper for that person until the account consents again in this school
 * (src/services/privacy.ts `leaveSchool`). Ids only.
 */
const paperForSchema = new Schema(
  {
    accountId: { type: ObjectId, ref: "Account", required: true },
    reason: { type: String, enum: ["declined", "withdrawn"], required: true },
    since: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A parent or legal guardian as the journal knows them; collection `guardians`. From the journal
 * (`externalId` set), created by the bot when a guardian code is redeemed without a journal record,
 * or by an admin registering a written decision (no `externalId`). Shared by the accounts acting for
 * it only for what the journal said; the rest is the record person's own.
 */
export const guardianSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: { type: String, trim: true, minlength: 1, maxlength: MAX.externalId },
    fullName: optionalTextField(MAX.fullName),
    studentIds: refArrayField("Student"),
    /**
     * The record person's own settings (contacts from the journal and from written statements, their
     * channel order and notifications). Accounts acting for the record have their own (account.ts).
     */
    ...personFields(),
    /**
     * The record's own delivery mode: paper when the journal said so or the school registered a
     * written refusal or withdrawal for it. It puts the family on paper; it never changes what the
     * accounts acting for the record receive.
     */
    delivery: { type: String, enum: DELIVERY_MODES, required: true, default: "electronic" },
    deliveryReason: { type: String, enum: DELIVERY_REASONS },
    paperFor: { type: [paperForSchema], default: () => [] },
  },
  { collection: "guardians", timestamps: true },
);

// Unique only among guardians that came from the journal: many bot-created ones have no externalId.
guardianSchema.index(
  { schoolId: 1, externalId: 1 },
  { unique: true, partialFilterExpression: { externalId: { $type: "string" } } },
);
guardianSchema.index({ schoolId: 1, studentIds: 1 });
// E-mail sign-in to the web cabinet finds the record person by address (src/services/web-email-sign-in.ts).
guardianSchema.index({ "contacts.value": 1 });

export const Guardian = model("Guardian", guardianSchema);
export type Guardian = InferSchemaType<typeof guardianSchema>;
export type GuardianDocument = HydratedDocument<Guardian>;
export type GuardianModel = typeof Guardian;
export type GuardianContact = Guardian["contacts"][number];
