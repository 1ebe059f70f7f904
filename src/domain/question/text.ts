/** Normalization and tokenization of a guardian's message (Russian or English). */

export interface Token {
  /** Normalized: lower case, ё -> е, hyphens and apostrophes inside a word removed ("физ-ра" -> "физра"). */
  text: string;
  /** As written (for "did not understand" feedback). */
  raw: string;
  /** The written word began with a capital letter (a hint that it is a name). */
  capitalized: boolean;
  /** `number`: digits with optional date separators and ordinal suffix ("12", "12.12", "12-го", "12th"). */
  kind: "word" | "number";
}

// A date-like number ("12", "12.12", "12.12.2026", "2026-12-12", "12-го", "12th") or a word that may
// carry inner hyphens/apostrophes ("физ-ра", "masha's").
const TOKEN_RE =
  /\d{4}-\d{2}-\d{2}|\d+(?:[./]\d{1,2}(?:[./]\d{2,4})?)?(?:-?(?:ого|го|ое|е|st|nd|rd|th))?|[\p{L}]+(?:[-'’][\p{L}]+)*/gu;

/** Spellings that would otherwise be split apart by punctuation. */
const PRE_REPLACEMENTS: readonly [RegExp, string][] = [
  [/\bp\.\s?e\.?(?=\s|$|[,!?])/giu, "pe"],
  [/(^|[^\p{L}])д\s?\/\s?з(?![\p{L}])/giu, "$1дз"],
  [/(^|[^\p{L}])д\.\s?з\.?(?![\p{L}])/giu, "$1дз"],
  [/(^|[^\p{L}])к\s?\/\s?р(?![\p{L}])/giu, "$1кр"],
  [/(^|[^\p{L}])физ\.\s?ра(?![\p{L}])/giu, "$1физра"],
  [/(^|[^\p{L}])лит\.\s?ра(?![\p{L}])/giu, "$1литра"],
];

export function normalizeWord(word: string): string {
  return word
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/['’]s$/u, "")
    .replace(/[-'’]/g, "");
}

export function tokenize(text: string): Token[] {
  let prepared = text.normalize("NFC");
  for (const [re, replacement] of PRE_REPLACEMENTS) prepared = prepared.replace(re, replacement);
  const tokens: Token[] = [];
  for (const match of prepared.matchAll(TOKEN_RE)) {
    const raw = match[0];
    const isNumber = /^\d/.test(raw);
    tokens.push({
      text: isNumber ? raw.toLowerCase() : normalizeWord(raw),
      raw,
      capitalized: /^\p{Lu}/u.test(raw),
      kind: isNumber ? "number" : "word",
    });
  }
  return tokens;
}

/** "en" when Latin letters outnumber Cyrillic ones, else "ru" (the default language). */
export function detectLanguage(text: string): "ru" | "en" {
  const latin = text.match(/[a-z]/gi)?.length ?? 0;
  const cyrillic = text.match(/[а-яё]/gi)?.length ?? 0;
  return latin > cyrillic ? "en" : "ru";
}

const TRANSLIT: Readonly<Record<string, string>> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ж: "zh", з: "z", и: "i", й: "y", к: "k", л: "l",
  м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch",
  ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya",
};

/** Common Latin spellings of a normalized Russian word ("мария" -> maria, mariya; "александр" -> aleksandr, alexandr). */
export function transliterations(word: string): string[] {
  const base = [...word].map((c) => TRANSLIT[c] ?? c).join("");
  const variants = new Set([base]);
  variants.add(base.replace(/iya$/, "ia"));
  variants.add(base.replace(/ks/g, "x"));
  variants.add(base.replace(/kh/g, "h"));
  variants.add(base.replace(/iy$/, "y"));
  return [...variants];
}
