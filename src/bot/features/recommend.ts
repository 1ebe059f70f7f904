/**
 * /recommend for teachers (regulation 2): a dialog — class → a student or the whole class →
 * subject → text → preview → send — and a one-line form `/recommend 7Б Иванова Мария: текст`
 * (`/recommend 7Б: текст` for the whole class; a subject word after the class when the teacher
 * teaches several there). The server checks every time that the teacher teaches that class and
 * subject; the worker pushes it to the guardians and sends the teacher a receipt.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type Context, type MiddlewareFn } from "grammy";
import { Types } from "mongoose";
import { Teacher } from "../../db/models";
import { sameClassName } from "../../domain/class-name";
import { escapeHtml } from "../../domain/html";
import { QUEUES } from "../../queue/names";
import { findStudents, NotAllowedError, postRecommendation, RECOMMENDATION_MAX_LENGTH, teachingScope } from "../../services/recommendations";
import { renderNotice } from "../../services/notify/render";
import type { BotContext, BotDeps } from "../context";
import type { BotFeature } from "../feature";
import { dialogLanguage, dialogT, dropButtons, unusableAnswer, waitStep, type Dialog, type DialogContext } from "../dialog";

export const RECOMMEND_DIALOG = "recommend";
const MAX_TEXT = RECOMMENDATION_MAX_LENGTH;

interface Teaching {
  schoolId: string;
  teacherId: string;
  accountId: string;
  scope: Array<{ classId: string; className: string; subjectId: string; subjectName: string }>;
}

/** The teacher roles of the sender and what each may address (plain JSON: dialogs record it). */
async function teachingOf(ctx: BotContext): Promise<Teaching | null> {
  const role = ctx.account?.roles.find((r) => r.role === "teacher" && r.teacherId);
  if (!ctx.account || !role) return null;
  const scope = await teachingScope(role.schoolId, role.teacherId!, ctx.deps.now());
  return {
    schoolId: String(role.schoolId),
    teacherId: String(role.teacherId),
    accountId: String(ctx.account._id),
    scope: scope.map((s) => ({ classId: String(s.classId), className: s.className, subjectId: String(s.subjectId), subjectName: s.subjectName })),
  };
}

async function post(ctx: BotContext, who: Teaching, classId: string, subjectId: string, studentId: string | null, text: string): Promise<"ok" | "denied"> {
  try {
    await postRecommendation(
      {
        schoolId: new Types.ObjectId(who.schoolId),
        teacherId: new Types.ObjectId(who.teacherId),
        authorAccountId: new Types.ObjectId(who.accountId),
        classId: new Types.ObjectId(classId),
        subjectId: new Types.ObjectId(subjectId),
        ...(studentId ? { studentId: new Types.ObjectId(studentId) } : {}),
        text,
        now: ctx.deps.now(),
      },
      ctx.deps.queues?.queue(QUEUES.events),
    );
    return "ok";
  } catch (error) {
    if (error instanceof NotAllowedError) return "denied";
    throw error;
  }
}

const composer = new Composer<BotContext>();

composer.command("recommend", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const who = await teachingOf(ctx);
  if (!who) return ctx.reply(ctx.t("recommend:onlyTeachers"));
  if (!who.scope.length) return ctx.reply(ctx.t("recommend:noClasses"));
  const line = (typeof ctx.match === "string" ? ctx.match : "").trim();
  if (!line) {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(RECOMMEND_DIALOG);
    return;
  }
  const colon = line.indexOf(":");
  const text = colon >= 0 ? line.slice(colon + 1).trim() : "";
  const words = (colon >= 0 ? line.slice(0, colon) : line).trim().split(/\s+/).filter(Boolean);
  if (!text || !words.length) return ctx.reply(ctx.t("recommend:usage"), { parse_mode: "HTML" });
  if (text.length > MAX_TEXT) return ctx.reply(ctx.t("recommend:tooLong", { max: MAX_TEXT }));
  const inClass = who.scope.filter((s) => sameClassName(s.className, words[0]));
  if (!inClass.length) return ctx.reply(ctx.t("recommend:notYourClass", { className: escapeHtml(words[0]) }), { parse_mode: "HTML" });
  let rest = words.slice(1);
  let subjects = inClass;
  const bySubject = rest.length ? inClass.filter((s) => s.subjectName.toLowerCase().startsWith(rest[0].toLowerCase())) : [];
  if (bySubject.length === 1) {
    subjects = bySubject;
    rest = rest.slice(1);
  }
  if (subjects.length > 1) {
    const list = subjects.map((s) => escapeHtml(s.subjectName.toLowerCase())).join(", ");
    return ctx.reply(ctx.t("recommend:whichSubject", { subjects: list, className: escapeHtml(inClass[0].className) }), { parse_mode: "HTML" });
  }
  let studentId: string | null = null;
  if (rest.length) {
    const found = await findStudents(new Types.ObjectId(who.schoolId), new Types.ObjectId(subjects[0].classId), rest.join(" "));
    if (found.length !== 1) return ctx.reply(ctx.t(found.length ? "recommend:manyStudents" : "recommend:noStudent", { name: escapeHtml(rest.join(" ")) }), { parse_mode: "HTML" });
    studentId = String(found[0]._id);
  }
  const result = await post(ctx, who, subjects[0].classId, subjects[0].subjectId, studentId, text);
  await ctx.reply(ctx.t(result === "ok" ? "recommend:queued" : "recommend:denied"));
});

