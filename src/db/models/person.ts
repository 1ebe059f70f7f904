/**
 * What every person keeps for themselves, whoever they are: an `Account` (someone using the service
 * through a messenger) or a `Guardian` record acting as the *record person* (someone the school knows
 * only from the journal and on paper). One account is one person; one parent's settings never change
 * what another receives (docs/decisions.md, "People: one account is one person").
 */
import { Schema } from "mongoose";
import { CHANNELS, CONTACT_KINDS, CONTACT_SOURCES, DEFAULT_CHANNEL_ORDER, EMAIL_RE, GRADE_NOTIFY_MODES, PHONE_RE, type Channel } from "./enums";
import { timeField } from "./fields";

/**
 * A contact (regulation 7): it counts only when the person entered it or it came through the
 * school; `source` says which ("guardian": entered and confirmed by the person themselves). E-mails
 * are stored lower-cased, phones normalized (`+79161234567`).
 */
export const contactSchema = new Schema(
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

export const notifySchema = new Schema(
  {
    /** New and changed grades: at once, in the daily digest, or not at all. */
    grades: { type: String, enum: GRADE_NOTIFY_MODES, required: true, default: "instant" },
    forecast: { type: Boolean, required: true, default: true },
    timetable: { type: Boolean, required: true, default: true },
    assessments: { type: Boolean, required: true, default: true },
    homeworkDigest: { type: Boolean, required: true, default: false },
    /** The weekly digest (Sunday evening by default), also for persons with instant grade alerts. */
    weeklyDigest: { type: Boolean, required: true, default: true },
    /** The person's own quiet hours; the school's apply when absent. */
    quietHours: { type: quietHoursOverrideSchema },
  },
  { _id: false },
);

/** Channels tried in this order; a failure falls back to the next one. Paper first means "paper only, by choice". */
export function channelOrderField() {
  return {
    type: [{ type: String, enum: CHANNELS }],
    default: () => [...DEFAULT_CHANNEL_ORDER],
    validate: {
      validator: (order: Channel[]) => new Set(order).size === order.length,
      message: "channelOrder must not repeat a channel",
    },
  };
}

/** The fields of a person's own settings, shared by `Account` and `Guardian`. */
export function personFields() {
  return {
    contacts: { type: [contactSchema], default: () => [] },
    channelOrder: channelOrderField(),
    notify: { type: notifySchema, required: true, default: () => ({}) },
  };
}
