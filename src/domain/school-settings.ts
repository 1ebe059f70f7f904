/**
 * A school's settings as its admins change them (the console's settings page, `school:settings`):
 * every rule the code reads from the school record and `School.settings`, each under a dotted key
 * with its topic, its type, how a string (a form field, a CLI `key=value`) becomes its value, and
 * what makes it invalid. Pure: the service (src/services/school-settings.ts) reads the school, asks
 * `planSettingsChange` and writes what it returns, all or nothing.
 *
 * Texts: the meaning of key `k` is `console:settings.keys.<k>` (with `.hint`), an error's
 * `console:settings.errors.<code>`; `settingErrorText` gives the CLI's English line.
 */

/** The school's own consent terms at most (characters). */
export const CONSENT_TEXT_MAX = 4000;

/** The settings page's topics, in order. */
export const SETTING_GROUPS = ["school", "operator", "consent", "time", "forecast", "grading", "paper", "channels", "data"] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

export type SettingKind =
  | { type: "text"; required: boolean; max: number; multiline?: boolean }
  | { type: "digits"; lengths: readonly number[] }
  | { type: "timezone" }
  | { type: "time" }
  | { type: "weekday" }
  | { type: "int"; min: number; max: number }
  /** A number with at most two decimals (thresholds). */
  | { type: "decimal"; min: number; max: number }
  | { type: "bool" }
  | { type: "choice"; options: readonly string[] }
  /** Work type → weight 1..10 (`контрольная: 3, самостоятельная: 2`). */
  | { type: "weights" };

export interface SettingSpec {
  key: string;
  group: SettingGroup;
  kind: SettingKind;
  /** Where it lives in the school record (dotted). */
  path: string;
  /** The value is quoted in the consent text: changing it gives the consent a new version. */
  consent?: boolean;
}

export type WorkTypeWeights = Record<string, number>;
export type SettingValue = string | number | boolean | WorkTypeWeights | null;
export type SettingsValues = Record<string, SettingValue>;

const text = (required: boolean, max: number, multiline = false): SettingKind => ({ type: "text", required, max, multiline });
const int = (min: number, max: number): SettingKind => ({ type: "int", min, max });
const time: SettingKind = { type: "time" };
const weekday: SettingKind = { type: "weekday" };
const bool: SettingKind = { type: "bool" };
const s = (key: string, group: SettingGroup, kind: SettingKind, extra: Partial<SettingSpec> = {}): SettingSpec => ({ key, group, kind, path: `settings.${key}`, ...extra });

