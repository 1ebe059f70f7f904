/**
 * i18next with the JSON resources of locales/<lang>/<namespace>.json. Keys are written as
 * "namespace:key" or, for the default namespace "common", just "key". Russian plurals use the
 * _one/_few/_many/_other suffixes (Intl.PluralRules decides).
 */
import fs from "node:fs";
import path from "node:path";
import i18next, { type i18n, type Resource, type TFunction } from "i18next";
import { LOCALES_DIR } from "./paths";

export const LANGUAGES = ["ru", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export type Translate = TFunction;

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** Telegram's language_code ("ru", "en-GB", "uk") to one of ours. */
export function languageFromTelegram(code: string | undefined, fallback: Language): Language {
  const base = code?.toLowerCase().split("-")[0];
  return isLanguage(base) ? base : fallback;
}

function loadResources(dir = LOCALES_DIR): Resource {
  const resources: Resource = {};
  for (const lang of LANGUAGES) {
    resources[lang] = {};
    for (const file of fs.readdirSync(path.join(dir, lang)).filter((f) => f.endsWith(".json"))) {
      resources[lang][file.replace(/\.json$/, "")] = JSON.parse(fs.readFileSync(path.join(dir, lang, file), "utf8"));
    }
  }
  return resources;
}

export function createI18n(defaultLanguage: Language = "ru"): i18n {
  const instance = i18next.createInstance();
  const resources = loadResources();
  void instance.init({
    resources,
    lng: defaultLanguage,
    fallbackLng: defaultLanguage,
    supportedLngs: [...LANGUAGES],
    defaultNS: "common",
    ns: Object.keys(resources[defaultLanguage]),
    initAsync: false,
    // Messages are sent as Telegram HTML: values are escaped where they are inserted (see escapeHtml).
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

export function translator(instance: i18n, language: Language): Translate {
  return instance.getFixedT(language);
}
