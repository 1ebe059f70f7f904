import type { Schema } from "mongoose";
import { AUDIT_ACTIONS, School } from "../../src/db/models";
import ruConsole from "../../locales/ru/console.json";
import enConsole from "../../locales/en/console.json";
import { consentVersionOf } from "../../src/domain/consent";
import {
  formatSetting,
  parseSetting,
  planSettingsChange,
  readSettings,
  SCHOOL_SETTINGS,
  settingErrorText,
  splitAssignment,
  type SettingErrorCode,
  type SettingValue,
  type SettingsValues,
} from "../../src/domain/school-settings";

describe("parsing a value from a string", () => {
  test.each<[string, string, SettingValue]>([
    ["name", "  Школа   № 12 ", "Школа № 12"],
    ["address", "", null],
    ["address", "г. Тула, ул. Ленина, 1", "г. Тула, ул. Ленина, 1"],
    ["operator.inn", "7701234567", "7701234567"],
    ["operator.inn", "770123456789", "770123456789"],
    ["operator.inn", " ", null],
    ["operator.ogrn", "1027700000000", "1027700000000"],
    ["consent.text", "  Первая строка\r\nвторая  ", "Первая строка\nвторая"],
    ["timezone", "Asia/Yekaterinburg", "Asia/Yekaterinburg"],
    ["timezone", "europe/moscow", "Europe/Moscow"],
    ["quietHours.start", "22:30", "22:30"],
    ["quietHours.start", "7", "07:00"],
    ["quietHours.end", "7:05", "07:05"],
    ["forecastSchedule.weeklyDay", "7", 7],
    ["forecastSchedule.enabled", "false", false],
    ["forecastSchedule.enabled", "да", true],
    ["sms.forecasts", "on", true],
    ["forecastSchedule.dailyLastDays", "0", 0],
    ["periodKind", "trimester", "trimester"],
    ["thresholds.five", "4,6", 4.6],
    ["thresholds.four", "3.55", 3.55],
    ["minGrades", "5", 5],
    ["workTypeWeights", "Контрольная работа: 3, самостоятельная=2", { "контрольная работа": 3, самостоятельная: 2 }],
    ["workTypeWeights", "ёмкий тест: 2\nустный ответ: 1", { "емкий тест": 2, "устный ответ": 1 }],
    ["workTypeWeights", "", {}],
    ["retentionDays", "365", 365],
    ["sms.maxParts", "6", 6],
  ])("%s = %j → %j", (key, raw, value) => {
    expect(parseSetting(key, raw)).toEqual({ ok: true, value });
  });

  test.each<[string, string, SettingErrorCode]>([
    ["colour", "red", "unknown"],
    ["settings.quietHours.start", "22:00", "unknown"],
    ["name", "   ", "required"],
    ["address", "x".repeat(501), "tooLong"],
    ["operator.inn", "77012345", "digits"],
    ["operator.inn", "77012345ab", "digits"],
    ["operator.ogrn", "10277000000001", "digits"],
    ["timezone", "Mars/Olympus", "timezone"],
    ["timezone", "+03:00", "timezone"],
    ["quietHours.start", "25:00", "time"],
    ["quietHours.start", "22.00", "time"],
    ["quietHours.end", "", "time"],
    ["forecastSchedule.weeklyDay", "0", "weekday"],
    ["forecastSchedule.weeklyDay", "пн", "weekday"],
    ["forecastSchedule.enabled", "maybe", "bool"],
    ["forecastSchedule.dailyLastDays", "61", "range"],
    ["minGrades", "2.5", "int"],
    ["minGrades", "-1", "range"],
    ["periodKind", "year", "choice"],
    ["thresholds.five", "5.5", "range"],
    ["thresholds.five", "4.555", "decimal"],
    ["workTypeWeights", "контрольная: 11", "weights"],
    ["workTypeWeights", "контрольная 3", "weights"],
    ["workTypeWeights", "тест: 2, Тест: 3", "weights"],
    ["workTypeWeights", "a.b: 2", "weights"],
    ["retentionDays", "0", "range"],
    ["sms.maxParts", "7", "range"],
  ])("%s = %j is refused (%s)", (key, raw, code) => {
    const parsed = parseSetting(key, raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ key, code });
  });

  test("every value reads back as it is written", () => {
    const samples: Record<string, string> = { "workTypeWeights": "контрольная: 3, тест: 2", "consent.text": "Условия\nшколы" };
    for (const spec of SCHOOL_SETTINGS) {
      const raw = samples[spec.key];
      if (!raw) continue;
      const first = parseSetting(spec.key, raw);
      expect(first.ok).toBe(true);
      if (first.ok) expect(parseSetting(spec.key, formatSetting(first.value))).toEqual(first);
    }
  });
});