/** Every setting, in the order of the settings page. Limits are the model's (src/db/models/school.ts). */
export const SCHOOL_SETTINGS: readonly SettingSpec[] = [
  s("name", "school", text(true, 300), { path: "name", consent: true }),
  s("address", "school", text(false, 500), { path: "address", consent: true }),
  s("operator.name", "operator", text(false, 300), { path: "operator.name", consent: true }),
  s("operator.inn", "operator", { type: "digits", lengths: [10, 12] }, { path: "operator.inn", consent: true }),
  s("operator.ogrn", "operator", { type: "digits", lengths: [13, 15] }, { path: "operator.ogrn", consent: true }),
  s("operator.responsible", "operator", text(false, 300), { path: "operator.responsible", consent: true }),
  s("operator.contact", "operator", text(false, 200), { path: "operator.contact", consent: true }),
  s("consent.text", "consent", text(false, CONSENT_TEXT_MAX, true), { path: "settings.consentText", consent: true }),
  s("timezone", "time", { type: "timezone" }, { path: "timezone" }),
  s("quietHours.start", "time", time),
  s("quietHours.end", "time", time),
  s("digestTime", "time", time),
  s("forecastSchedule.enabled", "forecast", bool),
  s("forecastSchedule.weeklyDay", "forecast", weekday),
  s("forecastSchedule.weeklyTime", "forecast", time),
  s("forecastSchedule.dailyLastDays", "forecast", int(0, 60)),
  s("weeklyDigest.enabled", "forecast", bool),
  s("weeklyDigest.weekday", "forecast", weekday),
  s("weeklyDigest.time", "forecast", time),
  s("periodEndWarningDays", "forecast", int(0, 60)),
  s("periodKind", "grading", { type: "choice", options: ["quarter", "trimester", "half"] }),
  s("sixDayWeek", "grading", bool),
  s("thresholds.five", "grading", { type: "decimal", min: 1, max: 5 }),
  s("thresholds.four", "grading", { type: "decimal", min: 1, max: 5 }),
  s("thresholds.three", "grading", { type: "decimal", min: 1, max: 5 }),
  s("minGrades", "grading", int(0, 100)),
  s("workTypeWeights", "grading", { type: "weights" }),
  s("printoutSchedule.weekday", "paper", weekday),
  s("printoutSchedule.time", "paper", time),
  s("dailySlipTime", "paper", time),
  s("nonResponderDays", "paper", int(1, 365)),
  s("finalsDeliveryLimitHours", "channels", int(1, 24)),
  s("sms.forecasts", "channels", bool),
  s("sms.recommendations", "channels", bool),
  s("sms.maxParts", "channels", int(1, 6)),
  s("retentionDays", "data", int(1, 365)),
  s("codeTtlDays", "data", int(1, 365)),
];

const BY_KEY = new Map(SCHOOL_SETTINGS.map((spec) => [spec.key, spec]));

export function settingSpec(key: string): SettingSpec | undefined {
  return BY_KEY.get(key);
}

export type SettingErrorCode =
  | "unknown" | "required" | "tooLong" | "digits" | "timezone" | "time" | "weekday" | "int" | "decimal" | "range" | "bool" | "choice"
  | "weights" | "thresholdsOrder" | "repeated";

/** Why a value was refused; `key` names the setting, `value` is what was given. */
export interface SettingError {
  key: string;
  code: SettingErrorCode;
  value?: string;
  params?: Record<string, string | number>;
}

export type Parsed = { ok: true; value: SettingValue } | { ok: false; error: SettingError };

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
/** A work type as a Map key: not empty, no "." or "$" (MongoDB keys), at most 100 characters. */
const WORK_TYPE_RE = /^[^.$]{1,100}$/;
const TRUE = new Set(["true", "yes", "on", "1", "да", "вкл"]);
const FALSE = new Set(["false", "no", "off", "0", "нет", "выкл"]);

