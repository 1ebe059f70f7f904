/** Numbers as people of each language write them: "4,33" in Russian, "4.33" in English. */

export type FormatLanguage = "ru" | "en";

/** A fixed-point number with `digits` decimals and the language's decimal mark. */
export function formatDecimal(value: number, language: FormatLanguage, digits = 2): string {
  const text = value.toFixed(digits);
  return language === "ru" ? text.replace(".", ",") : text;
}

/** A decimal stored as text ("2.33", the grading engine's form) with the language's decimal mark. */
export function localDecimal(text: string, language: FormatLanguage): string {
  return language === "ru" ? text.replace(".", ",") : text;
}

/** A score such as "15 / 20" or "15,5 / 20": whole numbers without decimals. */
export function formatScore(score: number, language: FormatLanguage, maxScore?: number | null): string {
  const number = (n: number) => (Number.isInteger(n) ? String(n) : formatDecimal(n, language, 1));
  return maxScore === undefined || maxScore === null ? number(score) : `${number(score)} / ${number(maxScore)}`;
}
