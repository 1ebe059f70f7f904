/**
 * Class names as people type them: "7б", "7 Б", "7-Б" and "7Б" are the same class, and so is "7B"
 * typed with Latin look-alike letters (and "11Ё" for "11Е"). Every command and CLI that takes a
 * class by its name compares through `classNameKey`.
 */

const LATIN_LOOKALIKES: Record<string, string> = { A: "А", B: "В", C: "С", E: "Е", H: "Н", K: "К", M: "М", O: "О", P: "Р", T: "Т", X: "Х" };

/** The form two names of one class share: upper case, no spaces or hyphens, Cyrillic letters. */
export function classNameKey(name: string): string {
  return name
    .toUpperCase()
    .replace(/[-\s]+/g, "")
    .replace(/Ё/g, "Е")
    .replace(/[ABCEHKMOPTX]/g, (c) => LATIN_LOOKALIKES[c]);
}

export function sameClassName(a: string, b: string): boolean {
  return classNameKey(a) === classNameKey(b);
}
