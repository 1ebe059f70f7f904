/**
 * A school's settings (issue 13): read them, change a set of them all or nothing, and keep the
 * audit log of every change — the same for the console's settings page and `school:settings`.
 *
 * A change is one single-document update of the school guarded by its `updatedAt` (a concurrent
 * change makes us read again and re-plan, up to three times), then one audit entry per changed key
 * (`school.setting-changed`, before and after). When something the consent text quotes changed (the
 * school's name or address, the operator's details, the school's own terms), `settings.consentRevision`
 * goes up in the same update: the text has a new version, so consents given in the bot to the older
 * one are "outdated" and the bot asks each guardian again before their next data view (paper and
 * e-document consents stay valid: docs/decisions.md). That version change is an audit entry too
 * (key `consent.version`).
 */
import { Types } from "mongoose";
import { AuditEntry, ConsentRecord, School } from "../db/models";
import { consentVersionOf } from "../domain/consent";
import {
  planSettingsChange,
  readSettings,
  settingSpec,
  type SettingChange,
  type SettingError,
  type SettingsValues,
} from "../domain/school-settings";
import { recordAudit, type AuditActor } from "./audit";
import { consentSchoolOf, type ConsentSchool } from "./consent";
import { SchoolNotFoundError } from "./schools";

export interface SchoolSettingsView {
  schoolId: string;
  /** The version the consent text gets with the next change of what it quotes. */
  nextConsentVersion: string;
  /** Every setting by its dotted key (null: not set). */
  values: SettingsValues;
  /** The consent text's version in force ("2026-12", "2026-12.1" after the school's first change). */
  consentVersion: string;
  timezone: string;
}

/** A concurrent writer kept changing the school: try again. */
export class SettingsBusyError extends Error {
  constructor() {
    super("the school's settings are being changed by someone else: try again");
  }
}

async function loadSchool(schoolId: string | Types.ObjectId) {
  const school = Types.ObjectId.isValid(String(schoolId)) ? await School.findById(schoolId) : null;
  if (!school) throw new SchoolNotFoundError(String(schoolId));
  return school;
}

function viewOf(school: Awaited<ReturnType<typeof loadSchool>>): SchoolSettingsView {
  // A document (not lean): the model's defaults fill what an older record lacks.
  const plain = school.toObject();
  const next = { settings: { ...plain.settings, consentRevision: (plain.settings.consentRevision ?? 0) + 1 } };
  return { schoolId: String(school._id), values: readSettings(plain), consentVersion: consentVersionOf(plain), nextConsentVersion: consentVersionOf(next), timezone: plain.timezone };
}

export async function schoolSettings(schoolId: string | Types.ObjectId): Promise<SchoolSettingsView> {
  return viewOf(await loadSchool(schoolId));
}

export type SettingsChangeResult =
  | { status: "invalid"; errors: SettingError[] }
  | { status: "applied"; changes: SettingChange[]; consentVersion: { before: string; after: string } | null; view: SchoolSettingsView };

export interface SettingsChangeInput {
  schoolId: string | Types.ObjectId;
  /** `[key, value as typed]`, in order; a key given twice is an error. */
  given: ReadonlyArray<readonly [string, string]>;
  actor: AuditActor;
  now: Date;
}

/** The update for these changes: `$set` the values, `$unset` what became empty. */
function updateOf(changes: readonly SettingChange[]): { $set: Record<string, unknown>; $unset: Record<string, 1> } {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const change of changes) {
    const path = settingSpec(change.key)!.path;
    if (change.after === null) $unset[path] = 1;
    else $set[path] = change.after;
  }
  return { $set, $unset };
}

/**
 * Applies the given values if every one is valid (else nothing is written and every error is
 * returned, each naming its key). Values equal to the current ones change nothing and are not logged.
 */
