/**
 * The bot works in private chats only (issue #16.1). In a group, a button or a command would show
 * or change one person's data in front of everyone — a language button pressed there once moved a
 * parent's notifications into the group. So no feature ever sees an update from a group or a
 * channel: when the bot is added to one (or hears from one it is still in), it says once, in the
 * language of the person who added it or wrote, that it works only in private chats, and leaves.
 * A button pressed there gets the same answer as a short alert. The account's chat is set only
 * from private chats (services/accounts.ts refuses anything else).
 */
import type { MiddlewareFn } from "grammy";
import { languageFromTelegram, translator } from "../../i18n";
import type { BotContext, BotDeps } from "../context";

export function privateChatsOnly(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const chat = ctx.chat;
    if (!chat || chat.type === "private") return next();
    // The bot's own membership ended (it left, or was removed): nothing to say, nowhere to say it.
    const status = ctx.myChatMember?.new_chat_member.status;
    if (status === "left" || status === "kicked") return;

    const t = translator(deps.i18n, languageFromTelegram(ctx.from?.language_code, deps.config.DEFAULT_LOCALE));
    if (ctx.callbackQuery) {
      try {
        await ctx.answerCallbackQuery({ text: t("groups.privateOnlyButton"), show_alert: true });
      } catch {
        // The alert is a courtesy; leaving is what matters.
      }
    }
    // A channel's readers did not ask; a group's members did (someone added the bot there).
    if (chat.type !== "channel") {
      try {
        await ctx.api.sendMessage(chat.id, t("groups.privateOnly", { bot: ctx.me.username }));
      } catch (error) {
        deps.logger.warn({ chatType: chat.type, err: { message: error instanceof Error ? error.message : String(error) } }, "could not say why the bot leaves a group");
      }
    }
    try {
      await ctx.api.leaveChat(chat.id);
      deps.logger.info({ chatType: chat.type }, "left a group chat: the bot works in private chats only");
    } catch (error) {
      deps.logger.warn({ chatType: chat.type, err: { message: error instanceof Error ? error.message : String(error) } }, "could not leave a group chat");
    }
  };
}