describe("the settings of a school record", () => {
  const record = {
    name: "Школа № 12",
    timezone: "Europe/Moscow",
    operator: { inn: "7701234567" },
    settings: {
      quietHours: { start: "21:00", end: "08:00" },
      thresholds: { five: 4.5, four: 3.5, three: 2.5 },
      workTypeWeights: new Map([["контрольная", 3]]),
      sms: { forecasts: false, recommendations: false, maxParts: 2 },
      consentText: "",
    },
  };

  test("every key is read from its place; missing ones are null", () => {
    const values = readSettings(record);
    expect(Object.keys(values)).toEqual(SCHOOL_SETTINGS.map((s) => s.key));
    expect(values).toMatchObject({
      name: "Школа № 12",
      address: null,
      "operator.inn": "7701234567",
      "operator.name": null,
      "quietHours.start": "21:00",
      "thresholds.four": 3.5,
      workTypeWeights: { контрольная: 3 },
      "sms.maxParts": 2,
      "consent.text": null,
    });
  });

  test("the model and the list agree: every rule of School.settings (and the operator) has a key", () => {
    const leaves = (schema: Schema, prefix: string): string[] => {
      const out: string[] = [];
      schema.eachPath((p, type) => {
        const sub = (type as { schema?: Schema }).schema;
        if (sub && !Array.isArray((type as { caster?: unknown }).caster)) out.push(...leaves(sub, `${prefix}${p}.`));
        else out.push(`${prefix}${p}`);
      });
      return out;
    };
    const paths = [...leaves(School.schema.path("settings").schema as Schema, "settings."), ...leaves(School.schema.path("operator").schema as Schema, "operator.")];
    // Internal: the service's version override and the counter the settings service raises itself.
    const internal = new Set(["settings.consentTextVersion", "settings.consentRevision"]);
    const listed = new Set(SCHOOL_SETTINGS.map((s) => s.path));
    // A map (work type → weight) is one setting.
    const settingPaths = paths.map((p) => p.replace(/\.\$\*$/, ""));
    expect(settingPaths.filter((p) => !internal.has(p) && !listed.has(p))).toEqual([]);
    expect(paths).toContain("settings.quietHours.start");
    for (const key of ["name", "address", "timezone"]) expect(listed).toContain(key);
  });
});

