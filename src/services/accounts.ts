import { Account, type AccountDocument } from "../db/models";
import type { Language } from "../i18n";

/**
 * Creates the account on first contact or updates its chat and language. The chat is the person's
 * private chat with the bot, whose id in Telegram is the user's own id: a group's id is refused,
 * so that nothing personal is ever sent where others read it (issue #16.1).
 */
export async function rememberAccount(telegramId: number, chatId: number, language: Language) {
  if (chatId !== telegramId) throw new Error("an account's chat must be its private chat");
  return Account.findOneAndUpdate(
    { telegramId },
    { $set: { chatId, language, active: true } },
    { upsert: true, returnDocument: "after" },
  );
}

/**
 * A user who had blocked the bot (Telegram answered 403) writes again: the account is reachable
 * once more. Its delivery mode follows by itself (src/services/people.ts): it was on paper only
 * while nothing reached it; a paper choice or a refusal stays.
 */
export async function reactivateAccount(account: AccountDocument): Promise<void> {
  await Account.updateOne({ _id: account._id }, { $set: { active: true }, $unset: { blockedAt: 1 } });
  account.active = true;
  account.blockedAt = undefined;
}

/**
 * The account of a Telegram user who opened the Mini App: found, or made as the bot makes it on
 * first contact (a private chat's id is the user's id). A stored language is left as it is.
 */
export async function accountOfTelegramUser(telegramId: number, language: Language): Promise<AccountDocument> {
  return (await Account.findOneAndUpdate(
    { telegramId },
    { $setOnInsert: { telegramId, chatId: telegramId, language } },
    { upsert: true, returnDocument: "after" },
  ))!;
}
