/**
 * SMS parts per school and month in the compliance report (issue 14): every SMS the school sent in
 * the months of the period, on the school's clock, in the report, its CSV and PDF.
 */
import { Types } from "mongoose";
import { Delivery, Period, School } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { complianceReport } from "../../src/services/reports/compliance";
import { reportData, reportFile } from "../../src/services/reports/report-files";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";
import { useTestDb } from "../support/db";
import { termPeriod } from "./notify-events";
import { pdfText } from "./printouts-fixture";

useTestDb();
const t = createI18n("ru").getFixedT("ru");
let fx: SchoolFixture;
let periodExternalId: string;
let n = 0;

async function sms(schoolId: Types.ObjectId, sentAt: string, parts: number, status: "sent" | "delivered" | "fell_back" = "sent") {
  await Delivery.create({
    schoolId, idempotencyKey: `sms-${++n}/a${String(new Types.ObjectId())}/sms`, kind: n % 2 ? "final" : "forecast", channel: "sms", status,
    recipient: {}, queuedAt: new Date(sentAt), sentAt: new Date(sentAt), sms: { ids: [`m${n}`], parts },
  });
}

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  periodExternalId = (await Period.findById(await termPeriod(fx)).lean())!.externalId; // 2026-09-01 .. 2026-10-24
  const other = await School.create({ name: "Другая школа" });
  await sms(fx.school._id, "2026-09-02T09:00:00Z", 1);
  await sms(fx.school._id, "2026-09-30T20:30:00Z", 2, "delivered"); // 23:30 in Moscow: still September
  await sms(fx.school._id, "2026-09-30T21:30:00Z", 2, "fell_back"); // 00:30 on 1 October in Moscow; a failed receipt is still billed
  await sms(fx.school._id, "2026-10-31T12:00:00Z", 1); // the period ends on the 24th, its month is counted whole
  await sms(fx.school._id, "2026-11-02T12:00:00Z", 2); // outside the period's months
  await sms(other._id, "2026-09-10T12:00:00Z", 2); // another school's
  // An SMS that never went (no parts) costs nothing.
  await Delivery.create({ schoolId: fx.school._id, idempotencyKey: `sms-q/a1/sms`, kind: "final", channel: "sms", status: "queued", recipient: {}, queuedAt: new Date("2026-09-05T10:00:00Z") });
});

test("messages and parts per month of the school's clock, the whole school, in the report, the CSV and the PDF", async () => {
  const report = await complianceReport({ schoolId: fx.school._id, classId: fx.classIds.c7a, periodId: periodExternalId, today: "2026-10-25", now: new Date("2026-10-25T10:00:00Z") });
  expect(report.smsParts).toEqual([
    { month: "2026-09", messages: 2, parts: 3 },
    { month: "2026-10", messages: 2, parts: 3 },
  ]);

  const data = await reportData({ kind: "compliance", schoolId: fx.school._id, schoolClass: { _id: fx.classIds.c7a, name: "7А" }, periodId: periodExternalId, today: "2026-10-25", now: new Date("2026-10-25T10:00:00Z") });
  const csv = (await reportFile(data, "csv", t, "ru")).bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  expect(csv.slice(-3)).toEqual(["Месяц;SMS-сообщений;Частей SMS", "2026-09;2;3", "2026-10;2;3"]);
  const text = pdfText((await reportFile(data, "pdf", t, "ru")).bytes).replace(/\s+/g, " ");
  expect(text).toContain("SMS (вся школа): 09.2026: сообщений — 2, частей — 3; 10.2026: сообщений — 2, частей — 3");
});

test("a school without SMS says none were sent", async () => {
  const bare = await createSchoolFixture({ data: "none" });
  const periodId = (await Period.findById(await termPeriod(bare)).lean())!.externalId;
  const data = await reportData({ kind: "compliance", schoolId: bare.school._id, periodId, today: "2026-10-25", now: new Date("2026-10-25T10:00:00Z") });
  expect(data.kind === "compliance" && data.report.smsParts).toEqual([]);
  expect(pdfText((await reportFile(data, "pdf", t, "ru")).bytes).replace(/\s+/g, " ")).toContain("SMS (вся школа): не отправлялись");
});
