/** Finding the school's subject a question names: by its name, a word of it, or slang. */
import { bucketByFirstLetter, matchPhraseAt, parsePhrase, type MatchQuality, type Phrase } from "./patterns";
import { GENERIC_SUBJECT_WORDS, SUBJECT_ALIASES } from "./subject-lexicon";
import type { Token } from "./text";

export interface SubjectRef {
  id: string;
  name: string;
}

interface SubjectEntry {
  phrase: Phrase;
  subjectId: string;
}

/** Entries compiled for one school's subjects, longest phrases first (and bucketed by first letter). */
export interface SubjectIndex {
  entries: readonly SubjectEntry[];
  byFirstLetter: ReadonlyMap<string, readonly SubjectEntry[]>;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/ё/g, "е").replace(/[()«»",.]/g, " ").replace(/\s+/g, " ").trim();
}

/** A rough stem of a word of a subject name: drops an adjective ending or a final vowel. */
export function stemOf(word: string): string {
  const adjective = /(ый|ий|ой|ая|яя|ое|ее|ые|ие)$/.exec(word);
  if (adjective && word.length - 2 >= 4) return word.slice(0, -2);
  return /[аяоеыиуюьй]$/.test(word) && word.length > 4 ? word.slice(0, -1) : word;
}

export function buildSubjectIndex(subjects: readonly SubjectRef[]): SubjectIndex {
  const byName = new Map(subjects.map((s) => [normalizeName(s.name), s.id]));
  const entries: SubjectEntry[] = [];
  const add = (spec: string, subjectId: string) => entries.push({ phrase: parsePhrase(spec), subjectId });

  for (const alias of SUBJECT_ALIASES) {
    const subjectId = resolveTarget(alias.targets, byName);
    if (subjectId !== undefined) for (const phrase of alias.phrases) add(phrase, subjectId);
  }

  // The subject's own words: the whole name, and each word no other subject shares.
  const wordsOf = new Map(subjects.map((s) => [s.id, normalizeName(s.name).split(" ").filter((w) => w.length >= 3)]));
  const wordUse = new Map<string, number>();
  for (const words of wordsOf.values()) for (const w of new Set(words)) wordUse.set(w, (wordUse.get(w) ?? 0) + 1);
  for (const subject of subjects) {
    const words = wordsOf.get(subject.id) ?? [];
    if (words.length > 1) add(words.map((w) => `${stemOf(w)}*`).join(" "), subject.id);
    for (const w of words) {
      if (w.length >= 4 && !GENERIC_SUBJECT_WORDS.has(w) && wordUse.get(w) === 1) add(`${stemOf(w)}*`, subject.id);
    }
  }
  entries.sort((a, b) => b.phrase.length - a.phrase.length);
  return { entries, byFirstLetter: bucketByFirstLetter(entries, (e) => e.phrase[0].text) };
}

/** The first target the school has, by exact name, else the first school subject whose name contains it. */
function resolveTarget(targets: readonly string[], byName: ReadonlyMap<string, string>): string | undefined {
  for (const target of targets) {
    const id = byName.get(target);
    if (id !== undefined) return id;
  }
  for (const target of targets) {
    for (const [name, id] of byName) if (name.includes(target)) return id;
  }
  return undefined;
}

export interface SubjectFound {
  subjectId: string;
  used: number[];
  quality: MatchQuality;
}

/** Marks and returns the subjects named among the free tokens. */
export function findSubjects(
  tokens: readonly Token[],
  taken: boolean[],
  index: SubjectIndex,
  quality: MatchQuality,
): SubjectFound[] {
  const found: SubjectFound[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (taken[i] || tokens[i].kind !== "word") continue;
    const candidates = quality === "exact" ? (index.byFirstLetter.get(tokens[i].text[0]) ?? []) : index.entries;
    const entry = candidates.find((e) => matchPhraseAt(tokens, taken, i, e.phrase, quality));
    if (!entry) continue;
    const used = entry.phrase.map((_, k) => i + k);
    for (const k of used) taken[k] = true;
    found.push({ subjectId: entry.subjectId, used, quality });
    i += entry.phrase.length - 1;
  }
  return found;
}
