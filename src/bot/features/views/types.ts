/** What a view is to the rest of the bot: a name, a short callback code and a render function. */
import type { InlineKeyboardButton } from "grammy/types";
import type { Language, Translate } from "../../../i18n";
import type { StudentScope } from "../../../services/diary";
import type { GradeValueFilter, QuestionRange } from "../../../domain/question";

export const VIEW_NAMES = ["grades", "forecast", "homework", "schedule", "tests", "teachers", "holidays", "recommendations", "finals"] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** What to show: navigation buttons set `mode`/`arg`; questions set the slots they found. */
export interface ViewParams {
  mode?: string;
  arg?: string;
  range?: QuestionRange;
  subjectId?: string;
  gradeValue?: GradeValueFilter;
}

export interface ViewContext {
  t: Translate;
  lang: Language;
  scope: StudentScope;
  /** Callback data of a button that shows this view for this child in another mode. */
  button(mode?: string, arg?: string): string;
}

export interface RenderedView {
  /** Message sections (Telegram HTML, values escaped); long answers are split between them. */
  sections: string[];
  /** The view's own button rows (navigation); the child switcher is added below them. */
  buttons?: InlineKeyboardButton[][];
}

export interface ViewDef {
  name: ViewName;
  /** Short code in callback data (64 bytes at most: codes stay short). */
  code: string;
  render(view: ViewContext, params: ViewParams): Promise<RenderedView>;
}
