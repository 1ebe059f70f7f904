/**
 * One MAX update in (issue 14): who sent it (their account, language), then what it is — "Start"
 * in the bot's profile, a command, a text for a waiting dialog step, a button press. Dialogs with
 * the bot only: a group chat sees no personal data (as the Telegram bot's private-chats rule).
 * Errors are answered once ("something went wrong") and logged with ids only.
 */
import type { Update, User } from "@maxhub/max-bot-api/types";
import { Account, type AccountDocument } from "../db/models";
import { languageFromTelegram, translator } from "../i18n";
import { escapeHtml } from "../domain/html";
import { rememberMaxAccount, markMaxBlocked } from "../services/accounts";
import { dropExpiredRoles } from "../services/staff";
import { makeMaxContext, type MaxContext, type MaxDeps } from "./context";
import { dialogPress, dialogText, showMenu, startOnboarding } from "./onboarding";
import { privacyPressed, sendMaxMyData, showPrivacy } from "./privacy";
import { showMaxView, viewOfCommand, viewPressed } from "./views";
import { sendMaxWebLink } from "./web";
import { sendMaxConsentForms } from "./consent-forms";
import { CONSENT_FORMS_CALLBACK } from "../print/non-responders";

interface Incoming {
  user: User;
  chatId?: number;
  locale?: string | null;
  text?: string;
  press?: MaxContext["press"];
  started?: boolean;
}

/** MAX's `user_locale` ("ru", "en-US"…); its type in the client has no members. */
const localeOf = (update: { user_locale?: unknown }): string | undefined => (typeof update.user_locale === "string" ? update.user_locale : undefined);

/** The parts of an update the front end acts on; null for everything else (edits, groups, bots). */
function incomingOf(update: Update): Incoming | null {
  switch (update.update_type) {
    case "bot_started":
      return { user: update.user, chatId: update.chat_id, locale: localeOf(update), started: true };
    case "message_created": {
      const m = update.message;
      if (!m.sender || m.sender.is_bot || m.recipient.chat_type !== "dialog") return null;
      return { user: m.sender, chatId: m.recipient.chat_id ?? undefined, locale: localeOf(update), text: (m.body.text ?? "").trim() };
    }
    case "message_callback":
      if (update.callback.user.is_bot) return null;
      return {
        user: update.callback.user,
        chatId: update.message?.recipient.chat_id ?? undefined,
        locale: localeOf(update),
        press: { callbackId: update.callback.callback_id, payload: update.callback.payload ?? "", mid: update.message?.body.mid },
      };
    default:
      return null;
  }
}

export async function handleMaxUpdate(deps: MaxDeps, update: Update): Promise<void> {
  if (update.update_type === "bot_stopped" || update.update_type === "dialog_removed") {
    // The user stopped the bot: nothing reaches them in MAX until they start it again.
    await markMaxBlocked({ maxUserId: update.user.user_id }, deps.now());
    return;
  }
  const incoming = incomingOf(update);
  if (!incoming) return;
  let account: AccountDocument | null = await Account.findOne({ "max.userId": incoming.user.user_id });
  if (account?.max?.blockedAt) account = await rememberMaxAccount(incoming.user.user_id, incoming.chatId, account.language);
  if (account) dropExpiredRoles(account, deps.now());
  const lang = account?.language ?? languageFromTelegram(incoming.locale ?? undefined, deps.config.DEFAULT_LOCALE);
  const ctx = makeMaxContext(deps, { userId: incoming.user.user_id, chatId: incoming.chatId, account, lang, t: translator(deps.i18n, lang), press: incoming.press });
  try {
    await dispatch(ctx, incoming);
  } catch (error) {
    deps.logger.error({ updateType: update.update_type, accountId: account ? String(account._id) : undefined, err: { type: error instanceof Error ? error.name : "unknown" } }, "max: update failed");
    await ctx.reply(escapeHtml(ctx.t("errors.internal"))).catch(() => undefined);
  }
}

async function dispatch(ctx: MaxContext, incoming: Incoming): Promise<void> {
  if (incoming.press) return pressed(ctx, incoming.press.payload);
  const command = incoming.started ? "start" : /^\/([a-z]+)(?:@\S+)?(?:\s|$)/i.exec(incoming.text ?? "")?.[1]?.toLowerCase();
  if (command === "start" || command === "link") {
    ctx.account = await rememberMaxAccount(ctx.userId, ctx.chatId, ctx.lang);
    return startOnboarding(ctx, command);
  }
  if (command === "privacy") return showPrivacy(ctx);
  if (command === "mydata") return sendMaxMyData(ctx);
  if (command === "web") return sendMaxWebLink(ctx);
  if (command === "menu") return showMenu(ctx, "max:menu");
  if (command === "help") return ctx.reply(ctx.t("max:help"));
  const view = command ? viewOfCommand(command) : undefined;
  if (view) return showMaxView(ctx, view);
  if (command) return ctx.reply(ctx.t("max:unknownCommand"));
  if (await dialogText(ctx, incoming.text ?? "")) return;
  await ctx.reply(ctx.t(ctx.account ? "max:unhandled" : "max:notStarted"));
}

async function pressed(ctx: MaxContext, payload: string): Promise<void> {
  if (payload.startsWith("cs:") || payload.startsWith("ob:")) return dialogPress(ctx, payload);
  if (payload.startsWith("v:")) return viewPressed(ctx, payload);
  if (payload.startsWith("pv:")) return privacyPressed(ctx, payload);
  if (payload.startsWith(CONSENT_FORMS_CALLBACK)) return sendMaxConsentForms(ctx, payload.slice(CONSENT_FORMS_CALLBACK.length));
  await ctx.answer({ notification: ctx.t("errors.staleButton") });
}