/** The IANA name as the runtime spells it ("europe/moscow" → "Europe/Moscow"), or null. */
export function canonicalTimeZone(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isTimeZone(value: string): boolean {
  return canonicalTimeZone(value) !== null;
}

/** "7" and "7:30" are times too: written as HH:mm. */
function parseTime(raw: string): string | null {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(raw);
  if (!m) return null;
  const value = `${m[1].padStart(2, "0")}:${m[2] ?? "00"}`;
  return TIME_RE.test(value) ? value : null;
}

function parseNumber(raw: string, decimals: number): number | null {
  const normal = raw.replace(",", ".");
  const re = decimals ? new RegExp(`^-?\\d+(\\.\\d{1,${decimals}})?$`) : /^-?\d+$/;
  return re.test(normal) ? Number(normal) : null;
}

/** `контрольная: 3, самостоятельная: 2` (commas, semicolons or lines; `=` works as `:`); empty: none. */
export function parseWeights(raw: string): WorkTypeWeights | null {
  const weights: WorkTypeWeights = {};
  for (const part of raw.split(/[,;\n]/)) {
    if (!part.trim()) continue;
    const m = /^(.+?)\s*[:=]\s*(\d+)$/.exec(part.trim());
    if (!m) return null;
    const workType = m[1].trim().toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ");
    const weight = Number(m[2]);
    if (!WORK_TYPE_RE.test(workType) || weight < 1 || weight > 10 || workType in weights) return null;
    weights[workType] = weight;
  }
  return weights;
}

/** A value from a string (a form field, the CLI's `key=value`), checked against the setting's type. */
export function parseSetting(key: string, raw: string): Parsed {
  const spec = settingSpec(key);
  if (!spec) return { ok: false, error: { key, code: "unknown" } };
  const value = raw.trim();
  const fail = (code: SettingErrorCode, params?: SettingError["params"]): Parsed => ({ ok: false, error: { key, code, value: raw, ...(params ? { params } : {}) } });
  const kind = spec.kind;
  switch (kind.type) {
    case "text": {
      const normal = kind.multiline ? raw.replace(/\r\n?/g, "\n").trim() : value.replace(/\s+/g, " ");
      if (!normal) return kind.required ? fail("required") : { ok: true, value: null };
      return normal.length > kind.max ? fail("tooLong", { max: kind.max }) : { ok: true, value: normal };
    }
    case "digits": {
      if (!value) return { ok: true, value: null };
      return /^\d+$/.test(value) && kind.lengths.includes(value.length) ? { ok: true, value } : fail("digits", { lengths: kind.lengths.join(" / ") });
    }
    case "timezone": {
      const zone = canonicalTimeZone(value);
      return zone ? { ok: true, value: zone } : fail("timezone");
    }
    case "time": {
      const t = parseTime(value);
      return t ? { ok: true, value: t } : fail("time");
    }
    case "weekday": {
      const n = parseNumber(value, 0);
      return n !== null && n >= 1 && n <= 7 ? { ok: true, value: n } : fail("weekday");
    }
    case "int": {
      const n = parseNumber(value, 0);
      if (n === null) return fail("int");
      return n >= kind.min && n <= kind.max ? { ok: true, value: n } : fail("range", { min: kind.min, max: kind.max });
    }
    case "decimal": {
      const n = parseNumber(value, 2);
      if (n === null) return fail("decimal");
      return n >= kind.min && n <= kind.max ? { ok: true, value: n } : fail("range", { min: kind.min, max: kind.max });
    }
    case "bool": {
      const lower = value.toLowerCase();
      return TRUE.has(lower) ? { ok: true, value: true } : FALSE.has(lower) ? { ok: true, value: false } : fail("bool");
    }
    case "choice":
      return kind.options.includes(value) ? { ok: true, value } : fail("choice", { options: kind.options.join(", ") });
    case "weights": {
      const weights = parseWeights(raw);
      return weights ? { ok: true, value: weights } : fail("weights");
    }
  }
}

/** The value as a string that `parseSetting` reads back (forms, the CLI's text output). */
export function formatSetting(value: SettingValue | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    return Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b, "ru"))
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  }
  return String(value);
}

function get(record: unknown, path: string): unknown {
  let at: unknown = record;
  for (const part of path.split(".")) {
    if (at === null || at === undefined) return undefined;
    at = at instanceof Map ? at.get(part) : (at as Record<string, unknown>)[part];
  }
  return at;
}

/** The current values of every setting from a school record (a plain object or a document). */
export function readSettings(school: unknown): SettingsValues {
  const values: SettingsValues = {};
  for (const spec of SCHOOL_SETTINGS) {
    const raw = get(school, spec.path);
    if (spec.kind.type === "weights") {
      const entries = raw instanceof Map ? [...raw.entries()] : raw && typeof raw === "object" ? Object.entries(raw) : [];
      values[spec.key] = Object.fromEntries(entries.filter(([, v]) => typeof v === "number")) as WorkTypeWeights;
    } else values[spec.key] = raw === undefined || raw === "" ? null : (raw as SettingValue);
  }
  return values;
}

export function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
  }
  return (a ?? null) === (b ?? null);
}

