/**
 * How each exchange resource is stored: its model, which fields refer to which resource, and how a
 * validated item becomes the stored fields the import manages (references as ObjectIds).
 */
import type { Model, Types } from "mongoose";
import {
  EXCHANGE_RESOURCES,
  Assessment,
  Curriculum,
  ExamResult,
  FinalGrade,
  Grade,
  Group,
  Guardian,
  Holiday,
  Homework,
  Lesson,
  Period,
  SchoolClass,
  Student,
  Subject,
  Teacher,
  type ExchangeResource,
} from "../../db/models";
import { ITEM_SCHEMAS } from "../../api/schemas";
import { zonedInstant } from "../../domain/time";
import type { Doc } from "./state";

export interface Reference {
  field: string;
  to: ExchangeResource;
  many: boolean;
}

export interface StateContext {
  /** The ObjectId of a referenced record (the resolver has checked that it exists). */
  idOf(resource: ExchangeResource, externalId: string): Types.ObjectId;
  timezone: string;
  /** The stored document, when the item updates one. */
  existing?: Doc;
}

export interface ResourceDef {
  resource: ExchangeResource;
  /** For messages: "class", "student", ... */
  singular: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  references: Reference[];
  /** Item fields stored under another shape (the generic mapping skips them). */
  toState?: (item: Doc, state: Doc, ctx: StateContext) => Doc;
}

const one = (field: string, to: ExchangeResource): Reference => ({ field, to, many: false });
const many = (field: string, to: ExchangeResource): Reference => ({ field, to, many: true });

/** Instants without an offset are wall-clock times of the school's zone. */
function toDate(value: unknown, timezone: string): Date | undefined {
  if (typeof value !== "string") return undefined;
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(value);
  const [day, time] = value.split("T");
  const date = zonedInstant(day, time.slice(0, 5), timezone);
  const seconds = time.slice(5); // ":ss.sss" or ""
  return seconds ? new Date(date.getTime() + Math.round(Number(seconds.slice(1)) * 1000)) : date;
}

interface Contact {
  kind: "email" | "phone";
  value: string;
  source: string;
  verifiedAt?: Date;
}

/**
 * The journal's e-mail and phone replace the contacts it sent before; the guardian's own contacts
 * and those registered on paper stay. `delivery: "paper"` from the journal switches to paper;
 * "electronic" only undoes the journal's own paper switch, never a guardian's refusal.
 */
function guardianState(item: Doc, state: Doc, ctx: StateContext): Doc {
  const { email, phone, delivery, ...rest } = state;
  const existingContacts = ((ctx.existing?.contacts as Contact[] | undefined) ?? []).filter((c) => c.source !== "journal");
  const contacts: Contact[] = [...existingContacts];
  for (const [kind, value] of [["email", email], ["phone", phone]] as const) {
    if (typeof value === "string" && !contacts.some((c) => c.kind === kind && c.value === value)) contacts.push({ kind, value, source: "journal" });
  }
  const out: Doc = { ...rest, contacts };
  const current = ctx.existing?.delivery as string | undefined;
  const reason = ctx.existing?.deliveryReason as string | undefined;
  if (delivery === "paper" && current !== "paper") Object.assign(out, { delivery: "paper", deliveryReason: "journal" });
  if (delivery === "electronic" && current === "paper" && reason === "journal") Object.assign(out, { delivery: "electronic", deliveryReason: undefined });
  return out;
}

const withResultsAt = (_item: Doc, state: Doc, ctx: StateContext): Doc => ({ ...state, resultsAt: toDate(state.resultsAt, ctx.timezone) });

