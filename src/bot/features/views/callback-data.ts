/**
 * Callback data of the views' buttons: `v:<view code>:<student id or ->:<mode>:<arg>`. It carries
 * ids and navigation only, never a permission: the student id is checked again on every press.
 */

import { isCalendarDay } from "../../../domain/time";

const ID_RE = /^[0-9a-f]{24}$/;
/** Modes and arguments: short words, days as YYYYMMDD, ids. Nothing else is accepted back. */
const PART_RE = /^[0-9a-z]{0,24}$/;

export interface ViewCallback {
  code: string;
  /** Absent: the child chosen last (or the only one). */
  studentId?: string;
  mode?: string;
  arg?: string;
}

export const VIEW_CALLBACK_RE = /^v:/;

export function encodeViewCallback({ code, studentId, mode, arg }: ViewCallback): string {
  const data = ["v", code, studentId ?? "-", mode ?? "", arg ?? ""].join(":").replace(/:+$/, "");
  if (Buffer.byteLength(data) > 64) throw new RangeError(`callback data over 64 bytes: ${data}`);
  return data;
}

/** Null for anything that is not well-formed (a forged or outdated button). */
export function decodeViewCallback(data: string): ViewCallback | null {
  const [prefix, code, student, mode = "", arg = "", ...rest] = data.split(":");
  if (prefix !== "v" || !code || student === undefined || rest.length > 0) return null;
  if (student !== "-" && !ID_RE.test(student)) return null;
  if (!PART_RE.test(code) || !PART_RE.test(mode) || !PART_RE.test(arg)) return null;
  return { code, ...(student !== "-" ? { studentId: student } : {}), ...(mode ? { mode } : {}), ...(arg ? { arg } : {}) };
}

export function isObjectIdText(value: string | undefined): value is string {
  return value !== undefined && ID_RE.test(value);
}

/** "2026-12-03" <-> "20261203" (days in buttons). */
export function compactDay(day: string): string {
  return day.replace(/-/g, "");
}

export function dayFromCompact(value: string | undefined): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})$/.exec(value) : null;
  const day = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
  return day && isCalendarDay(day) ? day : null;
}
