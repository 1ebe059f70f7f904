/** Names of subjects, teachers and groups by id: one query per kind, whatever the number of ids. */
import mongoose, { type Types } from "mongoose";
import { Group, Subject, Teacher } from "../../db/models";

type Id = Types.ObjectId | null | undefined;

function unique(ids: Iterable<Id>): Types.ObjectId[] {
  const seen = new Map<string, Types.ObjectId>();
  for (const id of ids) if (id) seen.set(String(id), id);
  return [...seen.values()];
}

type Named = { _id: Types.ObjectId; name?: string; fullName?: string };

/** `known`: the school's names read with the account (StudentScope.reference); a query only for an id it lacks. */
async function namesOf(ids: Iterable<Id>, find: (ids: Types.ObjectId[]) => Promise<Named[]>, known?: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const wanted = unique(ids);
  if (wanted.length === 0) return new Map();
  if (known && wanted.every((id) => known.has(String(id)))) return new Map(wanted.map((id) => [String(id), known.get(String(id))!]));
  const docs = await find(wanted);
  return new Map(docs.map((d) => [String(d._id), d.name ?? d.fullName ?? ""]));
}

export const subjectNames = (ids: Iterable<Id>, known?: ReadonlyMap<string, string>) => namesOf(ids, (wanted) => Subject.find({ _id: { $in: wanted } }, { name: 1 }).lean(), known);
export const teacherNames = (ids: Iterable<Id>, known?: ReadonlyMap<string, string>) => namesOf(ids, (wanted) => Teacher.find({ _id: { $in: wanted } }, { fullName: 1 }).lean(), known);
export const groupNames = (ids: Iterable<Id>) => namesOf(ids, (wanted) => Group.find({ _id: { $in: wanted } }, { name: 1 }).lean());

/** A string id from a question or a button as an ObjectId (callers have checked its shape). */
export function objectId(id: string): Types.ObjectId {
  return new mongoose.Types.ObjectId(id);
}

/** Sorts by a Russian name (subjects, teachers). */
export function byName<T>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => name(a).localeCompare(name(b), "ru");
}
