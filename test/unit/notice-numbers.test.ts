/** Averages in notices are written as each language writes numbers: "2,33" in Russian, "2.33" in English. */
import { createI18n } from "../../src/i18n";
import { localDecimal } from "../../src/domain/format";
import { renderNotice } from "../../src/services/notify/render";
import type { Notice } from "../../src/queue/jobs";

const i18n = createI18n("ru");
const forecast: Notice = {
  template: "forecast", student: "Иванова Мария", period: "2 четверть",
  lines: [{ subject: "Физика", average: "2.33", grade: 2, passFail: null, atRisk: true, risks: [], lift: { count: 2, toGrade: 3 } }],
} as Notice;

test.each([
  ["2.33", "ru", "2,33"],
  ["2.33", "en", "2.33"],
  ["4.50", "ru", "4,50"],
  ["5", "ru", "5"],
] as const)("localDecimal(%s, %s) = %s", (text, lang, expected) => {
  expect(localDecimal(text, lang)).toBe(expected);
});

test("the forecast notice prints the average with the reader's decimal mark", () => {
  expect(renderNotice(i18n, "ru", "Europe/Moscow", forecast).html).toContain("2,33");
  expect(renderNotice(i18n, "ru", "Europe/Moscow", forecast).html).not.toContain("2.33");
  expect(renderNotice(i18n, "en", "Europe/Moscow", forecast).html).toContain("2.33");
});
