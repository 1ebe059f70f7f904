import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { DEFAULT_TIMEZONE, EXCHANGE_RESOURCES, SCHOOL_PERIOD_KINDS, SHA256_HEX_RE } from "./enums";
import { CONSENT_TEXT_MAX, isTimeZone } from "../../domain/school-settings";
import { MAX, intField, nameField, optionalTextField, timeField } from "./fields";

const thresholdsSchema = new Schema(
  {
    five: { type: Number, required: true, min: 1, max: 5, default: 4.5 },
    four: { type: Number, required: true, min: 1, max: 5, default: 3.5 },
    three: { type: Number, required: true, min: 1, max: 5, default: 2.5 },
  },
  { _id: false },
);

const quietHoursSchema = new Schema(
  {
    start: timeField("21:00"),
    end: timeField("08:00"),
  },
  { _id: false },
);

const forecastScheduleSchema = new Schema(
  {
    /** ISO weekday of the weekly forecast: 1 = Monday .. 7 = Sunday. */
    weeklyDay: intField(1, 7, 1),
    weeklyTime: timeField("17:00"),
    /** During the last N days of a period the forecast goes out daily (0 = never daily). */
    dailyLastDays: intField(0, 60, 10),
    enabled: { type: Boolean, required: true, default: true },
  },
  { _id: false },
);

const printoutScheduleSchema = new Schema(
  {
    /** ISO weekday the weekly printouts are produced: 1 = Monday .. 7 = Sunday. */
    weekday: intField(1, 7, 5),
    time: timeField("12:00"),
  },
  { _id: false },
);

const weeklyDigestSchema = new Schema(
  {
    /** ISO weekday of the weekly digest: 1 = Monday .. 7 = Sunday. */
    weekday: intField(1, 7, 7),
    time: timeField("18:00"),
    enabled: { type: Boolean, required: true, default: true },
  },
  { _id: false },
);

/** SMS (issue 14): finals and exams always go by SMS where a person's order reaches it; the school may add these. */
const smsSettingsSchema = new Schema(
  {
    /** Forecasts with subjects at risk also go by SMS. */
    forecasts: { type: Boolean, required: true, default: false },
    /** Teachers' recommendations also go by SMS. */
    recommendations: { type: Boolean, required: true, default: false },
    /** Concatenated parts at most (2: about 134 characters); a longer text is cut with "…". */
    maxParts: intField(1, 6, 2),
  },
  { _id: false },
);

const schoolSettingsSchema = new Schema(
  {
    periodKind: { type: String, enum: SCHOOL_PERIOD_KINDS, required: true, default: "quarter" },
    /** Work type -> weight; when set, overrides the weight a grade of that work type carries. */
    workTypeWeights: {
      type: Map,
      of: { type: Number, min: 1, max: 10 },
      default: () => new Map<string, number>(),
    },
    thresholds: {
      type: thresholdsSchema,
      required: true,
      default: () => ({}),
      validate: {
        validator: (t: { five: number; four: number; three: number }) => t.five > t.four && t.four > t.three,
        message: "thresholds must satisfy five > four > three",
      },
    },
    /** Fewer numeric grades than this in a period: the student risks "not attested". */
    minGrades: intField(0, 100, 3),
    /** Local time of the daily grade digest (guardians with notify.grades = "digest"). */
    digestTime: timeField("18:00"),
    quietHours: { type: quietHoursSchema, required: true, default: () => ({}) },
    /** The weekly digest to guardians (src/services/notify/weekly-digest.ts). */
    weeklyDigest: { type: weeklyDigestSchema, required: true, default: () => ({}) },
    forecastSchedule: { type: forecastScheduleSchema, required: true, default: () => ({}) },
    printoutSchedule: { type: printoutScheduleSchema, required: true, default: () => ({}) },
    /** Saturday is a school day (a six-day week): slips, the school's morning, "tomorrow" and school-day counts. */
    sixDayWeek: { type: Boolean, required: true, default: false },
    /** Local time of the daily results slip for families on paper (school days; src/queue/daily-slips.ts). */
    dailySlipTime: timeField("08:00"),
    /**
     * School days before a period's end (on the journal's calendar) when teachers get the students at
     * risk and their families a forecast (src/services/notify/period-end.ts); 0 = never.
     */
    periodEndWarningDays: intField(0, 60, 10),
    /** Days after which a guardian in the journal who has neither consented nor refused is listed as a non-responder. */
    nonResponderDays: intField(1, 365, 7),
    /**
     * Days after a withdrawal or refusal (or the end of the consent) before the person's own
     * contacts, account links and message texts are erased (src/services/data-lifecycle.ts).
     */
    retentionDays: intField(1, 365, 30),
    /** Internal target for delivering finals/exams (the regulation's limit is 24 hours). */
    finalsDeliveryLimitHours: intField(1, 24, 20),
    /** Lifetime of invite codes issued by this school. */
    codeTtlDays: intField(1, 365, 30),
    sms: { type: smsSettingsSchema, required: true, default: () => ({}) },
    /** When set, the consent text version this school uses instead of the service's current one. */
    consentTextVersion: { type: String, trim: true, maxlength: MAX.short },
    /**
     * The school's own terms added to the consent text (shown as typed, in every language); part of
     * the text, so changing it gives the consent a new version (src/services/school-settings.ts).
     */
    consentText: optionalTextField(CONSENT_TEXT_MAX),
    /**
     * Raised each time the school changes what its consent text says (its own terms, name, address,
     * operator details): the version becomes `<base>.<revision>` and guardians are asked again.
     */
    consentRevision: { type: Number, required: true, min: 0, default: 0, validate: { validator: Number.isInteger, message: "{PATH} must be an integer" } },
  },
  { _id: false },
);