describe("planning a change", () => {
  const current: SettingsValues = readSettings({
    name: "Школа № 12",
    address: "г. Тула",
    timezone: "Europe/Moscow",
    settings: { quietHours: { start: "21:00", end: "08:00" }, thresholds: { five: 4.5, four: 3.5, three: 2.5 }, minGrades: 3 },
  });

  test.each<[string, Array<[string, string]>, Array<{ key: string; before: SettingValue; after: SettingValue }>, boolean]>([
    ["quiet hours", [["quietHours.start", "22:00"], ["quietHours.end", "07:00"]], [{ key: "quietHours.start", before: "21:00", after: "22:00" }, { key: "quietHours.end", before: "08:00", after: "07:00" }], false],
    ["the same value is no change", [["quietHours.start", "21:00"], ["minGrades", "3"]], [], false],
    ["the address is quoted in the consent", [["address", "г. Тула, ул. Ленина, 1"]], [{ key: "address", before: "г. Тула", after: "г. Тула, ул. Ленина, 1" }], true],
    ["emptying the address", [["address", ""]], [{ key: "address", before: "г. Тула", after: null }], true],
    ["the school's own terms", [["consent.text", "Срок хранения — 5 лет."]], [{ key: "consent.text", before: null, after: "Срок хранения — 5 лет." }], true],
    ["thresholds moved together", [["thresholds.five", "4.6"], ["thresholds.four", "3.6"]], [{ key: "thresholds.five", before: 4.5, after: 4.6 }, { key: "thresholds.four", before: 3.5, after: 3.6 }], false],
  ])("%s", (_name, given, changes, consentChanged) => {
    const plan = planSettingsChange(current, given);
    expect(plan).toMatchObject({ ok: true, changes, consentChanged });
  });

  test.each<[string, Array<[string, string]>, Array<{ key: string; code: SettingErrorCode }>]>([
    ["one bad value spoils the set", [["quietHours.start", "22:00"], ["quietHours.end", "31:00"]], [{ key: "quietHours.end", code: "time" }]],
    ["an unknown key", [["quietHours.start", "22:00"], ["quiet.start", "22:00"]], [{ key: "quiet.start", code: "unknown" }]],
    ["every error at once", [["minGrades", "x"], ["periodKind", "week"]], [{ key: "minGrades", code: "int" }, { key: "periodKind", code: "choice" }]],
    ["thresholds out of order", [["thresholds.four", "4.7"]], [{ key: "thresholds.four", code: "thresholdsOrder" }]],
    ["a key given twice", [["minGrades", "4"], ["minGrades", "5"]], [{ key: "minGrades", code: "repeated" }]],
  ])("%s", (_name, given, errors) => {
    const plan = planSettingsChange(current, given);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors).toEqual(errors.map((e) => expect.objectContaining(e)));
  });
});

describe("the command line's words", () => {
  test.each<[string, [string, string] | null]>([
    ["quietHours.start=22:00", ["quietHours.start", "22:00"]],
    ["consent.text=a=b", ["consent.text", "a=b"]],
    ["address=", ["address", ""]],
    ["=5", null],
    ["minGrades", null],
  ])("%s", (arg, pair) => {
    expect(splitAssignment(arg)).toEqual(pair);
  });

  test.each<[string, string, string]>([
    ["quietHours.start", "25:00", 'quietHours.start: "25:00" is not a time HH:mm'],
    ["colour", "red", "colour: unknown setting"],
    ["minGrades", "500", 'minGrades: "500" must be between 0 and 100'],
    ["timezone", "Mars/Olympus", 'timezone: "Mars/Olympus" is not an IANA time zone (such as Europe/Moscow)'],
  ])("%s = %s", (key, raw, line) => {
    const parsed = parseSetting(key, raw);
    expect(parsed.ok ? null : settingErrorText(parsed.error)).toBe(line);
  });
});

describe("the consent text's version", () => {
  test.each<[Parameters<typeof consentVersionOf>[0], string]>([
    [{}, "2026-12"],
    [{ settings: { consentRevision: 0 } }, "2026-12"],
    [{ settings: { consentRevision: 2 } }, "2026-12.2"],
    [{ settings: { consentTextVersion: "2027-01" } }, "2027-01"],
    [{ settings: { consentTextVersion: "2027-01", consentRevision: 1 } }, "2027-01.1"],
  ])("%j → %s", (school, version) => {
    expect(consentVersionOf(school)).toBe(version);
  });
});

describe("the words of the settings page and the change log", () => {
  test.each([["ru", ruConsole], ["en", enConsole]] as const)("%s: every setting has a label and a hint, every audit action a name", (_lang, words) => {
    const leaf = (tree: unknown, key: string) => key.split(".").reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], tree);
    for (const spec of SCHOOL_SETTINGS) {
      expect({ key: spec.key, label: typeof leaf(words.settings.labels, spec.key), hint: typeof leaf(words.settings.hints, spec.key) }).toEqual({ key: spec.key, label: "string", hint: "string" });
    }
    expect(AUDIT_ACTIONS.filter((a) => !(a in words.audit.actions))).toEqual([]);
  });
});