/** Rules between settings, on the values as they would be: thresholds five > four > three. */
export function crossCheck(values: SettingsValues, changed: ReadonlySet<string>): SettingError[] {
  const five = Number(values["thresholds.five"]);
  const four = Number(values["thresholds.four"]);
  const three = Number(values["thresholds.three"]);
  if (five > four && four > three) return [];
  const key = ["thresholds.five", "thresholds.four", "thresholds.three"].find((k) => changed.has(k)) ?? "thresholds.five";
  return [{ key, code: "thresholdsOrder", params: { five, four, three } }];
}

export interface SettingChange {
  key: string;
  before: SettingValue;
  after: SettingValue;
}

export type SettingsPlan =
  | { ok: true; changes: SettingChange[]; values: SettingsValues; consentChanged: boolean }
  | { ok: false; errors: SettingError[] };

/**
 * What a set of `key=value` strings would change: every error at once (each naming its key), or the
 * changes against `current` (values equal to the current ones are no change) and the values after.
 */
export function planSettingsChange(current: SettingsValues, given: ReadonlyArray<readonly [string, string]>): SettingsPlan {
  const errors: SettingError[] = [];
  const values: SettingsValues = { ...current };
  const seen = new Set<string>();
  for (const [key, raw] of given) {
    if (seen.has(key) && settingSpec(key)) {
      errors.push({ key, code: "repeated" });
      continue;
    }
    seen.add(key);
    const parsed = parseSetting(key, raw);
    if (!parsed.ok) errors.push(parsed.error);
    else values[key] = parsed.value;
  }
  const changes = SCHOOL_SETTINGS.filter((spec) => seen.has(spec.key) && !sameValue(current[spec.key], values[spec.key])).map((spec) => ({
    key: spec.key,
    before: current[spec.key] ?? null,
    after: values[spec.key] ?? null,
  }));
  if (!errors.length) errors.push(...crossCheck(values, new Set(changes.map((c) => c.key))));
  if (errors.length) return { ok: false, errors };
  return { ok: true, changes, values, consentChanged: changes.some((c) => settingSpec(c.key)?.consent) };
}

/** `key=value` from the command line: the first "=" splits (a value may contain more). */
export function splitAssignment(arg: string): readonly [string, string] | null {
  const at = arg.indexOf("=");
  return at > 0 ? [arg.slice(0, at).trim(), arg.slice(at + 1)] : null;
}

const ENGLISH: Record<SettingErrorCode, (e: SettingError) => string> = {
  unknown: () => "unknown setting",
  required: () => "must not be empty",
  tooLong: (e) => `longer than ${e.params?.max} characters`,
  digits: (e) => `must be ${e.params?.lengths} digits`,
  timezone: () => "is not an IANA time zone (such as Europe/Moscow)",
  time: () => "is not a time HH:mm",
  weekday: () => "must be a weekday number 1 (Monday) .. 7 (Sunday)",
  int: () => "must be a whole number",
  decimal: () => "must be a number with at most two decimals",
  range: (e) => `must be between ${e.params?.min} and ${e.params?.max}`,
  bool: () => "must be true or false",
  choice: (e) => `must be one of ${e.params?.options}`,
  weights: () => "must be a list such as 'контрольная: 3, самостоятельная: 2' (weights 1..10, each work type once)",
  thresholdsOrder: (e) => `thresholds must satisfy five > four > three (now ${e.params?.five} > ${e.params?.four} > ${e.params?.three})`,
  repeated: () => "given more than once",
};

/** One line for the command line: `quietHours.start: "25:00" is not a time HH:mm`. */
export function settingErrorText(error: SettingError): string {
  const value = error.value !== undefined && error.code !== "unknown" && error.code !== "thresholdsOrder" ? ` ${JSON.stringify(error.value.length > 60 ? `${error.value.slice(0, 57)}...` : error.value)}` : "";
  return `${error.key}:${value} ${ENGLISH[error.code](error)}`;
}
