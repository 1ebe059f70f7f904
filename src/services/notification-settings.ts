/**
 * A person's notification settings (their account's, for all their children): grade alerts at once,
 * in the daily digest or off; the forecast, timetable changes, tests and the homework digest on or
 * off; quiet hours (the school's, a preset, or none). Finals and exam results are not switchable
 * (regulation 6). The bot's /settings and the web cabinet's settings page both change them here.
 */
import type { Types } from "mongoose";
import { Account, GRADE_NOTIFY_MODES, Guardian, School, type AccountDocument, type GradeNotifyMode } from "../db/models";
import { guardianIdsOf } from "./contacts";
import { DEFAULT_QUIET_HOURS, type QuietHours } from "./notify/quiet-hours";

export const NOTIFY_TOGGLES = ["forecast", "timetable", "assessments", "homeworkDigest", "weeklyDigest"] as const;
export type NotifyToggle = (typeof NOTIFY_TOGGLES)[number];

/** Quiet-hour choices; null = the school's. Equal start and end = none. */
export const QUIET_PRESETS: Array<QuietHours | null> = [null, { start: "22:00", end: "07:00" }, { start: "23:00", end: "07:00" }, { start: "20:00", end: "09:00" }, { start: "00:00", end: "00:00" }];

export interface NotificationSettings {
  accountId: Types.ObjectId;
  grades: GradeNotifyMode;
  toggles: Record<NotifyToggle, boolean>;
  /** The person's own quiet hours, or null for the school's. */
  quietHours: QuietHours | null;
  /** The school's quiet hours (of the person's first school), shown as the default. */
  schoolQuietHours: QuietHours;
}

export const sameQuietHours = (a: QuietHours | null | undefined, b: QuietHours | null): boolean =>
  !a?.start ? b === null : !!b && a.start === b.start && a.end === b.end;

/** The index of the preset the settings match (0, the school's, when none matches). */
export function quietPresetOf(quiet: QuietHours | null): number {
  return Math.max(0, QUIET_PRESETS.findIndex((p) => sameQuietHours(quiet, p)));
}

export function nextGradeMode(mode: GradeNotifyMode): GradeNotifyMode {
  return GRADE_NOTIFY_MODES[(GRADE_NOTIFY_MODES.indexOf(mode) + 1) % GRADE_NOTIFY_MODES.length];
}

/** The settings as stored now, or null when the account is no guardian anywhere (nothing to notify about). */
export async function notificationSettingsOf(account: Pick<AccountDocument, "_id" | "roles">): Promise<NotificationSettings | null> {
  const ids = await guardianIdsOf(account as AccountDocument);
  const guardian = ids.length ? await Guardian.findById(ids[0], { schoolId: 1 }).lean() : null;
  if (!guardian) return null;
  const [fresh, school] = await Promise.all([Account.findById(account._id, { notify: 1 }).lean(), School.findById(guardian.schoolId, { settings: 1 }).lean()]);
  if (!fresh) return null;
  const n = fresh.notify;
  const quiet = n.quietHours?.start && n.quietHours.end ? { start: n.quietHours.start, end: n.quietHours.end } : null;
  return {
    accountId: fresh._id,
    grades: n.grades,
    toggles: { forecast: n.forecast, timetable: n.timetable, assessments: n.assessments, homeworkDigest: n.homeworkDigest, weeklyDigest: n.weeklyDigest !== false },
    quietHours: quiet,
    schoolQuietHours: school?.settings.quietHours?.start ? { start: school.settings.quietHours.start, end: school.settings.quietHours.end! } : DEFAULT_QUIET_HOURS,
  };
}

export interface NotificationChange {
  grades?: GradeNotifyMode;
  toggles?: Partial<Record<NotifyToggle, boolean>>;
  /** An index into QUIET_PRESETS. */
  quietPreset?: number;
}

/** Stores a change; false when it names a mode or preset that does not exist (nothing is stored then). */
export async function changeNotifications(accountId: Types.ObjectId, change: NotificationChange): Promise<boolean> {
  const set: Record<string, unknown> = {};
  const unset: Record<string, 1> = {};
  if (change.grades !== undefined) {
    if (!GRADE_NOTIFY_MODES.includes(change.grades)) return false;
    set["notify.grades"] = change.grades;
  }
  for (const [key, value] of Object.entries(change.toggles ?? {})) {
    if (!(NOTIFY_TOGGLES as readonly string[]).includes(key) || typeof value !== "boolean") return false;
    set[`notify.${key}`] = value;
  }
  if (change.quietPreset !== undefined) {
    if (!Number.isInteger(change.quietPreset) || change.quietPreset < 0 || change.quietPreset >= QUIET_PRESETS.length) return false;
    const preset = QUIET_PRESETS[change.quietPreset];
    if (preset) set["notify.quietHours"] = preset;
    else unset["notify.quietHours"] = 1;
  }
  const update = { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) };
  if (Object.keys(update).length) await Account.updateOne({ _id: accountId }, update);
  return true;
}
