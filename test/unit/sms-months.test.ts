/** SMS parts per month (issue 14): the compliance report's sum, pure. */
import { smsPartsByMonth } from "../../src/domain/reports";

const month = (at: Date) => at.toISOString().slice(0, 7);
const at = (iso: string, parts: number) => ({ sentAt: new Date(iso), parts });

test.each([
  ["nothing sent", [], []],
  ["one month", [at("2026-09-01T10:00:00Z", 1), at("2026-09-20T10:00:00Z", 2)], [{ month: "2026-09", messages: 2, parts: 3 }]],
  [
    "months in order whatever the order of the records",
    [at("2026-11-01T10:00:00Z", 2), at("2026-09-01T10:00:00Z", 1), at("2026-11-03T10:00:00Z", 1)],
    [{ month: "2026-09", messages: 1, parts: 1 }, { month: "2026-11", messages: 2, parts: 3 }],
  ],
])("%s", (_name, records, expected) => {
  expect(smsPartsByMonth(records, month)).toEqual(expected);
});
