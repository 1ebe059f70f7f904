/**
 * Helpers for the bot's dialogs (grammY conversations, state in MongoDB: see session.ts).
 *
 * A dialog function is replayed from its start on every update, so everything that reads or writes
 * the database, or the clock, goes through `dialog.external(...)` (its result is recorded and must
 * be plain JSON). `waitStep` is the one place that decides what an impatient user gets: commands,
 * main-menu buttons and other features' buttons pass through to their handlers while the dialog
 * keeps waiting; an old button of this dialog is answered as out of date; anything else (a sticker,
 * text where a button is expected) gets a hint. Never silence, never an error.
 *
 * Bounded (issue #16.4): every update a dialog takes is kept in its state and replayed on the next
 * one, so a user who keeps typing would grow both without end. A dialog therefore ends, with a
 * clear message, at its `MAX_UNUSABLE_ANSWERS`-th unusable answer (a hint given, or an answer the
 * dialog refused: `unusableAnswer`) and after `MAX_DIALOG_UPDATES` updates in all. Updates that
 * pass through (commands, menu buttons, other features' buttons) leave no trace in the state.
 * The counts live in the replay itself (a replay recounts the same updates), not in storage.
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
  /** Whether this step accepts a file sent as a document. */
  document?: boolean;
  /** Locale key of the hint for anything else. */
  hint: string;
}

/** Unusable answers a dialog takes; the last one ends it. */
export const MAX_UNUSABLE_ANSWERS = 5;
/** Updates a dialog takes in all (the longest, /paperconsent, needs about 13). */
export const MAX_DIALOG_UPDATES = 30;

const COMMAND_RE = /^\/[A-Za-z0-9_]+(@\w+)?(\s|$)/;

function isMenuLabel(deps: BotDeps, text: string): boolean {
  return MENU_BUTTONS.some((button) => menuLabels(deps.i18n, button).includes(text));
}

/** An update (not a button press) that belongs to another feature: anything but a message, a command, a main-menu label. */
export function passesThrough(deps: BotDeps, ctx: DialogContext): boolean {
  const text = ctx.message?.text;
  return !ctx.message || (text !== undefined && (COMMAND_RE.test(text) || isMenuLabel(deps, text)));
}

/** The counts of this run of the dialog function (one `Dialog` object per replay). */
const tallies = new WeakMap<Dialog, { updates: number; unusable: number }>();

function tally(dialog: Dialog): { updates: number; unusable: number } {
  let counts = tallies.get(dialog);
  if (!counts) tallies.set(dialog, (counts = { updates: 0, unusable: 0 }));
  return counts;
}

/** Says why and ends the dialog (its state is removed; the update goes no further). */
async function endDialog(dialog: Dialog, deps: BotDeps, ctx: DialogContext, key: string): Promise<never> {
  const t = await dialogT(dialog, deps);
  await ctx.reply(t(key), { parse_mode: "HTML" });
  return dialog.halt();
}

/**
 * Call before telling the user that their answer cannot be used (a text that is not a code, a
 * text too long): the `MAX_UNUSABLE_ANSWERS`-th ends the dialog instead, with its own message.
 */
export async function unusableAnswer(dialog: Dialog, deps: BotDeps, ctx: DialogContext): Promise<void> {
  if (++tally(dialog).unusable >= MAX_UNUSABLE_ANSWERS) await endDialog(dialog, deps, ctx, "dialog.tooManyUnusable");
}

/** Waits for what this step accepts; see the file comment for everything else. */
export async function waitStep(dialog: Dialog, deps: BotDeps, options: StepOptions): Promise<DialogContext> {
  for (;;) {
    const ctx = await dialog.wait();
    const data = ctx.callbackQuery?.data;
    if (data !== undefined && !options.buttons?.test(data) && !options.own?.test(data)) await dialog.skip({ next: true });
    if (data === undefined && passesThrough(deps, ctx)) await dialog.skip({ next: true });
    // Whatever stays in the dialog is kept in its state: the history is bounded.
    if (++tally(dialog).updates > MAX_DIALOG_UPDATES) {
      if (data !== undefined) await ctx.answerCallbackQuery();
      await endDialog(dialog, deps, ctx, "dialog.tooLong");
    }
    if (data !== undefined) {
      if (options.buttons?.test(data)) return ctx;
      const t = await dialogT(dialog, deps);
      await ctx.answerCallbackQuery({ text: t("errors.staleButton") });
      await unusableAnswer(dialog, deps, ctx);
      continue;
    }
    if (ctx.message?.text !== undefined && options.text) return ctx;
    if (ctx.message?.contact && options.contact) return ctx;
    if (ctx.message?.document && options.document) return ctx;
    await unusableAnswer(dialog, deps, ctx);
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
