import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { DOMAIN_EVENT_TYPES, EVENT_RESOURCES } from "./enums";
import { MAX, ObjectId, refArrayField, schoolIdField } from "./fields";

const entitySchema = new Schema(
  {
    resource: { type: String, enum: EVENT_RESOURCES, required: true },
    id: { type: ObjectId, required: true },
    externalId: { type: String, maxlength: MAX.externalId },
  },
  { _id: false },
);

/**
 * Something that happened to the school's data and may be worth telling people about (a new grade,
 * a published final, a substituted lesson, ...); collection `domain_events`. Written by the
 * exchange import and the bot, turned into deliveries by the notify worker.
 */
export const domainEventSchema = new Schema(
  {
    schoolId: schoolIdField(),
    /** A stable id built by the producer (e.g. `grade.changed:<gradeId>:<hash of the new state>`). */
    eventId: { type: String, required: true, minlength: 1, maxlength: 300 },
    type: { type: String, enum: DOMAIN_EVENT_TYPES, required: true },
    entity: { type: entitySchema, required: true },
    /** Students concerned (their guardians are the recipients). */
    studentIds: refArrayField("Student"),
    /** Classes concerned (class-wide events: homework, timetable, tests, holidays). */
    classIds: refArrayField("SchoolClass"),
    /** Before/after summary of the change, as the notifier needs it. */
    payload: { type: Schema.Types.Mixed },
    /** Set when the notify job was enqueued; absent = still to enqueue (outbox). */
    enqueuedAt: { type: Date },
    /**
     * Set when the event's deliveries are recorded (grade and homework alerts: when their batch or
     * digest is flushed). Unset with `enqueuedAt` set = work that lives only in Redis (src/queue/redrive.ts).
     */
    processedAt: { type: Date },
  },
  { collection: "domain_events", timestamps: { createdAt: true, updatedAt: false }, minimize: false },
);

domainEventSchema.index({ eventId: 1 }, { unique: true });
domainEventSchema.index({ schoolId: 1, createdAt: 1 });
// The outbox sweep: events not enqueued yet (enqueuedAt null), oldest first.
domainEventSchema.index({ enqueuedAt: 1, createdAt: 1 });
// The re-drive after a Redis loss: events handed over but not yet turned into deliveries.
domainEventSchema.index({ processedAt: 1, createdAt: 1 });

export const DomainEvent = model("DomainEvent", domainEventSchema);
export type DomainEvent = InferSchemaType<typeof domainEventSchema>;
export type DomainEventDocument = HydratedDocument<DomainEvent>;
export type DomainEventModel = typeof DomainEvent;
