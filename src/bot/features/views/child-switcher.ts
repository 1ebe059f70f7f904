/**
 * Which child an answer is about. Access is decided by src/services/access.ts on every update: an
 * id from a button or a question is re-checked with childIfAccessible, and a forged one gets "not
 * available". With several children a row of buttons with their first names switches between them;
 * the last chosen child is remembered in Account.selectedStudentId.
 */
import type { InlineKeyboardButton } from "grammy/types";
import { GuardianLink, Account } from "../../../db/models";
import { childrenOf, type AccessibleChild } from "../../../services/access";
import { firstNamesOf } from "../../../services/diary";
import type { AccessSnapshot } from "../../../services/access-snapshot";
import type { BotContext } from "../../context";
import { encodeViewCallback } from "./callback-data";

/** What choosing a child needs of a bot's context (Telegram's, or the MAX front end's: src/max/). */
export type ChooserContext = Pick<BotContext, "account" | "t"> & Partial<Pick<BotContext, "access">>;

export type ChildChoice =
  | { ok: true; child: AccessibleChild; children: AccessibleChild[] }
  | { ok: false; reason: "no-children" | "no-consent" | "not-available" };

/**
 * The child to answer about: `wantedId` when given (and accessible), else the one chosen last,
 * else the first linked. `children` may be passed when the caller already has them.
 */
export async function chooseChild(ctx: ChooserContext, wantedId?: string, known?: AccessibleChild[]): Promise<ChildChoice> {
  const children = known ?? (await childrenOf(ctx.account, ctx.access));
  if (children.length === 0) return { ok: false, reason: await whyNoChildren(ctx) };
  if (wantedId !== undefined) {
    const child = children.find((c) => String(c.studentId) === String(wantedId));
    if (!child) return { ok: false, reason: "not-available" };
    await rememberChild(ctx, child);
    return { ok: true, child, children };
  }
  const selected = ctx.account?.selectedStudentId;
  const child = (selected && children.find((c) => c.studentId.equals(selected))) || children[0];
  return { ok: true, child, children };
}

/** Linked but without current consent, or not linked at all (the pointer differs). */
async function whyNoChildren(ctx: ChooserContext): Promise<"no-children" | "no-consent"> {
  if (!ctx.account) return "no-children";
  if (ctx.access) return ctx.access.links.length ? "no-consent" : "no-children";
  const linked = await GuardianLink.exists({ accountId: ctx.account._id });
  return linked ? "no-consent" : "no-children";
}

async function rememberChild(ctx: ChooserContext, child: AccessibleChild): Promise<void> {
  const account = ctx.account;
  if (!account || account.selectedStudentId?.equals(child.studentId)) return;
  await Account.updateOne({ _id: account._id }, { $set: { selectedStudentId: child.studentId } });
  account.selectedStudentId = child.studentId;
}

/** The text for a choice that failed: a pointer to /start or /link, or "not available". */
export function noChildText(ctx: ChooserContext, reason: Exclude<ChildChoice, { ok: true }>["reason"]): string {
  return ctx.t(`views:access.${reason}`);
}

/** A row of buttons with the children's first names; the current one is marked. Empty for one child. */
export async function switcherRow(code: string, children: readonly AccessibleChild[], current: AccessibleChild, access?: AccessSnapshot | null): Promise<InlineKeyboardButton[]> {
  if (children.length < 2) return [];
  const names = await firstNamesOf(children.map((c) => c.studentId), access);
  return children.map((c) => {
    const name = names.get(String(c.studentId)) ?? "?";
    const chosen = c.studentId.equals(current.studentId);
    return { text: chosen ? `• ${name} •` : name, callback_data: encodeViewCallback({ code, studentId: String(c.studentId) }) };
  });
}
