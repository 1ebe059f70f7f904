import fs from "node:fs";
import path from "node:path";
import { createI18n, languageFromTelegram, translator } from "../../src/i18n";
import { LOCALES_DIR } from "../../src/paths";

describe("i18n", () => {
  const i18n = createI18n("ru");

  test.each([
    [1, "1 день"],
    [2, "2 дня"],
    [4, "4 дня"],
    [5, "5 дней"],
    [11, "11 дней"],
    [12, "12 дней"],
    [21, "21 день"],
    [22, "22 дня"],
    [25, "25 дней"],
    [101, "101 день"],
    [111, "111 дней"],
  ])("Russian plural for %i is %s", (count, text) => {
    expect(translator(i18n, "ru")("units.day", { count })).toBe(text);
  });

  test.each([
    [1, 0, "Электронно: 1 семья, в бумажной распечатке: 0 семей."],
    [5, 1, "Электронно: 5 семей, в бумажной распечатке: 1 семья."],
    [22, 3, "Электронно: 22 семьи, в бумажной распечатке: 3 семьи."],
  ])("the broadcast preview counts families in Russian plurals (%i electronic, %i on paper)", (electronic, paper, text) => {
    const t = translator(i18n, "ru");
    const line = t("broadcast:preview", { target: "7А", electronic: t("broadcast:previewElectronic", { count: electronic }), paper: t("broadcast:previewPaper", { count: paper }) });
    expect(line).toContain(text);
  });

  test("English plural", () => {
    const t = translator(i18n, "en");
    expect(t("units.day", { count: 1 })).toBe("1 day");
    expect(t("units.day", { count: 5 })).toBe("5 days");
  });

  test.each([
    ["ru", "ru"],
    ["ru-RU", "ru"],
    ["en", "en"],
    ["en-GB", "en"],
    ["de", "ru"],
    [undefined, "ru"],
  ])("Telegram language %s maps to %s", (code, lang) => {
    expect(languageFromTelegram(code, "ru")).toBe(lang);
  });

  test("ru and en have the same keys", () => {
    const keys = (lang: string) => {
      const out: string[] = [];
      const walk = (o: Record<string, unknown>, p: string) => {
        for (const [k, v] of Object.entries(o)) {
          if (v && typeof v === "object") walk(v as Record<string, unknown>, `${p}${k}.`);
          else out.push(p + k.replace(/_(zero|one|two|few|many|other)$/, ""));
        }
      };
      for (const f of fs.readdirSync(path.join(LOCALES_DIR, lang))) {
        walk(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, f), "utf8")), `${f}:`);
      }
      return [...new Set(out)].sort();
    };
    expect(keys("en")).toEqual(keys("ru"));
  });
});
