/**
 * Contact details (regulation 7), the person's own: the e-mail they enter, confirmed by a code sent
 * to it (a dialog), and the phone shared with Telegram's contact button (only the sender's own number
 * is accepted: Telegram verified it). Each contact shows where it came from; only one's own can be
 * removed. Offered only while the person's consent is in force (issue #16.11); what the journal
 * says about the guardian record is shown below, masked.
 */
import { Composer, InlineKeyboard, Keyboard } from "grammy";
import { createEmailChannel, emailHtml } from "../../../channels/email";
import type { ContactKind } from "../../../db/models";
import { maskEmail, normalizePhone } from "../../../domain/codes";
import { escapeHtml } from "../../../domain/html";
import { translator, type Translate } from "../../../i18n";
import { accessibleChildren } from "../../../services/access";
import { confirmEmail, contactsOf, journalContactsOf, removeOwnContact, savePhone, settingsAccess, startEmailVerification } from "../../../services/contacts";
import type { BotContext, BotDeps } from "../../context";
import { dialogLanguage, dialogNow, dialogT, waitStep, type Dialog, type DialogContext } from "../../dialog";
import { mainMenu } from "../../menu";
import type { SettingsSection } from "./section";

export const contactsSection: SettingsSection = { key: "contacts", labelKey: "settings:menu.contacts", callback: "st:contacts" };
export const EMAIL_DIALOG = "settingsEmail";

async function renderContacts(ctx: BotContext) {
  const { contacts } = await contactsOf(ctx.account!);
  const journal = await journalContactsOf(ctx.account!);
  const lines = [ctx.t("settings:contacts.title"), ""];
  if (!contacts.length) lines.push(ctx.t("settings:contacts.none"));
  for (const c of contacts) {
    const state = c.verified ? "" : ` — ${ctx.t("settings:contacts.unverified")}`;
    lines.push(`• ${ctx.t(`settings:contacts.kinds.${c.kind}`)}: ${escapeHtml(c.value)} (${ctx.t(`settings:sources.${c.source}`)})${state}`);
  }
  if (journal.length) {
    // The journal's record may describe another person (a second parent): its contacts only masked, never used for this account.
    lines.push("", ctx.t("settings:contacts.journal"));
    for (const c of journal) lines.push(`• ${escapeHtml(c.record ?? "—")}: ${ctx.t(`settings:contacts.kinds.${c.kind}`)} ${escapeHtml(c.value)}`);
  }
  lines.push("", ctx.t("settings:contacts.hint"));
  const own = (kind: ContactKind) => contacts.some((c) => c.kind === kind && c.source === "guardian");
  const keyboard = new InlineKeyboard().text(ctx.t("settings:buttons.email"), "st:email").row().text(ctx.t("settings:buttons.phone"), "st:phone").row();
  if (own("email")) keyboard.text(ctx.t("settings:buttons.removeEmail"), "st:rm:email").row();
  if (own("phone")) keyboard.text(ctx.t("settings:buttons.removePhone"), "st:rm:phone").row();
  keyboard.text(ctx.t("settings:buttons.back"), "st:menu");
  return { text: lines.join("\n"), keyboard };
}

/** Contacts are taken only from a person whose consent is in force (issue #16.11); others get one clear line. */
async function mayGiveContacts(ctx: BotContext): Promise<boolean> {
  if (ctx.account && (await settingsAccess(ctx.account)).consent) return true;
  await ctx.answerCallbackQuery({ text: ctx.t("settings:contacts.needConsent"), show_alert: true });
  return false;
}

/** After the contact keyboard: the main menu again (or no keyboard when no child is visible). */
async function restoreMenu(ctx: BotContext, key: string): Promise<void> {
  const children = await accessibleChildren(ctx.account);
  await ctx.reply(ctx.t(key), { parse_mode: "HTML", reply_markup: children.length ? mainMenu(ctx.t) : { remove_keyboard: true } });
}

const cancelLabels = (ctx: BotContext) => ["ru", "en"].map((lang) => ctx.deps.i18n.getFixedT(lang)("settings:phone.cancel"));

export const contactsComposer = new Composer<BotContext>();

contactsComposer.callbackQuery("st:contacts", async (ctx) => {
  if (!(await mayGiveContacts(ctx))) return;
  await ctx.answerCallbackQuery();
  const view = await renderContacts(ctx);
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});

