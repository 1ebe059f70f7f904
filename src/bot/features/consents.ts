/**
 * /consents [7Б] for teachers (the classes they teach or are homeroom teacher of) and the school's
 * admins (every class of their school): per student, the state of their guardians' consent, with
 * totals at the top. Without a class, the classes are buttons; a button carries the class id only,
 * and every press is checked again on the server (a forged id gets "not available").
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { School } from "../../db/models";
import { classNameKey } from "../../domain/class-name";
import { splitMessage, surnameInitialOf } from "../../domain/format";
import { escapeHtml } from "../../domain/html";
import { classConsentStatus, consentClasses, consentClassIfAllowed, STUDENT_CATEGORIES, type ClassConsentStatus, type ConsentClass, type GuardianConsentStatus } from "../../services/consent-status";
import { consentFormsOfClass, nonRespondersOfClass } from "../../services/non-responders";
import { CONSENT_FORMS_CALLBACK, nonRespondersKeyboard, nonRespondersText } from "../../print/non-responders";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { staffOf } from "./printouts";

export const CONSENTS_CALLBACK = "cn:";
const BUTTONS_PER_ROW = 4;

type T = BotContext["t"];

function guardianState(t: T, g: GuardianConsentStatus): string {
  const parts: string[] = [];
  if (g.accounts.granted) parts.push(t("consents:state.inBot", { count: g.accounts.granted }));
  if (g.accounts.outdated) parts.push(t("consents:state.outdated"));
  if (g.accounts.none) parts.push(t("consents:state.noAnswer"));
  // A refusal in the bot normally shows as paper delivery with its reason; say it only when it does not.
  if (g.delivery !== "paper") {
    if (g.accounts.declined) parts.push(t("consents:state.declined"));
    if (g.accounts.withdrawn) parts.push(t("consents:state.withdrawn"));
  }
  if (g.document?.decision === "granted") parts.push(t(`consents:state.document.${g.document.form}`));
  if (g.delivery === "paper") parts.push(t("consents:state.paper", { reason: t(`consents:reasons.${g.deliveryReason ?? "unknown"}`) }));
  if (!parts.length) parts.push(t("consents:state.notJoined"));
  return parts.join(", ");
}

/** The answer as Telegram HTML parts, each under the message limit. */
export function consentStatusText(t: T, status: ClassConsentStatus): string[] {
  const total = status.students.length;
  const header = [t("consents:title", { className: escapeHtml(status.className) })];
  if (!total) return splitMessage([[...header, t("consents:empty")].join("\n")]);
  const totals = STUDENT_CATEGORIES.filter((c) => c === "bot" || status.totals[c] > 0).map((c) => t(`consents:totals.${c}`, { n: status.totals[c], total }));
  header.push(totals.join(", "));
  const lines = status.students.map((s) => {
    let state: string;
    if (!s.guardians.length) state = t("consents:noGuardians");
    else if (s.category === "none") state = t("consents:nobodyJoined");
    else {
      state = s.guardians
        .map((g) => t("consents:guardian", { name: escapeHtml(g.fullName ? surnameInitialOf(g.fullName) : t("consents:unnamedGuardian")), state: guardianState(t, g) }))
        .join("; ");
    }
    return t("consents:student", { icon: t(`consents:icons.${s.category}`), name: escapeHtml(surnameInitialOf(s.fullName)), state });
  });
  return splitMessage([header.join("\n"), lines.join("\n")]);
}

async function sendStatus(ctx: BotContext, schoolClass: ConsentClass): Promise<void> {
  const status = await classConsentStatus(schoolClass);
  for (const part of consentStatusText(ctx.t, status)) await ctx.reply(part, { parse_mode: "HTML" });
  // Non-responders (issue 10.3): listed below, with their paper consent forms a button away.
  const list = await nonRespondersOfClass(schoolClass.schoolId, schoolClass._id, ctx.deps.now());
  if (!list.length) return;
  const days = (await School.findById(schoolClass.schoolId, { settings: 1 }).lean())?.settings.nonResponderDays ?? 7;
  const input = { classId: String(schoolClass._id), className: schoolClass.name, days, list };
  for (const part of splitMessage([nonRespondersText(ctx.t, input)])) await ctx.reply(part, { parse_mode: "HTML", reply_markup: nonRespondersKeyboard(ctx.t, input) });
}

/** Buttons for the classes; with classes of several schools, each names its school. */
async function classKeyboard(classes: readonly ConsentClass[]): Promise<InlineKeyboard> {
  const schoolIds = [...new Set(classes.map((c) => String(c.schoolId)))];
  const names = new Map<string, string>();
  if (schoolIds.length > 1) for (const s of await School.find({ _id: { $in: schoolIds } }, { name: 1 }).lean()) names.set(String(s._id), s.name);
  const keyboard = new InlineKeyboard();
  classes.forEach((c, i) => {
    const label = names.size ? `${c.name} · ${names.get(String(c.schoolId)) ?? ""}` : c.name;
    keyboard.text(label, `${CONSENTS_CALLBACK}${String(c._id)}`);
    if (names.size || (i + 1) % BUTTONS_PER_ROW === 0) keyboard.row();
  });
  return keyboard;
}

const root = new Composer<BotContext>();
// Names of children and parents: in private chats only, never in a group the bot was added to.
const composer = root.chatType("private");

composer.command("consents", async (ctx) => {
  const staff = await staffOf(ctx);
  const classes = await consentClasses(staff, ctx.deps.now());
  if (!classes.length) return void (await ctx.reply(ctx.t("consents:bot.onlyStaff")));
  const name = ctx.match.trim();
  // Not found and not allowed get the same answer: a teacher learns nothing about other classes.
  const matching = name ? classes.filter((c) => classNameKey(c.name) === classNameKey(name)) : classes;
  if (!matching.length) return void (await ctx.reply(ctx.t("consents:bot.notAvailable", { name })));
  if (matching.length === 1) return sendStatus(ctx, matching[0]);
  await ctx.reply(ctx.t("consents:bot.choose"), { reply_markup: await classKeyboard(matching) });
});

composer.callbackQuery(new RegExp(`^${CONSENTS_CALLBACK}(.{1,60})$`), async (ctx) => {
  const schoolClass = await consentClassIfAllowed(await staffOf(ctx), ctx.match[1], ctx.deps.now());
  if (!schoolClass) return void (await ctx.answerCallbackQuery({ text: ctx.t("consents:bot.buttonNotAvailable"), show_alert: true }));
  await ctx.answerCallbackQuery();
  await sendStatus(ctx, schoolClass);
});

composer.callbackQuery(new RegExp(`^${CONSENT_FORMS_CALLBACK}([0-9a-f]{24})$`), async (ctx) => {
  const schoolClass = await consentClassIfAllowed(await staffOf(ctx), ctx.match[1], ctx.deps.now());
  if (!schoolClass) return void (await ctx.answerCallbackQuery({ text: ctx.t("consents:bot.buttonNotAvailable"), show_alert: true }));
  await ctx.answerCallbackQuery();
  // The forms are in the school's language, as the printouts.
  const lang = ctx.deps.config.DEFAULT_LOCALE;
  const forms = await consentFormsOfClass(schoolClass.schoolId, schoolClass._id, ctx.deps.now(), ctx.deps.i18n.getFixedT(lang), lang);
  if (!forms) return void (await ctx.reply(ctx.t("consents:bot.noNonResponders", { className: schoolClass.name })));
  await ctx.replyWithDocument(new InputFile(forms.pdf, forms.fileName));
});

export const consentsFeature: BotFeature = { name: "consents", composer: root, commands: ["consents"] };
