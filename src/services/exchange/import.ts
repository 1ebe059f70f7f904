/**
 * The exchange import, shared by the HTTP API and the command line: validate every item, resolve
 * references in bulk, diff against the stored documents, write only what changed (bulk), record and
 * enqueue the domain events. Any invalid item stops the batch before anything is written.
 */
import type { Types } from "mongoose";
import { EXCHANGE_RESOURCES, School, type ExchangeResource } from "../../db/models";
import type { Logger } from "../../logger";
import { ExchangeInputError, ExchangeTooLargeError, ExchangeUnavailableError, type ItemError } from "./errors";
import { buildEvents, completeNames, enqueueEvents, namesFrom, producesEvents, recordEvents, type EventQueue } from "./events";
import { planSection, type SectionPlan } from "./plan";
import { checkDeletions, loadExisting, resolveReferences, type IdIndex, type LoadedSection } from "./references";
import { WRITE_ORDER } from "./resources";
import { validateSection } from "./validate";
import { writeSection } from "./write";

export interface ImportSchool {
  _id: Types.ObjectId;
  timezone: string;
  loadedResources: readonly string[];
}

export interface ImportOptions {
  /** false: record no events for this batch (`?notify=false`). */
  notify?: boolean;
  /** Where events go; without it they stay in the outbox (DomainEvent with no enqueuedAt). */
  events?: EventQueue;
  /** More items than this → ExchangeTooLargeError (the API's EXCHANGE_MAX_ITEMS). */
  maxItems?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface Counts {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface BundleCounts extends Counts {
  resources: Partial<Record<ExchangeResource, Counts>>;
}

const MAX_ROUNDS = 3;

const zero = (): Counts => ({ received: 0, created: 0, updated: 0, unchanged: 0, deleted: 0 });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkSize(count: number, maxItems: number | undefined): void {
  if (maxItems !== undefined && count > maxItems) {
    throw new ExchangeTooLargeError(`The batch has ${count} items; at most ${maxItems} are accepted in one request (EXCHANGE_MAX_ITEMS): split it into several batches`);
  }
}

/** `PUT /api/v1/<resource>` with `{"items": [...]}`. */
export async function importBatch(school: ImportSchool, resource: ExchangeResource, body: unknown, options: ImportOptions = {}): Promise<Counts> {
  if (!isObject(body) || !Array.isArray(body.items)) {
    throw new ExchangeInputError('The body must be a JSON object {"items": [...]}', [{ index: -1, path: "items", message: "must be an array of items" }]);
  }
  const extra = Object.keys(body).filter((key) => key !== "items");
  if (extra.length) throw new ExchangeInputError('The body must be a JSON object {"items": [...]}', extra.map((key) => ({ index: -1, path: key, message: `unknown field "${key}"` })));
  checkSize(body.items.length, options.maxItems);
  const result = await run(school, [{ resource, items: body.items, prefix: "items" }], options);
  return result.resources[resource] ?? zero();
}

/** Extension: several resources in one batch (`{"classes": [...], "students": [...]}`), validated together. */
export async function importBundle(school: ImportSchool, body: unknown, options: ImportOptions = {}): Promise<BundleCounts> {
  const shape = `The body must be a JSON object whose keys are resources (${EXCHANGE_RESOURCES.join(", ")}) and values arrays of items`;
  if (!isObject(body)) throw new ExchangeInputError(shape, [{ index: -1, path: "", message: "must be an object" }]);
  const errors: ItemError[] = Object.entries(body)
    .filter(([key, value]) => !(EXCHANGE_RESOURCES as readonly string[]).includes(key) || !Array.isArray(value))
    .map(([key, value]) => ({ index: -1, path: key, message: Array.isArray(value) ? `unknown resource "${key}"` : "must be an array of items" }));
  if (errors.length) throw new ExchangeInputError(shape, errors);
  const sections = Object.entries(body as Record<ExchangeResource, unknown[]>).map(([resource, items]) => ({ resource: resource as ExchangeResource, items, prefix: resource }));
  checkSize(sections.reduce((n, s) => n + s.items.length, 0), options.maxItems);
  return run(school, sections, options);
}

async function run(school: ImportSchool, input: Array<{ resource: ExchangeResource; items: unknown[]; prefix: string }>, options: ImportOptions): Promise<BundleCounts> {
  const validated = input.map((s) => ({ ...validateSection(s.resource, s.items, s.prefix), prefix: s.prefix, received: s.items.length }));
  const sections = validated.map((v) => ({ ...v.section, prefix: v.prefix, received: v.received }));
  const invalid = validated.flatMap((v) => v.errors);
  if (invalid.length) {
    // The valid items' references are checked too, so that one answer lists every problem.
    const more = await referenceErrors(school._id, sections).catch(() => []);
    throw ExchangeInputError.of([...invalid, ...more].sort((a, b) => a.index - b.index));
  }
  try {
    return await apply(school, sections, options);
  } catch (error) {
    if (error instanceof ExchangeInputError || error instanceof ExchangeUnavailableError) throw error;
    options.logger?.error({ err: { type: (error as Error).name, message: (error as Error).message }, schoolId: school._id.toHexString() }, "exchange import failed");
    throw new ExchangeUnavailableError((error as Error).message?.split("\n")[0] ?? String(error));
  }
}

type InputSection = Omit<LoadedSection, "existing"> & { received: number };

async function load(schoolId: Types.ObjectId, input: InputSection[]): Promise<LoadedSection[]> {
  return Promise.all(input.map(async (s) => ({ ...s, existing: await loadExisting(schoolId, s) })));
}

async function referenceErrors(schoolId: Types.ObjectId, input: InputSection[]): Promise<ItemError[]> {
  const sections = await load(schoolId, input);
  return [...(await resolveReferences(schoolId, sections)).errors, ...(await checkDeletions(schoolId, sections))];
}

async function apply(school: ImportSchool, input: InputSection[], options: ImportOptions): Promise<BundleCounts> {
  const now = options.now ?? (() => new Date());
  const schoolId = school._id;
  let sections = await load(schoolId, input);
  const { index, errors } = await resolveReferences(schoolId, sections);
  errors.push(...(await checkDeletions(schoolId, sections)));
  if (errors.length) throw ExchangeInputError.of(errors.sort((a, b) => a.index - b.index), "references");

  const counts = new Map(input.map((s) => [s.resource, { ...zero(), received: s.received }]));
  const silent = (resource: ExchangeResource) => options.notify === false || !school.loadedResources.includes(resource) || !producesEvents(resource);
  const eventIds: string[] = [];
  for (let round = 1; sections.some((s) => s.items.length); round++) {
    if (round > MAX_ROUNDS) throw new ExchangeUnavailableError("concurrent imports kept changing the same records", { shown: true });
    const plans = sections.map((s) => planSection(schoolId, s, index, school.timezone));
    eventIds.push(...(await recordPlanEvents(schoolId, plans.filter((p) => !silent(p.resource)), index, now())));
    const unsettled = await writePlans(schoolId, plans, counts, now());
    sections = await Promise.all(
      sections.map(async (s) => {
        const again = unsettled.get(s.resource);
        const items = again ? s.items.filter((i) => again.has(i.externalId)) : [];
        return { ...s, items, existing: items.length ? await loadExisting(schoolId, { ...s, items }) : new Map() };
      }),
    );
  }

  for (const c of counts.values()) c.unchanged = c.received - c.created - c.updated - c.deleted;
  const loaded = input.filter((s) => s.items.some((i) => !i.deleted)).map((s) => s.resource);
  if (loaded.some((r) => !school.loadedResources.includes(r))) await School.updateOne({ _id: schoolId }, { $addToSet: { loadedResources: { $each: loaded } } });
  if (options.events) {
    try {
      await enqueueEvents(options.events, schoolId, eventIds, now());
    } catch (error) {
      // The events are safe in the outbox; the next import of the school (or the notifier's sweep) enqueues them.
      options.logger?.error({ err: { message: (error as Error).message }, schoolId: schoolId.toHexString(), events: eventIds.length }, "could not enqueue exchange events");
    }
  }
  const total = zero();
  for (const c of counts.values()) for (const key of Object.keys(total) as Array<keyof Counts>) total[key] += c[key];
  return { ...total, resources: Object.fromEntries(counts) };
}

async function recordPlanEvents(schoolId: Types.ObjectId, plans: SectionPlan[], index: IdIndex, now: Date): Promise<string[]> {
  const names = namesFrom(index);
  const ids: string[] = [];
  for (const plan of plans) {
    const changes = [...plan.creates, ...plan.updates, ...plan.deletes];
    if (!changes.length) continue;
    await completeNames(schoolId, plan.resource, changes, names);
    const events = buildEvents(schoolId, plan.resource, changes, names, now);
    await recordEvents(events);
    ids.push(...events.map((e) => e.eventId as string));
  }
  return ids;
}

/** Upserts in dependency order, then deletions in reverse; returns what must be diffed again, by resource. */
async function writePlans(schoolId: Types.ObjectId, plans: SectionPlan[], counts: Map<ExchangeResource, Counts>, now: Date) {
  const byResource = new Map(plans.map((p) => [p.resource, p]));
  const unsettled = new Map<ExchangeResource, Set<string>>();
  const order = WRITE_ORDER.filter((r) => byResource.has(r));
  for (const phase of ["upserts", "deletes"] as const) {
    for (const resource of phase === "upserts" ? order : [...order].reverse()) {
      const written = await writeSection(schoolId, byResource.get(resource)!, now, phase);
      const c = counts.get(resource)!;
      c.created += written.created;
      c.updated += written.updated;
      c.deleted += written.deleted;
      if (written.unsettled.length) unsettled.set(resource, new Set(written.unsettled));
    }
  }
  return unsettled;
}