contactsComposer.callbackQuery(/^st:rm:(email|phone)$/, async (ctx) => {
  if (!ctx.account) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  await removeOwnContact(ctx.account, ctx.match[1] as ContactKind);
  await ctx.answerCallbackQuery({ text: ctx.t("settings:contacts.removed") });
  const view = await renderContacts(ctx);
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
});

contactsComposer.callbackQuery("st:email", async (ctx) => {
  if (!(await mayGiveContacts(ctx))) return;
  await ctx.answerCallbackQuery();
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(EMAIL_DIALOG);
});

contactsComposer.callbackQuery("st:phone", async (ctx) => {
  if (!(await mayGiveContacts(ctx))) return;
  await ctx.answerCallbackQuery();
  const keyboard = new Keyboard().requestContact(ctx.t("settings:phone.share")).row().text(ctx.t("settings:phone.cancel")).resized().oneTime();
  await ctx.reply(ctx.t("settings:phone.ask"), { reply_markup: keyboard });
});

contactsComposer.on("message:contact", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const contact = ctx.message.contact;
  // Only the sender's own contact: someone else's card could carry any number.
  if (contact.user_id !== ctx.from.id) {
    await ctx.reply(ctx.t("settings:phone.notOwn"));
    return;
  }
  const saved = ctx.account ? await savePhone(ctx.account, normalizePhone(contact.phone_number), ctx.deps.now()) : "no-consent";
  if (saved === "no-consent") await restoreMenu(ctx, "settings:contacts.needConsent");
  else await restoreMenu(ctx, saved === "saved" ? "settings:phone.saved" : "settings:phone.invalid");
});

contactsComposer.on("message:text", async (ctx, next) => {
  if (!cancelLabels(ctx).includes(ctx.message.text)) return next();
  await restoreMenu(ctx, "settings:phone.cancelled");
});

/** "Try again in 40 minutes" / "in 5 hours" (rounded up: never earlier than allowed). */
function retryText(t: Translate, waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return minutes < 60 ? t("settings:email.rateLimitedMinutes", { count: minutes }) : t("settings:email.rateLimitedHours", { count: Math.ceil(minutes / 60) });
}

/** The e-mail dialog: address → code sent to it → the code typed here. /settings leaves it. */
export function emailDialog(deps: BotDeps) {
  return async function settingsEmail(dialog: Dialog, ctx: DialogContext): Promise<void> {
    let t = await dialogT(dialog, deps);
    await ctx.reply(t("settings:email.ask"));
    for (;;) {
      const answer = await waitStep(dialog, deps, { text: true, hint: "settings:email.hint" });
      const lang = await dialogLanguage(dialog);
      t = translator(deps.i18n, lang);
      const email = answer.message!.text!.trim();
      const now = await dialogNow(dialog);
      const started = await dialog.external(async (outer) => {
        const mailer = createEmailChannel(outer.deps.config.SMTP_URL, outer.deps.config.SMTP_FROM);
        try {
          const tl = translator(outer.deps.i18n, lang);
          return await startEmailVerification({
            account: outer.account!, email, pepper: outer.deps.config.codePepper, now, mailer,
            message: (code) => ({ subject: tl("settings:email.subject"), text: tl("settings:email.body", { code }), html: emailHtml(escapeHtml(tl("settings:email.body", { code })), lang) }),
          });
        } finally {
          mailer?.close();
        }
      });
      if (started.status === "invalid") {
        await answer.reply(t("settings:email.invalid"));
        continue;
      }
      if (started.status === "rate-limited") {
        await answer.reply(retryText(t, new Date(started.retryAt).getTime() - now.getTime()));
        return;
      }
      if (started.status !== "sent") {
        await answer.reply(t(`settings:email.${started.status}`));
        return;
      }
      await answer.reply(t("settings:email.sent", { email: escapeHtml(maskEmail(started.email)) }), { parse_mode: "HTML" });
      break;
    }
    for (;;) {
      const answer = await waitStep(dialog, deps, { text: true, hint: "settings:email.codeHint" });
      t = await dialogT(dialog, deps);
      const typed = answer.message!.text!;
      const now = await dialogNow(dialog);
      const result = await dialog.external((outer) => confirmEmail({ account: outer.account!, typed, pepper: outer.deps.config.codePepper, now }));
      if (result.status === "wrong") {
        await answer.reply(t("settings:email.wrong", { count: result.attemptsLeft }));
        continue;
      }
      await answer.reply(t(`settings:email.${result.status}`, result.status === "confirmed" ? { email: escapeHtml(result.email) } : {}), { parse_mode: "HTML" });
      return;
    }
  };
}
