/** The contract of the free-text question parser (what the bot gives it and gets back). */
import type { QuestionRange } from "./dates";
import type { GradeValueFilter, KnownIntent } from "./lexicon";

export type { DayRange, PeriodRef, QuestionRange } from "./dates";
export type { GradeValueFilter, KnownIntent } from "./lexicon";
export type { PeriodName } from "./time-lexicon";

export type QuestionIntent = KnownIntent | "unknown";

export interface QuestionContext {
  /** The school's today in its time zone, YYYY-MM-DD. */
  today: string;
  /** The children the asker may see (first names as the journal has them: "Мария"). */
  children: readonly { id: string; firstName: string }[];
  /** The school's subjects (Russian names: "Алгебра", "Физическая культура"). */
  subjects: readonly { id: string; name: string }[];
}

export interface NotUnderstood {
  /** Words (as written) that played no part, stopwords aside. */
  words: string[];
  /** A first name that is none of the asker's children ("Пети"): never answer for it. */
  unknownChildName?: string;
  /** A name matched several children ("Саша" for Александр and Александра). */
  ambiguousChild?: boolean;
}

export interface ParsedQuestion {
  intent: QuestionIntent;
  /** 0..1: 0.95 for a word that names the view, lower for hints, typos, rules and leftovers; 0 when unknown. */
  confidence: number;
  language: "ru" | "en";
  /** Set when exactly one child was named. */
  childId?: string;
  /** Every child named, when several were (or one name fits several). */
  childIds?: string[];
  /** Set when exactly one subject was named. */
  subjectId?: string;
  /** Every subject named, when several were. */
  subjectIds?: string[];
  /** Days (both ends inclusive) or a reporting period relative to today. */
  range?: QuestionRange;
  /** "двойки" -> "2": the grades view may show only these. */
  gradeValue?: GradeValueFilter;
  notUnderstood: NotUnderstood;
}
