/** Weighing the intent words of a question (lexicon.ts) into one intent. */
import { FUTURE_WORDS, INTENT_PRIORITY, INTENT_WORDS, type GradeValueFilter, type KnownIntent } from "./lexicon";
import { bucketByFirstLetter, matchPhraseAt, parsePhrase, type MatchQuality } from "./patterns";
import type { Token } from "./text";

const compiled = INTENT_WORDS.map((w) => ({ ...w, compiled: parsePhrase(w.phrase) })).sort(
  (a, b) => b.compiled.length - a.compiled.length || b.strength - a.strength,
);
/** An exact match starts with the same letter: bucketing by it makes the exact pass cheap. */
const byFirstLetter = bucketByFirstLetter(compiled, (w) => w.compiled[0].text);

export interface IntentScores {
  scores: Map<KnownIntent, number>;
  /** Intents that were only found through a typo. */
  typoOnly: Set<KnownIntent>;
  gradeValue?: GradeValueFilter;
  /** A word of the future was seen ("будет", "выйдет", "will"). */
  future: boolean;
}

export function emptyScores(): IntentScores {
  return { scores: new Map(), typoOnly: new Set(), future: false };
}

/** Adds the intent words found among the free tokens to `into` and marks them taken. */
export function scoreIntents(tokens: readonly Token[], taken: boolean[], quality: MatchQuality, into: IntentScores): void {
  for (let i = 0; i < tokens.length; i++) {
    if (FUTURE_WORDS.has(tokens[i].text)) into.future = true;
    if (taken[i] || tokens[i].kind !== "word") continue;
    const candidates = quality === "exact" ? (byFirstLetter.get(tokens[i].text[0]) ?? []) : compiled;
    const word = candidates.find((w) => matchPhraseAt(tokens, taken, i, w.compiled, quality));
    if (!word) continue;
    const known = into.scores.has(word.intent);
    into.scores.set(word.intent, (into.scores.get(word.intent) ?? 0) + word.strength);
    if (quality === "typo" && !known) into.typoOnly.add(word.intent);
    if (quality === "exact") into.typoOnly.delete(word.intent);
    if (word.gradeValue) into.gradeValue = word.gradeValue;
    for (let k = 0; k < word.compiled.length; k++) taken[i + k] = true;
    i += word.compiled.length - 1;
  }
}

/** The strongest intent; ties go to the more specific view (INTENT_PRIORITY). */
export function bestIntent(s: IntentScores): { intent: KnownIntent; score: number } | null {
  let best: { intent: KnownIntent; score: number } | null = null;
  for (const intent of INTENT_PRIORITY) {
    const score = s.scores.get(intent) ?? 0;
    if (score > 0 && (best === null || score > best.score)) best = { intent, score };
  }
  return best;
}
