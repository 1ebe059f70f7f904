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

  /** Every string of a language as `namespace:key` (with its plural suffix) → text. */
  const strings = (lang: string): Map<string, string> => {
    const out = new Map<string, string>();
    const walk = (o: Record<string, unknown>, p: string) => {
      for (const [k, v] of Object.entries(o)) {
        if (v && typeof v === "object") walk(v as Record<string, unknown>, `${p}${k}.`);
        else out.set(p + k, String(v));
      }
    };
    for (const f of fs.readdirSync(path.join(LOCALES_DIR, lang))) walk(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, f), "utf8")), `${f}:`);
    return out;
  };
  const PLURAL = /_(zero|one|two|few|many|other)$/;
  const baseKey = (key: string) => key.replace(PLURAL, "");
  /** The plural forms present under each base key that has any. */
  const pluralForms = (lang: string) => {
    const forms = new Map<string, string[]>();
    for (const key of strings(lang).keys()) {
      const form = PLURAL.exec(key)?.[1];
      if (form) forms.set(baseKey(key), [...(forms.get(baseKey(key)) ?? []), form].sort());
    }
    return forms;
  };

  test("ru and en have the same keys", () => {
    const keys = (lang: string) => [...new Set([...strings(lang).keys()].map(baseKey))].sort();
    expect(keys("en")).toEqual(keys("ru"));
  });

  // Intl.PluralRules("ru") picks one, few, many, or other (fractions: "2,5 дня"); a missing form shows
  // the bare key. i18next's optional `_zero` (count 0) is allowed beside them.
  test.each([
    ["ru", ["few", "many", "one", "other"]],
    ["en", ["one", "other"]],
  ])("every plural in %s has each of its language's forms", (lang, wanted) => {
    const incomplete = [...pluralForms(lang)].filter(([, forms]) => forms.filter((f) => f !== "zero").join() !== (wanted as string[]).join()).map(([key, forms]) => `${key}: ${forms.join(",")}`);
    expect(incomplete).toEqual([]);
    expect(new Intl.PluralRules(lang).resolvedOptions().pluralCategories.sort()).toEqual(wanted);
  });

  test("a string and its translation take the same {{values}}", () => {
    const values = (lang: string) => {
      const byKey = new Map<string, Set<string>>();
      for (const [key, text] of strings(lang)) {
        const set = byKey.get(baseKey(key)) ?? new Set<string>();
        for (const m of text.matchAll(/\{\{-?\s*([^},\s]+)/g)) set.add(m[1]);
        byKey.set(baseKey(key), set);
      }
      // `count` may be implied by a form ("одна семья"), so it is not compared.
      return new Map([...byKey].map(([key, set]) => [key, [...set].filter((v) => v !== "count").sort().join(",")]));
    };
    const ru = values("ru");
    const differ = [...values("en")].filter(([key, list]) => ru.get(key) !== list).map(([key, list]) => `${key}: en {{${list}}} ru {{${ru.get(key)}}}`);
    expect(differ).toEqual([]);
  });
});
