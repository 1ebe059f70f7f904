/**
 * Helpers for the bot's dialogs (grammY conversations, state in MongoDB: see session.ts).
 *
 * A dialog function is replayed from its start on every update, so everything that reads or writes
 * the database, or the clock, goes through `dialog.external(...)` (its result is recorded and must
 * be plain JSON). `waitStep` is the one place that decides what an impatient user gets: commands,
 * main-menu buttons and other features' buttons pass through to their handlers while the dialog
 * keeps waiting; an old button of this dialog is answered as out of date; anything else (a sticker,
 * text where a button is expected) gets a hint. Never silence, never an error.
 */
import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import { translator, type Language, type Translate } from "../i18n";
import type { BotContext, BotDeps } from "./context";
import { MENU_BUTTONS, menuLabels } from "./menu";

export type DialogContext = Context;
export type Dialog = Conversation<BotContext, DialogContext>;
export type DialogBuilder = (dialog: Dialog, ctx: DialogContext, ...args: never[]) => Promise<unknown>;

/** The language of the update now handled (recorded: replays see the same). */
export async function dialogLanguage(dialog: Dialog): Promise<Language> {
  return dialog.external((ctx) => ctx.lang);
}

export async function dialogT(dialog: Dialog, deps: BotDeps): Promise<Translate> {
  return translator(deps.i18n, await dialogLanguage(dialog));
}

/** The bot's clock (tests freeze it), recorded. */
export async function dialogNow(dialog: Dialog): Promise<Date> {
  return new Date(await dialog.external((ctx) => ctx.deps.now().getTime()));
}

export interface StepOptions {
  /** Buttons this step accepts. */
  buttons?: RegExp;
  /** The dialog's own buttons: a press of one this step does not accept is an old button. */
  own?: RegExp;
  /** Whether this step accepts text (the dialog checks it). */
  text?: boolean;
  /** Whether this step accepts a shared contact. */
  contact?: boolean;
  /** Locale key of the hint for anything else. */
  hint: string;
}

const COMMAND_RE = /^\/[A-Za-z0-9_]+(@\w+)?(\s|$)/;

function isMenuLabel(deps: BotDeps, text: string): boolean {
  return MENU_BUTTONS.some((button) => menuLabels(deps.i18n, button).includes(text));
}

/** Waits for what this step accepts; see the file comment for everything else. */
export async function waitStep(dialog: Dialog, deps: BotDeps, options: StepOptions): Promise<DialogContext> {
  for (;;) {
    const ctx = await dialog.wait();
    const data = ctx.callbackQuery?.data;
    if (data !== undefined) {
      if (options.buttons?.test(data)) return ctx;
      if (!options.own?.test(data)) await dialog.skip({ next: true });
      const t = await dialogT(dialog, deps);
      await ctx.answerCallbackQuery({ text: t("errors.staleButton") });
      continue;
    }
    const message = ctx.message;
    if (!message) await dialog.skip({ next: true });
    const text = message?.text;
    if (text !== undefined && (COMMAND_RE.test(text) || isMenuLabel(deps, text))) await dialog.skip({ next: true });
    if (text !== undefined && options.text) return ctx;
    if (message?.contact && options.contact) return ctx;
    const t = await dialogT(dialog, deps);
    await ctx.reply(t(options.hint), { parse_mode: "HTML" });
  }
}

/** Removes the buttons under the message a button was pressed on, so old choices cannot be pressed again. */
export async function dropButtons(ctx: DialogContext): Promise<void> {
  try {
    await ctx.editMessageReplyMarkup();
  } catch {
    // The message may be too old to edit or already without buttons: nothing to undo.
  }
}
