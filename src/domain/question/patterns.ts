/**
 * The small pattern language of the lexicons. A phrase is words separated by spaces; each word is
 *   "оценк*"  a stem: the stem followed by one of the Russian inflection endings (оценка, оценки, оценкой);
 *   "дз"      an exact word.
 * Matching is exact first; a second pass forgives one typo (see fuzzy.ts) in stems and words of 5+ letters.
 */
import { TYPO_MIN_LENGTH, atMostOneEdit, withinOneTypo } from "./fuzzy";
import type { Token } from "./text";

/** Case/number/tense endings of nouns, adjectives, participles and past-tense verbs. */
export const RUSSIAN_ENDINGS: ReadonlySet<string> = new Set([
  "", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
  "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ью", "ою", "ею",
  "ами", "ями", "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ых", "их", "ым", "им",
  "ого", "его", "ому", "ему", "ыми", "ими", "ии", "ия", "ию", "ий", "ией", "иям", "иях", "иями",
  // past tense of verbs: отменили, перенесли
  "ил", "ила", "или", "ило", "ла", "ли", "ло",
]);

export interface WordPattern {
  text: string;
  stem: boolean;
}

export type Phrase = readonly WordPattern[];

export function parsePhrase(spec: string): Phrase {
  return spec
    .trim()
    .split(/\s+/)
    .map((w) => (w.endsWith("*") ? { text: w.slice(0, -1), stem: true } : { text: w, stem: false }));
}

export type MatchQuality = "exact" | "typo";

export function matchWord(word: string, pattern: WordPattern, quality: MatchQuality): boolean {
  if (quality === "exact") {
    if (!pattern.stem) return word === pattern.text;
    return word.startsWith(pattern.text) && RUSSIAN_ENDINGS.has(word.slice(pattern.text.length));
  }
  if (!pattern.stem) return withinOneTypo(word, pattern.text);
  return stemWithinOneTypo(word, pattern.text, RUSSIAN_ENDINGS);
}

/** The word is stem' + ending where stem' is at most one edit away from the stem. */
export function stemWithinOneTypo(word: string, stem: string, endings: ReadonlySet<string>): boolean {
  if (word.length < TYPO_MIN_LENGTH || stem.length < TYPO_MIN_LENGTH) return false;
  for (let cut = stem.length - 1; cut <= stem.length + 1; cut++) {
    if (cut > word.length) break;
    if (!endings.has(word.slice(cut))) continue;
    if (atMostOneEdit(word.slice(0, cut), stem)) return true;
  }
  return false;
}

/** Does the phrase match the tokens from `start` on, none of them already taken by another slot? */
export function matchPhraseAt(
  tokens: readonly Token[],
  taken: readonly boolean[],
  start: number,
  phrase: Phrase,
  quality: MatchQuality,
): boolean {
  if (start + phrase.length > tokens.length) return false;
  for (let k = 0; k < phrase.length; k++) {
    const token = tokens[start + k];
    if (taken[start + k] || token.kind !== "word") return false;
    if (!matchWord(token.text, phrase[k], quality) && !matchWord(token.text, phrase[k], "exact")) return false;
  }
  return true;
}

/** Groups phrases by the first letter of their first word (an exact match shares it). */
export function bucketByFirstLetter<T>(items: readonly T[], firstWord: (item: T) => string): Map<string, T[]> {
  const buckets = new Map<string, T[]>();
  for (const item of items) {
    const letter = firstWord(item)[0] ?? "";
    const bucket = buckets.get(letter) ?? [];
    bucket.push(item);
    buckets.set(letter, bucket);
  }
  return buckets;
}
