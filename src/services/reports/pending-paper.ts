/**
 * A guardian's pending paper items (deliveries with status `pending_paper`: messages that could not
 * or may not go electronically) turned into what their slip shows. An item about a grade, a final,
 * homework, a lesson, a test, a holiday or a recommendation points (through its domain event) to the
 * record, which the slip's sections then show even when it falls outside their usual window; an item
 * whose record is gone, or that has no record (a broadcast), becomes a line under "messages".
 * Nothing is dropped: every item is either in a section or in the messages.
 */
import type { Model, Types } from "mongoose";
import {
  Assessment,
  DomainEvent,
  ExamResult,
  FinalGrade,
  Grade,
  Holiday,
  Homework,
  Lesson,
  Recommendation,
  type DeliveryKind,
} from "../../db/models";
import { schoolDay } from "../../domain/time";
import type { SlipMessage } from "../../print/printout";

export interface PendingItem {
  deliveryId: string;
  kind: DeliveryKind;
  eventId?: string | null;
  queuedAt: Date;
  /** The message's structured content, when the delivery record keeps it (broadcasts). */
  notice?: unknown;
}

/** Resources whose records have a section on the slip. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SHOWN_MODELS: Record<string, Model<any>> = {
  grades: Grade, homework: Homework, lessons: Lesson, assessments: Assessment, recommendations: Recommendation, finalGrades: FinalGrade, exams: ExamResult, holidays: Holiday,
};
const SHOWN = ["grades", "homework", "lessons", "assessments", "recommendations", "finalGrades", "exams", "holidays"] as const;
type Shown = (typeof SHOWN)[number];
const isShown = (resource: string | undefined): resource is Shown => resource !== undefined && resource in SHOWN_MODELS;
export type Referenced = Record<Shown, Types.ObjectId[]>;


/** Kinds that every slip shows in full anyway (the forecast is in the grades table). */
const ALWAYS_SHOWN = new Set<DeliveryKind>(["forecast"]);
/** Never addressed to guardians: nothing to print. */
const NOT_FOR_GUARDIANS = new Set<DeliveryKind>(["admin-alert", "printout"]);

function noticeText(notice: unknown): string | null {
  if (!notice || typeof notice !== "object") return null;
  const text = (notice as { text?: unknown }).text;
  return typeof text === "string" && text.trim() ? text : null;
}

/** What the items point to: their domain events and which of the referenced records still exist. */
export type PendingRecords = Awaited<ReturnType<typeof loadPendingRecords>>;

/**
 * Reads the records behind the items (of any number of slips and classes: the weekly job reads
 * them once for a batch of classes) in a few queries.
 */
export async function loadPendingRecords(items: readonly PendingItem[]) {
  const eventIds = [...new Set(items.map((i) => i.eventId).filter((id): id is string => !!id))];
  const events = eventIds.length ? await DomainEvent.find({ eventId: { $in: eventIds } }, { eventId: 1, type: 1, entity: 1, payload: 1 }).lean() : [];
  const byEventId = new Map(events.map((e) => [e.eventId, e]));

  // Which referenced records still exist: one query per resource.
  const wanted = new Map<Shown, Types.ObjectId[]>();
  for (const e of events) {
    const resource = e.entity.resource;
    if (isShown(resource)) wanted.set(resource, [...(wanted.get(resource) ?? []), e.entity.id]);
  }
  const existing = new Set<string>();
  for (const [resource, ids] of wanted) {
    const found = await SHOWN_MODELS[resource].find({ _id: { $in: ids } }, { _id: 1 }).lean();
    for (const doc of found) existing.add(String(doc._id));
  }
  return { byEventId, existing };
}

/** The items resolved against records read before (no I/O): each either referenced by a section or a message. */
export function resolveWith(records: PendingRecords, items: readonly PendingItem[], timeZone: string): { referenced: Referenced; messages: Map<string, SlipMessage[]> } {
  const referenced = Object.fromEntries(SHOWN.map((r) => [r, [] as Types.ObjectId[]])) as Referenced;
  const messages = new Map<string, SlipMessage[]>();
  const { byEventId, existing } = records;
  for (const item of items) {
    const date = schoolDay(item.queuedAt, timeZone);
    const add = (message: SlipMessage) => messages.set(item.deliveryId, [...(messages.get(item.deliveryId) ?? []), message]);
    if (NOT_FOR_GUARDIANS.has(item.kind) || ALWAYS_SHOWN.has(item.kind)) continue;
    const text = noticeText(item.notice);
    const event = item.eventId ? byEventId.get(item.eventId) : undefined;
    const resource = event?.entity.resource;
    if (event && isShown(resource) && existing.has(String(event.entity.id))) {
      referenced[resource].push(event.entity.id);
      continue;
    }
    if (text) {
      add({ date, kind: item.kind, text });
      continue;
    }
    const before = (event?.payload as { before?: Record<string, unknown> } | undefined)?.before ?? {};
    const params = Object.fromEntries(Object.entries(before).filter(([, v]) => typeof v === "string" || typeof v === "number").map(([k, v]) => [k, String(v)]));
    add({ date, kind: event ? event.type.replace(".", "_") : item.kind, text: null, params });
  }
  return { referenced, messages };
}
