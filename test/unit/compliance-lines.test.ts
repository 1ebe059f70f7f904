/** The compliance report's lines show a final's status in the reader's language, not the journal's word. */
import { sheetMark } from "../../src/domain/reports";
import { createI18n } from "../../src/i18n";
import { complianceLines } from "../../src/print/compliance-report";
import type { ComplianceReport, ComplianceRow } from "../../src/services/reports/compliance";

const resultsAt = new Date("2026-12-01T09:00:00Z");
const row = (result: string, final: Parameters<typeof sheetMark>[0] | null): ComplianceRow => ({
  kind: final ? "final" : "exam",
  className: "7Б",
  student: "Иванова Мария",
  what: "Алгебра",
  result,
  ...(final ? { mark: sheetMark(final) } : {}),
  resultsAt,
  state: "none",
  recipients: [],
});
const report = (rows: ComplianceRow[]): ComplianceReport => ({
  schoolName: "Школа №1",
  timezone: "Europe/Moscow",
  smsParts: [],
  className: "7Б",
  period: { externalId: "q2", name: "2 четверть", start: "2026-11-09", end: "2026-12-27" },
  today: "2026-12-02",
  generatedAt: resultsAt,
  share: { results: rows.length, onTime: 0, percent: 0, none: rows.length, late: 0, waiting: 0, overdue: 0 },
  rows,
});
const rows = [
  row("5", { studentId: "s", subjectId: "a", status: "final", value: "5" }),
  row("deferred 2027-01-20", { studentId: "s", subjectId: "a", status: "deferred", deferredUntil: "2027-01-20" }),
  row("not_attested", { studentId: "s", subjectId: "a", status: "not_attested" }),
  row("зачёт", { studentId: "s", subjectId: "a", status: "final", value: "зачёт" }),
  row("18/31", null),
];

test.each([
  ["ru", ["5", "отср. до 20.01.2027", "н/а", "зач", "18/31"]],
  ["en", ["5", "def. until 20.01.2027", "n/a", "pass", "18/31"]],
] as const)("%s: the result column", (lang, expected) => {
  const t = createI18n(lang).getFixedT(lang);
  expect(complianceLines(report(rows), t, lang).map((l) => l.cells[4])).toEqual(expected);
});