export const recommendFeature: BotFeature = { name: "recommend", composer, commands: ["recommend"] };

/** The dialog; callback data carry indexes into lists the dialog itself recorded, never permissions. */
export function recommendDialog(deps: BotDeps) {
  return async function recommend(dialog: Dialog, ctx: DialogContext): Promise<void> {
    const t = await dialogT(dialog, deps);
    const who = await dialog.external((outer) => teachingOf(outer));
    if (!who?.scope.length) return;
    const own = /^rc:/;
    const pick = async (prompt: string, labels: string[], extra?: string): Promise<number> => {
      const keyboard = new InlineKeyboard();
      if (extra) keyboard.text(extra, "rc:x:-1").row();
      labels.forEach((label, i) => {
        keyboard.text(label, `rc:x:${i}`);
        if (i % 2 === 1) keyboard.row();
      });
      keyboard.row().text(t("recommend:cancel"), "rc:cancel");
      await ctx.reply(prompt, { reply_markup: keyboard });
      const answer = await waitStep(dialog, deps, { buttons: /^rc:(x:-?\d+|cancel)$/, own, hint: "recommend:hintButtons" });
      await answer.answerCallbackQuery();
      await dropButtons(answer);
      if (answer.callbackQuery!.data === "rc:cancel") return -2;
      return Number(answer.callbackQuery!.data!.slice(5));
    };
    const classes = [...new Map(who.scope.map((s) => [s.classId, s.className])).entries()];
    const c = await pick(t("recommend:chooseClass"), classes.map(([, name]) => name));
    if (c < 0 || !classes[c]) return void (await ctx.reply(t("recommend:cancelled")));
    const [classId, className] = classes[c];
    const students = await dialog.external(async () =>
      (await findStudents(new Types.ObjectId(who.schoolId), new Types.ObjectId(classId), "")).map((s) => ({ id: String(s._id), name: s.fullName })).sort((a, b) => a.name.localeCompare(b.name, "ru")),
    );
    const s = await pick(t("recommend:chooseStudent", { className }), students.map((st) => st.name), t("recommend:wholeClass"));
    if (s === -2 || (s >= 0 && !students[s])) return void (await ctx.reply(t("recommend:cancelled")));
    const student = s >= 0 ? students[s] : null;
    const subjects = who.scope.filter((x) => x.classId === classId);
    let subject = subjects[0];
    if (subjects.length > 1) {
      const j = await pick(t("recommend:chooseSubject"), subjects.map((x) => x.subjectName));
      if (j < 0 || !subjects[j]) return void (await ctx.reply(t("recommend:cancelled")));
      subject = subjects[j];
    }
    await ctx.reply(t("recommend:askText"));
    let text = "";
    for (;;) {
      const answer = await waitStep(dialog, deps, { text: true, own, hint: "recommend:hintText" });
      text = answer.message!.text!.trim();
      if (text.length > 0 && text.length <= MAX_TEXT) break;
      await unusableAnswer(dialog, deps, answer);
      await answer.reply(t("recommend:tooLong", { max: MAX_TEXT }));
    }
    const lang = await dialogLanguage(dialog);
    const teacherName = await dialog.external(async () => (await Teacher.findById(who.teacherId, { fullName: 1 }).lean())?.fullName ?? "");
    // A recommendation has no dates: the zone does not matter for its wording.
    const preview = renderNotice(deps.i18n, lang, "UTC", {
      template: "recommendation", teacher: teacherName, subject: subject.subjectName, className, ...(student ? { student: student.name } : {}), text,
    });
    await ctx.reply(`${t("recommend:preview")}\n\n${preview.html}`, {
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text(t("recommend:send"), "rc:send").text(t("recommend:cancel"), "rc:cancel"),
    });
    const answer = await waitStep(dialog, deps, { buttons: /^rc:(send|cancel)$/, own, hint: "recommend:hintButtons" });
    await answer.answerCallbackQuery();
    await dropButtons(answer);
    if (answer.callbackQuery!.data === "rc:cancel") return void (await answer.reply(t("recommend:cancelled")));
    const result = await dialog.external((outer) => post(outer, who, classId, subject.subjectId, student?.id ?? null, text));
    await answer.reply(t(result === "ok" ? "recommend:queued" : "recommend:denied"));
  };
}

export function recommendDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [createConversation<BotContext, Context>(recommendDialog(deps), RECOMMEND_DIALOG) as MiddlewareFn<BotContext>];
}
