/**
 * The audit log (`audit_log`): one entry per change of who may do what. Callers say who acted, on
 * what, and the state before and after as plain JSON of ids and values (no names, no contacts).
 */
import type { Types } from "mongoose";
import { AuditEntry, type AuditAction } from "../db/models";

export type AuditActor =
  | { kind: "account"; accountId: Types.ObjectId }
  /** School IT on the command line: the tool's name. */
  | { kind: "cli"; name: string }
  /** A scheduled job of the service: its name. */
  | { kind: "system"; name: string };

export interface AuditRecord {
  at: Date;
  schoolId?: Types.ObjectId;
  actor: AuditActor;
  action: AuditAction;
  target: { kind: "account" | "guardian" | "school" | "student"; id?: Types.ObjectId };
  /** The setting's dotted key (school settings). */
  key?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

/** Appends the entries (one round trip); nothing to write is no call at all. */
export async function recordAudit(entries: readonly AuditRecord[]): Promise<void> {
  if (!entries.length) return;
  await AuditEntry.insertMany(entries.map((e) => ({ ...e, before: e.before ?? null, after: e.after ?? null })), { ordered: true });
}
