import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { CHANNELS, DELIVERY_KINDS, DELIVERY_STATUSES } from "./enums";
import { ObjectId, optionalRefField, schoolIdField } from "./fields";

const recipientSchema = new Schema(
  {
    guardianId: optionalRefField("Guardian"),
    accountId: optionalRefField("Account"),
    /** The child the message is about (or the student recipient). */
    studentId: optionalRefField("Student"),
  },
  { _id: false },
);

/** What the SMSC said about an SMS (src/services/notify/sms-receipts.ts). */
const smsSchema = new Schema(
  {
    /** The SMSC's message id of every part (submit_sm_resp); receipts name them. */
    ids: { type: [{ type: String, maxlength: 100 }], default: undefined },
    /** Parts sent (the compliance report counts them per month). */
    parts: { type: Number, min: 0, max: 255 },
    /** Parts whose receipt said DELIVRD. */
    delivered: { type: [{ type: String, maxlength: 100 }], default: undefined },
    /** The last receipt's word (DELIVRD, UNDELIV, EXPIRED, ...). */
    stat: { type: String, maxlength: 20 },
  },
  { _id: false },
);

/**
 * One message to one person through one channel (Notifications): the proof that the 24-hour and
 * weekly obligations were met; collection `deliveries`.
 */
export const deliverySchema = new Schema(
  {
    schoolId: schoolIdField(),
    /** event + recipient + channel: one delivery, also after retries and restarts. */
    idempotencyKey: { type: String, required: true, minlength: 1, maxlength: 500 },
    /** DomainEvent.eventId, when the delivery comes from an event. */
    eventId: { type: String, maxlength: 300 },
    kind: { type: String, enum: DELIVERY_KINDS, required: true },
    recipient: { type: recipientSchema, required: true, default: () => ({}) },
    channel: { type: String, enum: CHANNELS, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, required: true, default: "queued" },
    attempts: {
      type: Number,
      required: true,
      default: 0,
      min: 0,
      validate: { validator: Number.isInteger, message: "{PATH} must be an integer" },
    },
    queuedAt: { type: Date, required: true, default: () => new Date() },
    /** Not before this instant (quiet hours, digest time). */
    notBefore: { type: Date },
    sentAt: { type: Date },
    /** SMS: when the receipt of its last part said it was delivered. */
    deliveredAt: { type: Date },
    failedAt: { type: Date },
    /** Error code/description only: never personal data. */
    lastError: { type: String, maxlength: 500 },
    printoutId: { type: ObjectId, ref: "Printout" },
    /**
     * What the message says (the structured notice of src/services/notify/notice.ts): a paper item is printed
     * from it, and an electronic job lost with Redis is rebuilt from it (src/queue/redrive.ts).
     */
    notice: { type: Schema.Types.Mixed },
    /** The batch job (QUEUES.bulk) that carries this delivery, when not a job of its own (src/queue/delivery-batch.ts). */
    batchJob: { type: String, maxlength: 300 },
    /** The batch run that holds the `sending` claim (a token; cleared when the record is settled). */
    claim: { type: String, maxlength: 300 },
    /** SMS only: message ids, parts, the receipts' word. */
    sms: { type: smsSchema, default: undefined },
    /** For finals and exams: when the result was obtained (sentAt - resultsAt <= 24 h). */
    resultsAt: { type: Date },
  },
  { collection: "deliveries", timestamps: true },
);

deliverySchema.index({ idempotencyKey: 1 }, { unique: true });
deliverySchema.index({ status: 1, queuedAt: 1 });
deliverySchema.index({ "recipient.guardianId": 1, channel: 1, status: 1 });
deliverySchema.index({ schoolId: 1, kind: 1, status: 1 });
// A delivery receipt names a part's message id; the compliance report counts SMS parts per month.
deliverySchema.index({ "sms.ids": 1 }, { sparse: true });
deliverySchema.index({ schoolId: 1, channel: 1, sentAt: 1 });
// SMS still waiting for their receipt (few): the watchdog's sweep passes those waiting too long on (sms-receipt-sweep.ts).
deliverySchema.index({ sentAt: 1 }, { name: "sms_awaiting_receipt", partialFilterExpression: { channel: "sms", status: "sent" } });
// One person's messages: cancelled at once when that account refuses or withdraws, listed by /mydata.
deliverySchema.index({ "recipient.accountId": 1, status: 1 });

export const Delivery = model("Delivery", deliverySchema);
export type Delivery = InferSchemaType<typeof deliverySchema>;
export type DeliveryDocument = HydratedDocument<Delivery>;
export type DeliveryModel = typeof Delivery;
