/**
 * parseQuestion: what a guardian's message asks (intent), about whom (child), which subject and
 * when. Slots are taken in a fixed order so a word is used once: time, children, subjects, intent
 * words; then the same again forgiving one typo; leftovers are reported, never guessed at.
 */
import { correctTimeTypos, findTime, resolveTime, type TimeFound } from "./dates";
import { bestIntent, emptyScores, scoreIntents, type IntentScores } from "./intent";
import { FUTURE_WORDS, STOPWORDS, type KnownIntent } from "./lexicon";
import { childNames, childrenNamedBy, isSomeFirstName, type ChildNames } from "./names";
import type { MatchQuality } from "./patterns";
import { buildSubjectIndex, findSubjects, type SubjectFound, type SubjectIndex } from "./subjects";
import { detectLanguage, tokenize, type Token } from "./text";
import type { ParsedQuestion, QuestionContext, QuestionIntent } from "./types";

// Compiled indexes are cached by content (a bot may rebuild the lists per message), a bounded
// number of them: a pure function of their input, so the cache is invisible to callers.
const CACHE_SIZE = 64;

function cached<V>(cache: Map<string, V>, key: string, build: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(key); // re-inserted below: the Map's order is the least-recently-used order
  }
  cache.set(key, value);
  return value;
}

const subjectIndexes = new Map<string, SubjectIndex>();
const childIndexes = new Map<string, ChildNames[]>();

function subjectIndexOf(subjects: QuestionContext["subjects"]): SubjectIndex {
  const key = subjects.map((s) => `${s.id}\u0000${s.name}`).join("\u0001");
  return cached(subjectIndexes, key, () => buildSubjectIndex(subjects));
}

function childIndexOf(children: QuestionContext["children"]): ChildNames[] {
  const key = children.map((c) => `${c.id}\u0000${c.firstName}`).join("\u0001");
  return cached(childIndexes, key, () => childNames(children));
}

/** Questions about these look back in time: "в понедельник" is the last Monday, not the next. */
const PAST_ORIENTED: ReadonlySet<QuestionIntent> = new Set(["grades", "finals", "recommendations"]);
const WHEN_WORDS: ReadonlySet<string> = new Set(["когда", "when"]);

export function parseQuestion(text: string, context: QuestionContext): ParsedQuestion {
  const tokens = tokenize(text);
  const taken = tokens.map(() => false);
  const children = childIndexOf(context.children);
  const subjectIndex = subjectIndexOf(context.subjects);

  let time = findTime(tokens, taken, context.today);
  for (const i of time?.used ?? []) taken[i] = true;

  const childIds = new Set<string>();
  let ambiguousChild = false;
  const subjects: SubjectFound[] = [];
  const scores = emptyScores();
  for (const quality of ["exact", "typo"] as MatchQuality[]) {
    // Known little words are never someone's typo: keeping them out makes the typo pass cheap.
    if (quality === "typo") {
      tokens.forEach((t, i) => (taken[i] ||= isFunctionWord(t.text)));
      time ??= findTime(correctTimeTypos(tokens, taken), taken, context.today);
      for (const i of time?.used ?? []) taken[i] = true;
    }
    tokens.forEach((token, i) => {
      if (taken[i]) return;
      const named = childrenNamedBy(token, children, quality === "typo");
      if (named.length === 0) return;
      taken[i] = true;
      named.forEach((id) => childIds.add(id));
      if (named.length > 1) ambiguousChild = true;
    });
    subjects.push(...findSubjects(tokens, taken, subjectIndex, quality));
    scoreIntents(tokens, taken, quality, scores);
  }

  const unknownAt = tokens.findIndex((t, i) => !taken[i] && isSomeFirstName(t));
  const unknownName = unknownAt >= 0 ? tokens[unknownAt] : undefined;
  if (unknownName) taken[unknownAt] = true;
  const leftovers = tokens.filter((t, i) => !taken[i]).map((t) => t.raw);

  const decision = decideIntent(scores, tokens, time, subjects.length > 0);
  const subjectIds = [...new Set(subjects.map((s) => s.subjectId))];
  const namedChildren = [...childIds];

  const result: ParsedQuestion = {
    intent: decision.intent,
    confidence: confidenceOf(decision, leftovers.length, subjects),
    language: detectLanguage(text),
    notUnderstood: { words: leftovers },
  };
  if (namedChildren.length === 1 && !ambiguousChild) result.childId = namedChildren[0];
  if (namedChildren.length > 1) result.childIds = namedChildren;
  if (subjectIds.length === 1) result.subjectId = subjectIds[0];
  if (subjectIds.length > 1) result.subjectIds = subjectIds;
  if (time) result.range = resolveTime(time.spec, context.today, PAST_ORIENTED.has(decision.intent));
  if (scores.gradeValue && decision.intent === "grades") result.gradeValue = scores.gradeValue;
  if (unknownName) result.notUnderstood.unknownChildName = unknownName.raw.replace(/['’]s$/u, "");
  if (ambiguousChild) result.notUnderstood.ambiguousChild = true;
  return result;
}

function isFunctionWord(word: string): boolean {
  return STOPWORDS.has(word) || FUTURE_WORDS.has(word) || WHEN_WORDS.has(word);
}

interface Decision {
  intent: QuestionIntent;
  score: number;
  /** Decided by a rule rather than by words naming the view. */
  byRule: boolean;
  typo: boolean;
}

/**
 * Words decide; three rules cover questions without a telling word:
 * - future + a period or final-grade words -> forecast ("какая будет четвертная", "что будет за четверть");
 * - a subject with "будет ли"/"есть ли"/"когда" or a day -> timetable ("будет ли завтра физра");
 * - anything else -> unknown (the bot answers with a hint and the menu).
 */
function decideIntent(scores: IntentScores, tokens: readonly Token[], time: TimeFound | null, hasSubject: boolean): Decision {
  const best = bestIntent(scores);
  const aboutPeriod = time?.spec.kind === "period" || (scores.scores.get("finals") ?? 0) > 0;
  const forecastable: (KnownIntent | undefined)[] = [undefined, "grades", "finals"];
  if (scores.future && aboutPeriod && forecastable.includes(best?.intent)) {
    return { intent: "forecast", score: 2, byRule: best === null, typo: false };
  }
  if (best) return { ...best, byRule: false, typo: scores.typoOnly.has(best.intent) };
  const asksWhen = tokens.some((t) => WHEN_WORDS.has(t.text));
  const aboutDay = time !== null && time.spec.kind !== "period";
  if (hasSubject && (scores.future || asksWhen || aboutDay)) {
    return { intent: "schedule", score: 1, byRule: true, typo: false };
  }
  return { intent: "unknown", score: 0, byRule: true, typo: false };
}

function confidenceOf(d: Decision, leftoverCount: number, subjects: readonly SubjectFound[]): number {
  if (d.intent === "unknown") return 0;
  let c = d.byRule ? 0.6 : d.score >= 3 ? 0.95 : d.score === 2 ? 0.85 : 0.6;
  if (d.typo) c *= 0.85;
  if (subjects.some((s) => s.quality === "typo")) c *= 0.95;
  c -= Math.min(0.3, 0.05 * leftoverCount);
  return Math.round(Math.max(0.3, c) * 100) / 100;
}
