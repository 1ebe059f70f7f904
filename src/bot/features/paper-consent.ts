/**
 * /paperconsent (admins): registers a consent, refusal or withdrawal given on paper or through an
 * electronic document system: class → student → guardian → decision → form → the statement's number
 * and date (and the signed file of an e-document: paper-statement.ts) → (the signer among the bot
 * accounts acting for the record, if any) → confirm. Every id a button names is checked against
 * the admin's school on the server (a forged one is "not available").
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type Context, type MiddlewareFn } from "grammy";
import { Types } from "mongoose";
import { Guardian, School } from "../../db/models";
import { escapeHtml } from "../../domain/html";
import { dayjs, inZone } from "../../domain/time";
import { translator } from "../../i18n";
import { isSchoolAdmin } from "../../services/access";
import { accountsOfRecord, classesOf, guardiansOfStudent, PaperConsentError, registerPaperDecision, studentsOfClass } from "../../services/paper-consent";
import type { BotContext, BotDeps } from "../context";
import type { BotFeature } from "../feature";
import { dialogNow, dialogT, dropButtons, waitStep, type Dialog, type DialogContext } from "../dialog";
import { askStatement } from "./paper-statement";
import { adminSchools, currentAdminSchool, ensureAdminAccount, replyNotAdmin } from "./admin";

export const PAPER_CONSENT_DIALOG = "paperConsent";
const OWN = /^pc:/;

interface Choice {
  id: string;
  label: string;
}

/** Asks to pick one of `choices` (ids in the buttons); returns the id, or null on Cancel. */
async function pick(dialog: Dialog, deps: BotDeps, ctx: DialogContext, prefix: string, question: string, choices: Choice[], extra: Choice[] = []): Promise<string | null> {
  const t = await dialogT(dialog, deps);
  const keyboard = new InlineKeyboard();
  choices.forEach((c, i) => {
    keyboard.text(c.label, `pc:${prefix}:${c.id}`);
    if (prefix !== "c" || i % 4 === 3) keyboard.row();
  });
  for (const c of extra) keyboard.row().text(c.label, `pc:${prefix}:${c.id}`);
  keyboard.row().text(t("admin:paper.cancel"), "pc:x");
  await ctx.reply(question, { parse_mode: "HTML", reply_markup: keyboard });
  for (;;) {
    const press = await waitStep(dialog, deps, { buttons: new RegExp(`^pc:(${prefix}:[\\w-]+|x)$`), own: OWN, hint: "admin:paper.pressButton" });
    const data = press.callbackQuery!.data!;
    if (data === "pc:x") {
      await press.answerCallbackQuery();
      await dropButtons(press);
      await press.reply((await dialogT(dialog, deps))("admin:paper.cancelled"));
      return null;
    }
    const id = data.slice(`pc:${prefix}:`.length);
    if ([...choices, ...extra].some((c) => c.id === id)) {
      await press.answerCallbackQuery();
      await dropButtons(press);
      return id;
    }
    // Not one of the choices offered (a forged or foreign id): nothing is revealed or changed.
    await press.answerCallbackQuery({ text: (await dialogT(dialog, deps))("admin:notAvailable"), show_alert: true });
  }
}

/**
 * The accounts acting for the record as an admin can tell them apart (no names are stored): the
 * last digits of the Telegram ID (a parent reads theirs in /mydata) and the day they linked.
 */
async function signerChoices(schoolId: string, guardianId: string): Promise<Array<{ id: string; tail: string; since: string }>> {
  const sid = new Types.ObjectId(schoolId);
  const [accounts, school] = await Promise.all([accountsOfRecord(sid, guardianId), School.findById(sid, { timezone: 1 }).lean()]);
  return accounts.map((a) => ({ id: a.id, tail: String(a.telegramId).slice(-4), since: a.since ? inZone(a.since, school?.timezone ?? "Europe/Moscow").format("DD.MM.YYYY") : "—" }));
}

