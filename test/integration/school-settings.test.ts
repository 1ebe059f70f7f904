/**
 * changeSchoolSettings against the database (issue 13.1): concurrent changes of different keys both
 * land, each logged with the value it replaced; a school stored before the settings existed reads
 * the model's defaults and can be changed; the consent's summary names the operator.
 */
import { AuditEntry, School } from "../../src/db/models";
import { createI18n, translator } from "../../src/i18n";
import { consentSchool, consentSummary } from "../../src/services/consent";
import { changeSchoolSettings, schoolSettings } from "../../src/services/school-settings";
import { useTestDb } from "../support/db";

useTestDb();

const actor = { kind: "cli" as const, name: "test" };
const now = new Date("2026-12-05T12:00:00Z");

test("two admins at once: both changes land, each logged with the value it replaced", async () => {
  const school = await School.create({ name: "Школа № 5" });
  const results = await Promise.all([
    changeSchoolSettings({ schoolId: school._id, given: [["quietHours.start", "22:00"]], actor, now }),
    changeSchoolSettings({ schoolId: school._id, given: [["minGrades", "4"], ["quietHours.end", "07:00"]], actor, now }),
    changeSchoolSettings({ schoolId: school._id, given: [["address", "г. Тула"]], actor, now }),
  ]);
  expect(results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
  const view = await schoolSettings(school._id);
  expect(view.values).toMatchObject({ "quietHours.start": "22:00", "quietHours.end": "07:00", minGrades: 4, address: "г. Тула" });
  expect(view.consentVersion).toBe("2026-12.1");
  const entries = await AuditEntry.find({ schoolId: school._id }).lean();
  expect(entries.map((e) => [e.key, e.before, e.after]).sort()).toEqual([
    ["address", null, "г. Тула"],
    ["consent.version", "2026-12", "2026-12.1"],
    ["minGrades", 3, 4],
    ["quietHours.end", "08:00", "07:00"],
    ["quietHours.start", "21:00", "22:00"],
  ]);
});

test("a school stored before the settings existed: the defaults are read, and a change is written", async () => {
  const { insertedId } = await School.collection.insertOne({ name: "Старая школа", timezone: "Asia/Yekaterinburg" });
  const view = await schoolSettings(insertedId);
  expect(view.values).toMatchObject({ "quietHours.start": "21:00", "thresholds.five": 4.5, "operator.inn": null, "sms.maxParts": 2, workTypeWeights: {} });
  const result = await changeSchoolSettings({ schoolId: insertedId, given: [["thresholds.five", "4.6"], ["operator.inn", "6601234567"]], actor, now });
  expect(result).toMatchObject({ status: "applied", consentVersion: { before: "2026-12", after: "2026-12.1" } });
  const stored = (await School.findById(insertedId).lean())!;
  expect(stored.settings.thresholds.five).toBe(4.6);
  expect(stored.operator.inn).toBe("6601234567");
});

test("invalid values write nothing, whatever else was valid", async () => {
  const school = await School.create({ name: "Школа № 6" });
  const before = await School.findById(school._id).lean();
  const result = await changeSchoolSettings({ schoolId: school._id, given: [["quietHours.start", "22:00"], ["sms.maxParts", "9"], ["name", " "]], actor, now });
  expect(result).toEqual({ status: "invalid", errors: [expect.objectContaining({ key: "sms.maxParts", code: "range" }), expect.objectContaining({ key: "name", code: "required" })] });
  expect(await School.findById(school._id).lean()).toEqual(before);
  expect(await AuditEntry.countDocuments({ schoolId: school._id })).toBe(0);
});

test("the consent's summary names the operator by its legal name", async () => {
  const school = await School.create({ name: "Школа № 7", address: "г. Тула" });
  await changeSchoolSettings({ schoolId: school._id, given: [["operator.name", "МБОУ «СШ № 7»"]], actor, now });
  const summary = consentSummary(translator(createI18n(), "ru"), (await consentSchool(school._id))!);
  expect(summary).toContain("Оператор: <b>МБОУ «СШ № 7»</b>, г. Тула.");
});
