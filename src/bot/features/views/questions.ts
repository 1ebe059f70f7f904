/**
 * Free-text questions ("какие оценки у Маши на этой неделе?", "что задано на завтра по алгебре"):
 * parseQuestion finds the intent, child, subject and time; the answer is the same view a command
 * gives. A name that is none of the asker's children gets "not available" and nothing else about
 * it; a question the parser cannot place gets a friendly hint and the main menu, never silence.
 */
import { Composer } from "grammy";
import type { Types } from "mongoose";
import { School, Subject } from "../../../db/models";
import { parseQuestion, type ParsedQuestion } from "../../../domain/question";
import { escapeHtml } from "../../../domain/html";
import { schoolDay } from "../../../domain/time";
import { childrenOf, type AccessibleChild } from "../../../services/access";
import { firstNamesOf } from "../../../services/diary";
import type { BotContext } from "../../context";
import type { BotFeature } from "../../feature";
import { mainMenu } from "../../menu";
import { chooseChild, noChildText } from "./child-switcher";
import { showView } from "./show";
import type { ViewDef } from "./types";

/** Longer texts are not questions to parse (a pasted letter, a code list): they get the hint. */
const MAX_QUESTION_LENGTH = 300;

interface AskerContext {
  children: AccessibleChild[];
  /** The school of the child a question without a name is about. */
  defaultSchoolId: Types.ObjectId;
  names: Map<string, string>;
  subjects: Array<{ id: string; name: string; schoolId: string }>;
  today: string;
}

async function askerContext(ctx: BotContext, children: AccessibleChild[]): Promise<AskerContext> {
  const schoolIds = [...new Map(children.map((c) => [String(c.schoolId), c.schoolId])).values()];
  const [names, subjects, schools] = await Promise.all([
    firstNamesOf(children.map((c) => c.studentId)),
    Subject.find({ schoolId: { $in: schoolIds } }, { name: 1, schoolId: 1 }).lean(),
    School.find({ _id: { $in: schoolIds } }, { timezone: 1 }).lean(),
  ]);
  // "Today" is the school's day of the child chosen last (children in two zones are rare).
  const choice = await chooseChild(ctx, undefined, children);
  const schoolId = choice.ok ? choice.child.schoolId : children[0].schoolId;
  const zone = schools.find((s) => s._id.equals(schoolId))?.timezone ?? ctx.deps.config.DEFAULT_TIMEZONE;
  return {
    children,
    defaultSchoolId: schoolId,
    names,
    subjects: subjects.map((s) => ({ id: String(s._id), name: s.name, schoolId: String(s.schoolId) })),
    today: schoolDay(ctx.deps.now(), zone),
  };
}

/** The same subject in the child's own school (subject ids are per school; names are shared). */
function subjectFor(asker: AskerContext, subjectId: string | undefined, schoolId: Types.ObjectId): string | undefined {
  const named = asker.subjects.find((s) => s.id === subjectId);
  if (!named) return undefined;
  return named.schoolId === String(schoolId) ? named.id : asker.subjects.find((s) => s.schoolId === String(schoolId) && s.name === named.name)?.id;
}

async function hint(ctx: BotContext): Promise<void> {
  await ctx.reply(ctx.t("views:questions.hint"), { parse_mode: "HTML", reply_markup: mainMenu(ctx.t) });
}

export function questionsFeature(viewByName: (name: string) => ViewDef | undefined): BotFeature {
  const composer = new Composer<BotContext>();
  composer.chatType("private").on("message:text", async (ctx, next) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) return next(); // an unknown command: "unhandled" answers it
    const children = await childrenOf(ctx.account, ctx.access);
    if (children.length === 0) {
      // Only a recognisable question gets the pointer; anything else is not ours to answer.
      const parsed = parseQuestion(text, { today: schoolDay(ctx.deps.now(), ctx.deps.config.DEFAULT_TIMEZONE), children: [], subjects: [] });
      if (parsed.intent === "unknown" || parsed.intent === "help") return next();
      const choice = await chooseChild(ctx, undefined, children);
      if (!choice.ok) await ctx.reply(noChildText(ctx, choice.reason), { parse_mode: "HTML" });
      return;
    }
    if (text.length > MAX_QUESTION_LENGTH) return hint(ctx);
    const asker = await askerContext(ctx, children);
    const parsed = parseQuestion(text, {
      today: asker.today,
      children: children.map((c) => ({ id: String(c.studentId), firstName: asker.names.get(String(c.studentId)) ?? "" })),
      subjects: asker.subjects,
    });
    await answer(ctx, parsed, asker, viewByName);
  });
  return { name: "questions", composer };
}

async function answer(ctx: BotContext, parsed: ParsedQuestion, asker: AskerContext, viewByName: (name: string) => ViewDef | undefined): Promise<void> {
  const named = parsed.childIds ?? (parsed.childId ? [parsed.childId] : []);
  const stranger = parsed.notUnderstood.unknownChildName;
  if (stranger) {
    // Never another child's data: not even whether such a child exists at the school.
    await ctx.reply(ctx.t("views:questions.notYourChild", { name: escapeHtml(stranger) }), { parse_mode: "HTML" });
    if (named.length === 0) return;
  }
  const view = viewByName(parsed.intent);
  if (!view) return hint(ctx);
  const targets = named.length > 0 ? named : [undefined];
  for (const studentId of targets) {
    const child = studentId ? asker.children.find((c) => String(c.studentId) === studentId) : undefined;
    const schoolId = child?.schoolId ?? asker.defaultSchoolId;
    await showView(ctx, view, {
      studentId,
      children: asker.children,
      params: {
        ...(parsed.range ? { range: parsed.range } : {}),
        ...(parsed.gradeValue ? { gradeValue: parsed.gradeValue } : {}),
        ...(parsed.subjectId ? { subjectId: subjectFor(asker, parsed.subjectId, schoolId) } : {}),
      },
    });
  }
}
