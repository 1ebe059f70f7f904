/**
 * The diary views in MAX (issue 14): the same renderers, access checks and texts as Telegram's
 * (src/bot/features/views: `renderViewAnswer` picks the child on the server, loads the scope,
 * renders, adds the navigation and the child switcher); only the delivery differs — MAX's HTML
 * format, inline buttons, and a navigation button replacing the message it was on.
 */
import { decodeViewCallback } from "../bot/features/views/callback-data";
import { noChildText } from "../bot/features/views/child-switcher";
import { renderViewAnswer } from "../bot/features/views/show";
import { VIEWS, viewByName } from "../bot/features/views";
import { MAX_TEXT_LIMIT } from "../channels/max";
import { maxButtons, type MaxContext } from "./context";
import type { ViewDef } from "../bot/features/views/types";

/** `/grades`, `/homework` … as text commands: the view of the child chosen last. */
export function viewOfCommand(command: string): ViewDef | undefined {
  return viewByName(command);
}

export async function showMaxView(ctx: MaxContext, view: ViewDef, request: { studentId?: string; mode?: string; arg?: string; edit?: boolean } = {}): Promise<void> {
  const answer = await renderViewAnswer(ctx, ctx.deps.now(), view, { studentId: request.studentId, params: { mode: request.mode, arg: request.arg } }, MAX_TEXT_LIMIT);
  if (!answer.ok) {
    // A forged or outdated child id gets its answer on the button; everything else as a message.
    if (ctx.press && answer.reason === "not-available") await ctx.answer({ notification: ctx.t("views:access.not-available") });
    else await ctx.reply(noChildText(ctx, answer.reason));
    return;
  }
  const buttons = maxButtons(answer.rows);
  if (request.edit && ctx.press && answer.parts.length === 1) {
    await ctx.answer({ html: answer.parts[0], buttons });
    return;
  }
  await ctx.answer();
  for (const [i, part] of answer.parts.entries()) await ctx.reply(part, i === answer.parts.length - 1 ? buttons : undefined);
}

/** A `v:` button (the menu's and the views' own): the child id in it is checked again. */
export async function viewPressed(ctx: MaxContext, payload: string): Promise<void> {
  const data = decodeViewCallback(payload);
  const view = data ? VIEWS.find((v) => v.code === data.code) : undefined;
  if (!data || !view) {
    await ctx.answer({ notification: ctx.t("errors.staleButton") });
    return;
  }
  // The menu's buttons carry no child: a new message; navigation replaces the view it was on.
  await showMaxView(ctx, view, { studentId: data.studentId, mode: data.mode, arg: data.arg, edit: data.studentId !== undefined });
}
