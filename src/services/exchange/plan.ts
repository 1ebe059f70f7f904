/** The diff of a section against the stored documents: what to create, update and delete, and what is unchanged. */
import type { Types } from "mongoose";
import type { ExchangeResource } from "../../db/models";
import type { IdIndex, LoadedSection } from "./references";
import { RESOURCES, toState } from "./resources";
import { changedFields, recordId, type Doc } from "./state";

export interface Change {
  kind: "created" | "updated" | "deleted";
  externalId: string;
  id: Types.ObjectId;
  /** The stored document before the change (updates, deletions). */
  before?: Doc;
  /** The managed fields after the change (creations, updates). */
  after?: Doc;
  /** Fields that differ (updates). */
  changed: string[];
}

export interface SectionPlan {
  resource: ExchangeResource;
  creates: Change[];
  updates: Change[];
  deletes: Change[];
  unchanged: number;
}

export function planSection(schoolId: Types.ObjectId, section: LoadedSection, index: IdIndex, timezone: string): SectionPlan {
  const def = RESOURCES[section.resource];
  const plan: SectionPlan = { resource: section.resource, creates: [], updates: [], deletes: [], unchanged: 0 };
  const idOf = (resource: ExchangeResource, externalId: string) => index.get(resource)!.get(externalId)!;
  for (const { externalId, deleted, item } of section.items) {
    const existing = section.existing.get(externalId);
    if (deleted) {
      if (existing) plan.deletes.push({ kind: "deleted", externalId, id: existing._id as Types.ObjectId, before: existing, changed: [] });
      else plan.unchanged++;
      continue;
    }
    const after = toState(def, item, { idOf, timezone, existing });
    if (!existing) {
      plan.creates.push({ kind: "created", externalId, id: recordId(schoolId, section.resource, externalId), after, changed: Object.keys(after) });
      continue;
    }
    const changed = changedFields(after, existing);
    if (changed.length) plan.updates.push({ kind: "updated", externalId, id: existing._id as Types.ObjectId, before: existing, after, changed });
    else plan.unchanged++;
  }
  return plan;
}
