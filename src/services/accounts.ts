import { TelegramAccount } from "../db/models";
import type { Language } from "../i18n";

/** Creates the account on first contact or updates its chat and language. */
export async function rememberAccount(telegramId: number, chatId: number, language: Language) {
  return TelegramAccount.findOneAndUpdate(
    { telegramId },
    { $set: { chatId, language, active: true } },
    { upsert: true, returnDocument: "after" },
  );
}
