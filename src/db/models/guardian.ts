import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import {
  CHANNELS,
  CONTACT_KINDS,
  CONTACT_SOURCES,
  DEFAULT_CHANNEL_ORDER,
  DELIVERY_MODES,
  DELIVERY_REASONS,
  EMAIL_RE,
  GRADE_NOTIFY_MODES,
  PHONE_RE,
  type Channel,
} from "./enums";
import { MAX, optionalTextField, refArrayField, schoolIdField, timeField } from "./fields";

/**
 * A contact (regulation 7): it counts only when the guardian entered it or it came through the
 * school; `source` says which. E-mails are stored lower-cased, phones normalized (`+79161234567`).
 */
const contactSchema = new Schema(
  {
    kind: { type: String, enum: CONTACT_KINDS, required: true },
    value: {
      type: String,
      required: true,
      trim: true,
      maxlength: 254,
      validate: {
        validator(this: { kind?: string }, value: string): boolean {
          return this.kind === "phone" ? PHONE_RE.test(value) : EMAIL_RE.test(value);
        },
        message: "{VALUE} is not a valid e-mail address or normalized phone number",
      },
    },
    source: { type: String, enum: CONTACT_SOURCES, required: true },
    verifiedAt: { type: Date },
  },
  { _id: false },
);
contactSchema.pre("validate", function () {
  if (this.kind === "email" && typeof this.value === "string") this.value = this.value.toLowerCase();
});

const quietHoursOverrideSchema = new Schema(
  {
    start: timeField(),
    end: timeField(),
  },
  { _id: false },
);

const notifySchema = new Schema(
  {
    /** New and changed grades: at once, in the daily digest, or not at all. */
    grades: { type: String, enum: GRADE_NOTIFY_MODES, required: true, default: "instant" },
    forecast: { type: Boolean, required: true, default: true },
    timetable: { type: Boolean, required: true, default: true },
    assessments: { type: Boolean, required: true, default: true },
    homeworkDigest: { type: Boolean, required: true, default: false },
    /** The guardian's own quiet hours; the school's apply when absent. */
    quietHours: { type: quietHoursOverrideSchema },
  },
  { _id: false },
);

/**
 * A parent or legal guardian; collection `guardians`. From the journal (`externalId` set) or
 * created by the bot when a guardian code is redeemed without a journal record (no `externalId`).
 */
export const guardianSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: { type: String, trim: true, minlength: 1, maxlength: MAX.externalId },
    fullName: optionalTextField(MAX.fullName),
    studentIds: refArrayField("Student"),
    contacts: { type: [contactSchema], default: () => [] },
    delivery: { type: String, enum: DELIVERY_MODES, required: true, default: "electronic" },
    deliveryReason: { type: String, enum: DELIVERY_REASONS },
    /** Channels tried in this order; a failure falls back to the next one. */
    channelOrder: {
      type: [{ type: String, enum: CHANNELS }],
      default: () => [...DEFAULT_CHANNEL_ORDER],
      validate: {
        validator: (order: Channel[]) => new Set(order).size === order.length,
        message: "channelOrder must not repeat a channel",
      },
    },
    notify: { type: notifySchema, required: true, default: () => ({}) },
  },
  { collection: "guardians", timestamps: true },
);

// Unique only among guardians that came from the journal: many bot-created ones have no externalId.
guardianSchema.index(
  { schoolId: 1, externalId: 1 },
  { unique: true, partialFilterExpression: { externalId: { $type: "string" } } },
);
guardianSchema.index({ schoolId: 1, studentIds: 1 });

export const Guardian = model("Guardian", guardianSchema);
export type Guardian = InferSchemaType<typeof guardianSchema>;
export type GuardianDocument = HydratedDocument<Guardian>;
export type GuardianModel = typeof Guardian;
export type GuardianContact = Guardian["contacts"][number];
