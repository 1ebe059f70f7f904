/**
 * References between journal records: every externalId an item refers to must name a stored record
 * of the school or an item of the same batch (bundle); a record still referred to cannot be deleted.
 * One query per referenced collection, whatever the batch size.
 */
import type { Types } from "mongoose";
import type { ExchangeResource } from "../../db/models";
import type { ItemError } from "./errors";
import { RESOURCES, referrersOf } from "./resources";
import { recordId, type Doc } from "./state";
import type { ValidatedSection } from "./validate";

/** A section with the stored documents of its items (by externalId). */
export interface LoadedSection extends ValidatedSection {
  existing: Map<string, Doc>;
  /** The error path prefix: "items", or the resource name in a bundle. */
  prefix: string;
}

/** resource → externalId → _id of every record the batch may refer to. */
export type IdIndex = Map<ExchangeResource, Map<string, Types.ObjectId>>;

export async function loadExisting(schoolId: Types.ObjectId, section: ValidatedSection): Promise<Map<string, Doc>> {
  const existing = new Map<string, Doc>();
  if (!section.items.length) return existing;
  const ids = section.items.map((i) => i.externalId);
  const docs = await RESOURCES[section.resource].model.collection.find({ schoolId, externalId: { $in: ids } }).toArray();
  for (const doc of docs) existing.set(doc.externalId as string, doc);
  return existing;
}

function indexOf(index: IdIndex, resource: ExchangeResource): Map<string, Types.ObjectId> {
  let ids = index.get(resource);
  if (!ids) index.set(resource, (ids = new Map()));
  return ids;
}

function referencedIds(item: Doc, field: string, many: boolean): string[] {
  const value = item[field];
  if (value === undefined) return [];
  return many ? (value as string[]) : [value as string];
}

export async function resolveReferences(schoolId: Types.ObjectId, sections: LoadedSection[]): Promise<{ index: IdIndex; errors: ItemError[] }> {
  const index: IdIndex = new Map();
  const deleting = new Map<ExchangeResource, Set<string>>();
  for (const section of sections) {
    const ids = indexOf(index, section.resource);
    const gone = new Set<string>();
    for (const { externalId, deleted } of section.items) {
      if (deleted) gone.add(externalId);
      else ids.set(externalId, (section.existing.get(externalId)?._id as Types.ObjectId | undefined) ?? recordId(schoolId, section.resource, externalId));
    }
    deleting.set(section.resource, gone);
  }

  const wanted = new Map<ExchangeResource, Set<string>>();
  for (const section of sections) {
    for (const ref of RESOURCES[section.resource].references) {
      for (const { item, deleted } of section.items) {
        if (deleted) continue;
        for (const id of referencedIds(item, ref.field, ref.many)) {
          if (index.get(ref.to)?.has(id) || deleting.get(ref.to)?.has(id)) continue;
          let set = wanted.get(ref.to);
          if (!set) wanted.set(ref.to, (set = new Set()));
          set.add(id);
        }
      }
    }
  }
  await Promise.all(
    [...wanted].map(async ([resource, ids]) => {
      const docs = await RESOURCES[resource].model.collection
        .find({ schoolId, externalId: { $in: [...ids] } }, { projection: { _id: 1, externalId: 1 } })
        .toArray();
      const known = indexOf(index, resource);
      for (const doc of docs) known.set(doc.externalId as string, doc._id as Types.ObjectId);
    }),
  );

  const errors: ItemError[] = [];
  for (const section of sections) {
    for (const ref of RESOURCES[section.resource].references) {
      const target = RESOURCES[ref.to];
      for (const { item, deleted, index: at } of section.items) {
        if (deleted) continue;
        referencedIds(item, ref.field, ref.many).forEach((id, position) => {
          if (index.get(ref.to)?.has(id)) return;
          const path = `${section.prefix}.${at}.${ref.field}${ref.many ? `.${position}` : ""}`;
          const message = deleting.get(ref.to)?.has(id)
            ? `refers to ${target.singular} "${id}", which this batch deletes`
            : `unknown ${target.singular} "${id}" (no ${ref.to} item with this externalId)`;
          errors.push({ index: at, path, message, ...(section.prefix !== "items" && { resource: section.resource }) });
        });
      }
    }
  }
  return { index, errors };
}

/**
 * A stored record that other stored records still refer to cannot be deleted: the answer names the
 * referring resource and how many there are. Records of the same bundle are judged by their new state.
 */
export async function checkDeletions(schoolId: Types.ObjectId, sections: LoadedSection[]): Promise<ItemError[]> {
  const inBundle = new Map(sections.map((s) => [s.resource, s.items.map((i) => i.externalId)]));
  const errors: ItemError[] = [];
  for (const section of sections) {
    const doomed = section.items.filter((i) => i.deleted && section.existing.has(i.externalId));
    if (!doomed.length) continue;
    const idToItem = new Map(doomed.map((i) => [String(section.existing.get(i.externalId)!._id), i]));
    const ids = doomed.map((i) => section.existing.get(i.externalId)!._id);
    const uses = new Map<string, string[]>();
    for (const { resource, reference } of referrersOf(section.resource)) {
      const match = { schoolId, [reference.field]: { $in: ids }, externalId: { $exists: true, $nin: inBundle.get(resource) ?? [] } };
      const pipeline = [
        { $match: match },
        ...(reference.many ? [{ $unwind: `$${reference.field}` }, { $match: { [reference.field]: { $in: ids } } }] : []),
        { $group: { _id: `$${reference.field}`, n: { $sum: 1 } } },
      ];
      const counts = await RESOURCES[resource].model.collection.aggregate(pipeline).toArray();
      for (const { _id, n } of counts) {
        const list = uses.get(String(_id)) ?? [];
        list.push(`${n} ${resource} (${reference.field})`);
        uses.set(String(_id), list);
      }
    }
    for (const [id, list] of uses) {
      const item = idToItem.get(id)!;
      errors.push({
        index: item.index,
        path: `${section.prefix}.${item.index}`,
        message: `cannot delete ${RESOURCES[section.resource].singular} "${item.externalId}": still referred to by ${list.join(", ")}; change or delete those first`,
        ...(section.prefix !== "items" && { resource: section.resource }),
      });
    }
  }
  return errors.sort((a, b) => a.index - b.index);
}
