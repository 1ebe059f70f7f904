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
 * The accounts that have a Telegram chat (staff tools — printouts, lists for teachers and admins —
 * go through the Telegram bot only; an account known only through MAX has none).
 */
export function withTelegramChat<T extends { chatId?: number | null }>(accounts: readonly T[]): Array<T & { chatId: number }> {
  return accounts.filter((a): a is T & { chatId: number } => typeof a.chatId === "number");
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

/**
 * The account of a MAX user (issue 14): found by their MAX id or made on first contact, the dialog
 * chat kept, and a block recorded earlier cleared (they are writing again). The language is set only
 * when the account is made; a stored choice stays.
 */
export async function rememberMaxAccount(maxUserId: number, chatId: number | undefined, language: Language): Promise<AccountDocument> {
  return (await Account.findOneAndUpdate(
    { "max.userId": maxUserId },
    { $set: { ...(chatId !== undefined ? { "max.chatId": chatId } : {}) }, $unset: { "max.blockedAt": 1 }, $setOnInsert: { language } },
    { upsert: true, returnDocument: "after" },
  ))!;
}

/** MAX refused to deliver to this account (the user stopped the bot): unreachable there until they write again. */
export async function markMaxBlocked(accountOrUser: { accountId: unknown } | { maxUserId: number }, at: Date): Promise<void> {
  const filter = "accountId" in accountOrUser ? { _id: accountOrUser.accountId, "max.userId": { $type: "number" } } : { "max.userId": accountOrUser.maxUserId };
  await Account.updateOne(filter as Record<string, unknown>, { $set: { "max.blockedAt": at } });
}

/** Whether the account is one of the bootstrap admins named by Telegram id (ADMIN_TELEGRAM_IDS). */
export function isBootstrapAdmin(account: { telegramId?: number | null }, bootstrapAdmins: readonly number[]): boolean {
  return typeof account.telegramId === "number" && bootstrapAdmins.includes(account.telegramId);
}
