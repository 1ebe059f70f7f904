/**
 * The first step of an import, before any database access: every item of a section checked against
 * its resource's schema, with every problem reported by index and path.
 */
import type { z } from "zod";
import type { ExchangeResource } from "../../db/models";
import { ITEM_SCHEMAS } from "../../api/schemas";
import type { ItemError } from "./errors";
import type { Doc } from "./state";

export interface ValidItem {
  index: number;
  externalId: string;
  deleted: boolean;
  /** The parsed item (trimmed strings, null → undefined). */
  item: Doc;
}

export interface ValidatedSection {
  resource: ExchangeResource;
  items: ValidItem[];
}

const MAX_DEPTH = 8;

/** Keys MongoDB would read as operators or paths are refused wherever they appear. */
function unsafeKeys(value: unknown, path: string, depth: number, out: Array<{ path: string; message: string }>): void {
  if (depth > MAX_DEPTH) {
    out.push({ path, message: "is nested too deeply" });
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => unsafeKeys(v, `${path}.${i}`, depth + 1, out));
  else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith("$") || key.includes(".")) out.push({ path: `${path}.${key}`, message: `key "${key}" is not allowed (keys must not start with "$" or contain ".")` });
      else unsafeKeys(v, `${path}.${key}`, depth + 1, out);
    }
  }
}

function valueAt(item: unknown, path: PropertyKey[]): unknown {
  let node = item;
  for (const key of path) node = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

function issueErrors(issue: z.core.$ZodIssue, raw: unknown, base: string, index: number, fields: string[]): Array<Omit<ItemError, "index"> & { index: number }> {
  const at = (path: PropertyKey[]) => [base, ...path.map(String)].join(".");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      index,
      path: at([...issue.path, key]),
      message: issue.path.length ? `unknown field "${key}"` : `unknown field "${key}" (the fields are: externalId, ${fields.join(", ")}, deleted)`,
    }));
  }
  const missing = issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined;
  return [{ index, path: at(issue.path), message: missing ? "is required" : issue.message }];
}

/** Validates one section's items; `prefix` is "items" for a single resource, the resource name in a bundle. */
export function validateSection(resource: ExchangeResource, items: unknown[], prefix: string): { section: ValidatedSection; errors: ItemError[] } {
  const schemas = ITEM_SCHEMAS[resource];
  const valid: ValidItem[] = [];
  const errors: ItemError[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((raw, index) => {
    const base = `${prefix}.${index}`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push({ index, path: base, message: "must be an object" });
      return;
    }
    const unsafe: Array<{ path: string; message: string }> = [];
    unsafeKeys(raw, base, 0, unsafe);
    if (unsafe.length) {
      errors.push(...unsafe.map((e) => ({ index, ...e })));
      return;
    }
    const deleted = (raw as Doc).deleted === true;
    const parsed = (deleted ? schemas.deletion : schemas.upsert).safeParse(raw);
    if (!parsed.success) {
      errors.push(...parsed.error.issues.flatMap((issue) => issueErrors(issue, raw, base, index, schemas.fields)));
      return;
    }
    const externalId = parsed.data.externalId as string;
    const earlier = firstIndex.get(externalId);
    if (earlier !== undefined) {
      errors.push({ index, path: `${base}.externalId`, message: `"${externalId}" appears more than once in this batch (also at ${prefix}.${earlier})` });
      return;
    }
    firstIndex.set(externalId, index);
    valid.push({ index, externalId, deleted, item: parsed.data });
  });
  if (prefix !== "items") for (const error of errors) error.resource = resource;
  return { section: { resource, items: valid }, errors };
}