export function paperConsentDialog(deps: BotDeps) {
  return async function paperConsent(dialog: Dialog, ctx: DialogContext, givenSchoolId: string | null): Promise<void> {
    let t = await dialogT(dialog, deps);
    let schoolId = givenSchoolId;
    if (!schoolId) {
      const schools = await dialog.external((outer) => adminSchools(outer));
      schoolId = await pick(dialog, deps, ctx, "sc", t("admin:paper.school"), schools.map((s) => ({ id: s.id, label: s.name })));
      if (!schoolId) return;
    }
    const sid = schoolId;
    // Every step that shows the school's people asks again whether the sender is still its admin:
    // a role revoked while the dialog waits ends it (nothing more is shown).
    const asAdmin = <T>(read: () => Promise<T>) =>
      dialog.external(async (outer) => ((await isSchoolAdmin(outer.account, outer.from?.id, outer.deps.config.ADMIN_TELEGRAM_IDS, sid)) ? read() : null));
    const notAdmin = async () => void (await ctx.reply((await dialogT(dialog, deps))("admin:notAvailable")));
    const classes = await asAdmin(() => classesOf(new Types.ObjectId(sid)));
    if (!classes) return notAdmin();
    if (!classes.length) {
      await ctx.reply(t("admin:paper.noClasses"));
      return;
    }
    const classId = await pick(dialog, deps, ctx, "c", t("admin:paper.class"), classes.map((c) => ({ id: c.id, label: c.name })));
    if (!classId) return;
    const students = await asAdmin(() => studentsOfClass(new Types.ObjectId(sid), classId));
    if (!students) return notAdmin();
    const studentId = await pick(dialog, deps, ctx, "s", t("admin:paper.student"), students.map((s) => ({ id: s.id, label: s.name })));
    if (!studentId) return;
    const guardians = await asAdmin(() => guardiansOfStudent(new Types.ObjectId(sid), studentId));
    if (!guardians) return notAdmin();
    t = await dialogT(dialog, deps);
    let guardianId = await pick(dialog, deps, ctx, "g", t("admin:paper.guardian"),
      guardians.map((g) => ({ id: g.id, label: g.name ?? t("admin:paper.unnamed") })), [{ id: "new", label: t("admin:paper.newGuardian") }]);
    if (!guardianId) return;
    let guardianName = guardians.find((g) => g.id === guardianId)?.name ?? t("admin:paper.unnamed");
    if (guardianId === "new") {
      await ctx.reply(t("admin:paper.askName"));
      const answer = await waitStep(dialog, deps, { text: true, own: OWN, hint: "admin:paper.askName" });
      guardianName = answer.message!.text!.trim().slice(0, 300);
      guardianId = await asAdmin(async () => String((await Guardian.create({ schoolId: new Types.ObjectId(sid), fullName: guardianName, studentIds: [new Types.ObjectId(studentId)] }))._id));
      if (!guardianId) return notAdmin();
    }
    t = await dialogT(dialog, deps);
    const decision = await pick(dialog, deps, ctx, "d", t("admin:paper.decision", { guardian: escapeHtml(guardianName) }),
      ["granted", "declined", "withdrawn"].map((d) => ({ id: d, label: t(`privacy:decisions.${d}`) })));
    if (!decision) return;
    const form = await pick(dialog, deps, ctx, "f", t("admin:paper.form"), ["paper", "edoc"].map((f) => ({ id: f, label: t(`privacy:forms.${f}`) })));
    if (!form) return;
    const statement = await askStatement(dialog, deps, ctx, sid, form as "paper" | "edoc");
    if (!statement) return;
    const { fileName, ...document } = statement;
    // The statement is the record person's; the admin says whether its signer is also one of the
    // bot accounts acting for the record (then it governs that account too). Default: none of them.
    const record = guardianId;
    const acting = await asAdmin(() => signerChoices(sid, record));
    if (!acting) return notAdmin();
    let signer: string | null = null;
    t = await dialogT(dialog, deps);
    if (acting.length) {
      const picked = await pick(dialog, deps, ctx, "sg", t("admin:paper.signer"),
        acting.map((a) => ({ id: a.id, label: t("admin:paper.signerAccount", { tail: a.tail, date: a.since }) })), [{ id: "none", label: t("admin:paper.signerNone") }]);
      if (!picked) return;
      signer = picked === "none" ? null : picked;
    }
    t = await dialogT(dialog, deps);
    const chosen = acting.find((a) => a.id === signer);
    const signerLabel = chosen ? t("admin:paper.signerAccount", { tail: chosen.tail, date: chosen.since }) : t("admin:paper.signerNone");
    const summary = t("admin:paper.summary", {
      guardian: escapeHtml(guardianName),
      student: escapeHtml(students.find((s) => s.id === studentId)?.name ?? ""),
      decision: t(`privacy:decisions.${decision}`),
      form: t(`privacy:forms.${form}`),
      number: escapeHtml(document.number),
      date: dayjs(document.date).format("DD.MM.YYYY"),
    }) + (document.fileHash ? t("admin:paper.summaryFile", { name: escapeHtml(fileName ?? ""), hash: document.fileHash.slice(0, 16) }) : "")
      + (acting.length ? t("admin:paper.summarySigner", { signer: escapeHtml(signerLabel) }) : "");
    const ok = await pick(dialog, deps, ctx, "ok", summary, [{ id: "yes", label: t("admin:paper.confirm") }]);
    if (!ok) return;
    const now = await dialogNow(dialog);
    const gid = guardianId;
    const done = await dialog.external(async (outer) => {
      // The admin right is checked again at the moment of writing.
      if (!(await isSchoolAdmin(outer.account, outer.from?.id, outer.deps.config.ADMIN_TELEGRAM_IDS, sid))) return null;
      return registerPaperDecision({
        schoolId: new Types.ObjectId(sid), guardianId: new Types.ObjectId(gid), decision: decision as "granted", form: form as "paper",
        t: translator(outer.deps.i18n, "ru"), now, recordedBy: outer.account?._id, document, ...(signer ? { signerAccountId: new Types.ObjectId(signer) } : {}),
      }).catch((error: unknown) => {
        // The signer's account stopped acting for the record while the admin was choosing.
        if (error instanceof PaperConsentError) return "refused" as const;
        throw error;
      });
    });
    t = await dialogT(dialog, deps);
    if (!done || done === "refused") return void (await ctx.reply(t(done ? "admin:paper.signerGone" : "admin:notAvailable")));
    const lines = [done.unlinkedAccounts ? t("admin:paper.doneUnlinked", { count: done.unlinkedAccounts }) : t("admin:paper.done")];
    if (done.otherAccounts) lines.push(t("admin:paper.othersKeep", { count: done.otherAccounts }));
    await ctx.reply(lines.join("\n"));
  };
}

const composer = new Composer<BotContext>();

composer.command("paperconsent", async (ctx) => {
  const choice = await currentAdminSchool(ctx);
  if (choice.kind === "none") return replyNotAdmin(ctx);
  await ensureAdminAccount(ctx);
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(PAPER_CONSENT_DIALOG, choice.kind === "school" ? choice.school.id : null);
});

export const paperConsentFeature: BotFeature = { name: "paper-consent", composer };

export function paperConsentDialogs(deps: BotDeps): Array<MiddlewareFn<BotContext>> {
  return [createConversation<BotContext, Context>(paperConsentDialog(deps), PAPER_CONSENT_DIALOG) as MiddlewareFn<BotContext>];
}