/** The operator of personal data (152-FZ): the school's legal entity and the person responsible; quoted in the consent text. */
const operatorSchema = new Schema(
  {
    /** The legal name, e.g. МБОУ «Средняя школа № 12» (the school's name when absent). */
    name: optionalTextField(MAX.fullName),
    /** ИНН: 10 digits (an organisation). */
    inn: { type: String, trim: true, match: /^\d{10}(\d{2})?$/ },
    /** ОГРН: 13 digits (15 for a sole proprietor). */
    ogrn: { type: String, trim: true, match: /^\d{13}(\d{2})?$/ },
    /** The person responsible for organising the processing of personal data (name, position). */
    responsible: optionalTextField(MAX.fullName),
    /** How to reach them (phone or e-mail of the office). */
    contact: optionalTextField(MAX.name),
  },
  { _id: false },
);

export const schoolSchema = new Schema(
  {
    name: nameField(MAX.fullName),
    /** The operator's address, quoted in the consent text. */
    address: optionalTextField(500),
    operator: { type: operatorSchema, required: true, default: () => ({}) },
    timezone: {
      type: String,
      required: true,
      default: DEFAULT_TIMEZONE,
      validate: { validator: isTimeZone, message: "{VALUE} is not an IANA time zone" },
    },
    /** sha256 (hex) of the exchange token; the token itself is shown once and never stored. */
    exchangeTokenHash: { type: String, match: SHA256_HEX_RE },
    exchangeTokenIssuedAt: { type: Date },
    settings: { type: schoolSettingsSchema, required: true, default: () => ({}) },
    /** The school year the journal rolled the school into last (`PUT /api/v1/schoolYear`; issue 15). */
    schoolYear: {
      type: new Schema({ current: { type: String, required: true, match: /^\d{4}\/\d{2}$/ }, rolledOverAt: { type: Date, required: true } }, { _id: false }),
    },
    /** Exchange resources that had their first load (the first load of each is silent). */
    loadedResources: { type: [{ type: String, enum: EXCHANGE_RESOURCES }], default: () => [] },
  },
  { collection: "schools", timestamps: true },
);

schoolSchema.index({ exchangeTokenHash: 1 }, { unique: true, sparse: true });

export const School = model("School", schoolSchema);
export type School = InferSchemaType<typeof schoolSchema>;
export type SchoolDocument = HydratedDocument<School>;
export type SchoolModel = typeof School;
export type SchoolSettings = School["settings"];