export async function changeSchoolSettings(input: SettingsChangeInput): Promise<SettingsChangeResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const school = await loadSchool(input.schoolId);
    const before = viewOf(school);
    const plan = planSettingsChange(before.values, input.given);
    if (!plan.ok) return { status: "invalid", errors: plan.errors };
    if (!plan.changes.length) return { status: "applied", changes: [], consentVersion: null, view: before };

    const { $set, $unset } = updateOf(plan.changes);
    // updatedAt is the guard: it must move even when the clock says the same instant as the last write.
    const stamp = school.get("updatedAt") as Date | undefined;
    const updatedAt = new Date(Math.max(input.now.getTime(), (stamp?.getTime() ?? 0) + 1));
    const update: Record<string, unknown> = { $set: { ...$set, updatedAt } };
    if (Object.keys($unset).length) update.$unset = $unset;
    if (plan.consentChanged) update.$inc = { "settings.consentRevision": 1 };
    const written = await School.updateOne({ _id: school._id, updatedAt: stamp ?? { $exists: false } }, update, { runValidators: true, timestamps: false });
    if (written.matchedCount === 0) continue;

    const after = viewOf(await loadSchool(school._id));
    const consentVersion = plan.consentChanged ? { before: before.consentVersion, after: after.consentVersion } : null;
    const common = { at: input.now, schoolId: school._id, actor: input.actor, action: "school.setting-changed" as const, target: { kind: "school" as const, id: school._id } };
    await recordAudit([
      ...plan.changes.map((c) => ({ ...common, key: c.key, before: c.before, after: c.after })),
      ...(consentVersion ? [{ ...common, key: "consent.version", before: consentVersion.before, after: consentVersion.after }] : []),
    ]);
    return { status: "applied", changes: plan.changes, consentVersion, view: after };
  }
  throw new SettingsBusyError();
}

/**
 * The consent as guardians would see it with these values (the settings page's preview): the version
 * is the next one when something the text quotes differs from what is stored.
 */
export function consentPreviewSchool(view: SchoolSettingsView, values: SettingsValues): ConsentSchool {
  const text = (key: string) => (typeof values[key] === "string" ? (values[key] as string) : null);
  const quoted = planQuotes(view.values, values);
  const school = consentSchoolOf({
    _id: new Types.ObjectId(view.schoolId),
    name: text("name") ?? "",
    address: text("address"),
    operator: { name: text("operator.name"), inn: text("operator.inn"), ogrn: text("operator.ogrn"), responsible: text("operator.responsible"), contact: text("operator.contact") },
    settings: { consentText: text("consent.text") },
  });
  return { ...school, version: quoted ? view.nextConsentVersion : view.consentVersion };
}

/** Whether anything the consent text quotes differs between two sets of values. */
function planQuotes(before: SettingsValues, after: SettingsValues): boolean {
  return Object.keys(after).some((key) => settingSpec(key)?.consent && (before[key] ?? null) !== (after[key] ?? null));
}

/**
 * How many accounts a new consent version would ask again: those whose decision in force in the
 * school is a consent given in a messenger (Telegram, MAX) to the current version. Written consents
 * stay valid whatever the version (src/domain/consent.ts).
 */
export async function consentsToRenew(schoolId: Types.ObjectId, version: string): Promise<number> {
  const latest = await ConsentRecord.aggregate<{ decision: string; form: string; textVersion: string }>([
    { $match: { schoolId, accountId: { $type: "objectId" } } },
    { $sort: { recordedAt: -1, _id: -1 } },
    { $group: { _id: "$accountId", decision: { $first: "$decision" }, form: { $first: "$form" }, textVersion: { $first: "$textVersion" } } },
  ]);
  return latest.filter((r) => r.decision === "granted" && (r.form === "telegram" || r.form === "max") && r.textVersion === version).length;
}

export interface AuditLogEntry {
  id: string;
  at: Date;
  action: string;
  key: string | null;
  before: unknown;
  after: unknown;
  actor: { kind: string; accountId?: string; name?: string };
  reason: string | null;
}

/** A page of the school's audit log, newest first (every action, not only settings). */
export async function auditLogPage(schoolId: Types.ObjectId, page: number, perPage = 50): Promise<{ entries: AuditLogEntry[]; total: number; page: number; pages: number }> {
  const total = await AuditEntry.countDocuments({ schoolId });
  const pages = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const docs = await AuditEntry.find({ schoolId }).sort({ at: -1, _id: -1 }).skip((current - 1) * perPage).limit(perPage).lean();
  const entries = docs.map((d) => ({
    id: String(d._id),
    at: d.at,
    action: d.action,
    key: d.key ?? null,
    before: d.before ?? null,
    after: d.after ?? null,
    actor: { kind: d.actor.kind, ...(d.actor.accountId ? { accountId: String(d.actor.accountId) } : {}), ...(d.actor.name ? { name: d.actor.name } : {}) },
    reason: d.reason ?? null,
  }));
  return { entries, total, page: current, pages };
}
