/**
 * Answers with a view: picks the child (access checked), loads the scope, renders, splits long
 * answers under Telegram's limit, adds the child switcher and sends — or, for a navigation button,
 * edits the message the button was on.
 */
import { GrammyError } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { AccessibleChild } from "../../../services/access";
import { loadScope } from "../../../services/diary";
import { escapeHtml } from "../../../domain/html";
import { splitMessage } from "../../../domain/format";
import type { BotContext } from "../../context";
import { encodeViewCallback } from "./callback-data";
import { chooseChild, noChildText, switcherRow, type ChooserContext } from "./child-switcher";
import type { ViewContext, ViewDef, ViewParams } from "./types";

export interface ShowRequest {
  /** A child asked for by id (a button, a named child); checked again here. */
  studentId?: string;
  params?: ViewParams;
  /** Edit the message the pressed button is on (when the answer fits in one message). */
  edit?: boolean;
  /** The accessible children, when the caller already has them. */
  children?: AccessibleChild[];
}

export type ShowResult = "shown" | "no-children" | "no-consent" | "not-available";

/** A view ready to send: its parts (HTML, under `limit` each) and its button rows; or why there is none. */
export type RenderedAnswer = { ok: true; parts: string[]; rows: InlineKeyboardButton[][] } | { ok: false; reason: Exclude<ShowResult, "shown"> };

/**
 * Picks the child (access checked on the server), loads the scope and renders the view with its
 * header, navigation and child switcher — for any front end (Telegram here, MAX in src/max/views.ts).
 */
export async function renderViewAnswer(ctx: ChooserContext & Pick<BotContext, "lang">, now: Date, view: ViewDef, request: ShowRequest = {}, limit?: number): Promise<RenderedAnswer> {
  const choice = await chooseChild(ctx, request.studentId, request.children);
  if (!choice.ok) return { ok: false, reason: choice.reason };
  const scope = await loadScope(choice.child, now, ctx.access);
  if (!scope) return { ok: false, reason: "not-available" };
  const viewContext: ViewContext = {
    t: ctx.t,
    lang: ctx.lang,
    scope,
    button: (mode, arg) => encodeViewCallback({ code: view.code, studentId: String(scope.studentId), mode, arg }),
  };
  const rendered = await view.render(viewContext, request.params ?? {});
  const header = ctx.t("views:header", {
    title: ctx.t(`views:${view.name}.title`),
    name: escapeHtml(scope.firstName),
    className: escapeHtml(scope.className),
  });
  const switcher = await switcherRow(view.code, choice.children, choice.child, ctx.access);
  const rows = [...(rendered.buttons ?? []), switcher].filter((row) => row.length > 0);
  return { ok: true, parts: splitMessage([header, ...rendered.sections], limit), rows };
}

export async function showView(ctx: BotContext, view: ViewDef, request: ShowRequest = {}): Promise<ShowResult> {
  const answer = await renderViewAnswer(ctx, ctx.deps.now(), view, request);
  if (!answer.ok) {
    await tellNoChild(ctx, answer.reason);
    return answer.reason;
  }
  await deliver(ctx, answer.parts, answer.rows, request.edit ?? false);
  return "shown";
}

async function tellNoChild(ctx: BotContext, reason: Exclude<ShowResult, "shown">): Promise<void> {
  const text = noChildText(ctx, reason);
  // A forged or outdated button gets its answer on the button; everything else as a message.
  if (ctx.callbackQuery && reason === "not-available") return;
  await ctx.reply(text, { parse_mode: "HTML" });
}

async function deliver(ctx: BotContext, parts: string[], rows: InlineKeyboardButton[][], edit: boolean): Promise<void> {
  const markup: InlineKeyboardMarkup | undefined = rows.length > 0 ? { inline_keyboard: rows } : undefined;
  if (edit && parts.length === 1 && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(parts[0], { parse_mode: "HTML", reply_markup: markup });
      return;
    } catch (error) {
      // Pressing the button of what is already shown is not an error; an old message may not be editable.
      if (error instanceof GrammyError && error.description.includes("message is not modified")) return;
      if (!(error instanceof GrammyError)) throw error;
    }
  }
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    await ctx.reply(part, { parse_mode: "HTML", ...(last && markup ? { reply_markup: markup } : {}) });
  }
}
