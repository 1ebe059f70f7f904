import type { Schema } from "mongoose";

/**
 * Makes a collection append-only through mongoose: queries and documents may insert, never change
 * or remove (each attempt throws `message`). Only the raw driver (`Model.collection`) bypasses it:
 * do not use it for such collections.
 */
export function appendOnly(schema: Schema, message: string): void {
  const refuse = (): never => {
    throw new Error(message);
  };
  // Queries that would change or remove records (Model.updateOne, Query.deleteMany, ...).
  schema.pre(
    ["updateOne", "updateMany", "findOneAndUpdate", "replaceOne", "findOneAndReplace", "deleteOne", "deleteMany", "findOneAndDelete"],
    { document: false, query: true },
    refuse,
  );
  // The same through a document: doc.updateOne(), doc.deleteOne().
  schema.pre(["updateOne", "deleteOne"], { document: true, query: false }, refuse);
  // Saving a record that already exists (inserting a new one is the only way in).
  schema.pre("save", function () {
    if (!this.isNew) refuse();
  });
  // bulkWrite may only insert.
  schema.pre("bulkWrite", function (ops: Array<Record<string, unknown>>) {
    if (ops.some((op) => !("insertOne" in op))) refuse();
  });
}