const DEFS: ResourceDef[] = [
  { resource: "classes", singular: "class", model: SchoolClass, references: [one("homeroomTeacherId", "teachers")] },
  { resource: "subjects", singular: "subject", model: Subject, references: [] },
  { resource: "teachers", singular: "teacher", model: Teacher, references: [many("subjectIds", "subjects")] },
  { resource: "groups", singular: "group", model: Group, references: [one("classId", "classes"), one("subjectId", "subjects")] },
  {
    resource: "students",
    singular: "student",
    model: Student,
    references: [one("classId", "classes"), many("groupIds", "groups"), many("individualTeacherIds", "teachers")],
    toState: (_item, state) => ({ ...state, individualPlan: state.individualPlan ?? false }),
  },
  { resource: "guardians", singular: "guardian", model: Guardian, references: [many("studentIds", "students")], toState: (item, state, ctx) => guardianState(item, state, ctx) },
  { resource: "periods", singular: "period", model: Period, references: [] },
  {
    resource: "curriculum",
    singular: "curriculum entry",
    model: Curriculum,
    references: [one("classId", "classes"), one("subjectId", "subjects"), one("periodId", "periods")],
  },
  {
    resource: "lessons",
    singular: "lesson",
    model: Lesson,
    references: [one("classId", "classes"), one("groupId", "groups"), one("subjectId", "subjects"), one("teacherId", "teachers"), one("substituteTeacherId", "teachers")],
  },
  { resource: "assessments", singular: "assessment", model: Assessment, references: [one("classId", "classes"), one("subjectId", "subjects")] },
  { resource: "grades", singular: "grade", model: Grade, references: [one("studentId", "students"), one("subjectId", "subjects"), one("lessonId", "lessons")] },
  { resource: "homework", singular: "homework", model: Homework, references: [one("classId", "classes"), one("groupId", "groups"), one("subjectId", "subjects")] },
  { resource: "holidays", singular: "holiday", model: Holiday, references: [many("classIds", "classes")] },
  {
    resource: "finalGrades",
    singular: "final grade",
    model: FinalGrade,
    references: [one("studentId", "students"), one("subjectId", "subjects"), one("periodId", "periods")],
    toState: withResultsAt,
  },
  { resource: "exams", singular: "exam result", model: ExamResult, references: [one("studentId", "students")], toState: withResultsAt },
];

export const RESOURCES = Object.fromEntries(DEFS.map((def) => [def.resource, def])) as Record<ExchangeResource, ResourceDef>;

/** Referenced resources before the ones that refer to them: the order upserts are written in. */
export const WRITE_ORDER: readonly ExchangeResource[] = EXCHANGE_RESOURCES;

/** Every (resource, field) that refers to `target`: what a deletion of a `target` record must check. */
export function referrersOf(target: ExchangeResource): Array<{ resource: ExchangeResource; reference: Reference }> {
  return DEFS.flatMap((def) => def.references.filter((r) => r.to === target).map((reference) => ({ resource: def.resource, reference })));
}

/** The stored fields an item manages; undefined values mean "unset". */
export function toState(def: ResourceDef, item: Doc, ctx: StateContext): Doc {
  const state: Doc = {};
  const refs = new Map(def.references.map((r) => [r.field, r]));
  for (const field of ITEM_SCHEMAS[def.resource].fields) {
    const value = item[field];
    const ref = refs.get(field);
    if (!ref) state[field] = value;
    else if (ref.many) state[field] = [...new Set((value as string[] | undefined) ?? [])].map((id) => ctx.idOf(ref.to, id));
    else state[field] = value === undefined ? undefined : ctx.idOf(ref.to, value as string);
  }
  return def.toState ? def.toState(item, state, ctx) : state;
}

/** The model's defaults for fields no item sets (guardian notification settings, ...), as stored on insert. */
const defaultsCache = new Map<ExchangeResource, Doc>();
export function insertDefaults(def: ResourceDef): Doc {
  let defaults = defaultsCache.get(def.resource);
  if (!defaults) {
    const doc = new def.model({}).toObject({ depopulate: true }) as Doc;
    delete doc._id;
    defaults = doc;
    defaultsCache.set(def.resource, defaults);
  }
  return structuredClone(defaults);
}
