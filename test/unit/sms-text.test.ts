import { createI18n } from "../../src/i18n";
import { goesBySms, renderSms, shortName } from "../../src/services/notify/sms-text";
import type { Notice } from "../../src/queue/jobs";

const i18n = createI18n("ru");
type Final = Extract<Notice, { template: "final" }>;
const final: Final = { template: "final", student: "Иванова Мария", subject: "Алгебра", period: "2 четверть", status: "final", value: "5" };
const notAttested: Final = { ...final, status: "not_attested" };
const line = (subject: string, atRisk: boolean) => ({ subject, average: null, grade: null, passFail: null, atRisk, risks: [] });

describe("SMS texts of notices", () => {
  test.each([
    ["Иванова Мария Петровна", "Иванова М."],
    ["Иванова мария", "Иванова М."],
    ["Иванова", "Иванова"],
  ])("%s is shortened to %s", (full, short) => expect(shortName(full)).toBe(short));

  test.each<[string, "ru" | "en", Notice, string | undefined, string | null]>([
    ["final", "ru", final, "https://diary.school42.ru", "Иванова М., Алгебра: итог за 2 четверть — 5. Подробно: https://diary.school42.ru/app/"],
    ["final without a cabinet", "en", final, undefined, "Иванова М., Алгебра: final for 2 четверть — 5."],
    ["not attested", "ru", notAttested, undefined, "Иванова М., Алгебра: за 2 четверть не аттестован(а)."],
    ["exam, 1 point", "ru", { template: "exam", student: "Петров Иван", name: "ОГЭ", date: "2027-05-20", score: 1 }, undefined, "Петров И., ОГЭ 20 мая, чт: 1 балл."],
    ["exam, 3 points", "ru", { template: "exam", student: "Петров Иван", name: "ОГЭ", date: "2027-05-20", score: 3 }, undefined, "Петров И., ОГЭ 20 мая, чт: 3 балла."],
    ["exam, 25 points", "ru", { template: "exam", student: "Петров Иван", name: "ОГЭ", date: "2027-05-20", score: 25, value: "4" }, undefined, "Петров И., ОГЭ 20 мая, чт: 25 баллов, оценка 4."],
    ["forecast, 1 subject", "ru", { template: "forecast", student: "Петров Иван", period: "2 четверть", lines: [line("Физика", true), line("Химия", false)] }, undefined, "Петров И.: за 2 четверть под угрозой итог по 1 предмету (Физика)."],
    ["forecast, 2 subjects", "ru", { template: "forecast", student: "Петров Иван", period: "2 четверть", lines: [line("Физика", true), line("Химия", true)] }, undefined, "Петров И.: за 2 четверть под угрозой итоги по 2 предметам (Физика, Химия)."],
    ["broadcast", "ru", { template: "broadcast", school: "Школа", text: "Собрание" }, undefined, null],
  ])("%s", (_, lang, notice, web, text) => {
    expect(renderSms(i18n, lang, notice, web)).toBe(text);
  });

  test("finals and exams go by SMS always; forecasts at risk and recommendations only when the school allows", () => {
    const forecast: Notice = { template: "forecast", student: "Петров Иван", period: "2 четверть", lines: [line("Физика", true)] };
    const calm: Notice = { ...forecast, lines: [line("Физика", false)] };
    expect(goesBySms(final)).toBe(true);
    expect(goesBySms(forecast)).toBe(false);
    expect(goesBySms(forecast, ["forecast"])).toBe(true);
    expect(goesBySms(calm, ["forecast"])).toBe(false);
    expect(goesBySms({ template: "broadcast", school: "Ш", text: "т" }, ["forecast", "recommendation"])).toBe(false);
  });
});
