/** The free-text question parser: `parseQuestion(text, context)`. */
export { parseQuestion } from "./parse";
export { schoolYearStart } from "./dates";
export type {
  DayRange,
  GradeValueFilter,
  KnownIntent,
  NotUnderstood,
  ParsedQuestion,
  PeriodName,
  PeriodRef,
  QuestionContext,
  QuestionIntent,
  QuestionRange,
} from "./types";
export { INTENTS } from "./lexicon";
