/**
 * /settings → Notifications: grade alerts at once / in the daily digest / off, the forecast,
 * timetable changes, tests, the homework digest, and quiet hours. The person's own (their account's),
 * for all their children. Finals and exam results are not switchable (regulation 6).
 */
import { Composer, InlineKeyboard } from "grammy";
import { Account, Guardian, School, GRADE_NOTIFY_MODES, type GradeNotifyMode } from "../../../db/models";
import { guardianIdsOf } from "../../../services/contacts";
import { DEFAULT_QUIET_HOURS, type QuietHours } from "../../../services/notify/quiet-hours";
import type { BotContext } from "../../context";
import type { SettingsSection } from "./section";

export const notificationsSection: SettingsSection = { key: "notifications", labelKey: "notify:settings.label", callback: "st:notify" };

const TOGGLES = ["forecast", "timetable", "assessments", "homeworkDigest"] as const;
type Toggle = (typeof TOGGLES)[number];
/** Quiet-hour choices, cycled by one button; null = the school's. Equal start and end = none. */
const QUIET_PRESETS: Array<QuietHours | null> = [null, { start: "22:00", end: "07:00" }, { start: "23:00", end: "07:00" }, { start: "20:00", end: "09:00" }, { start: "00:00", end: "00:00" }];

const same = (a: QuietHours | null | undefined, b: QuietHours | null) => (!a?.start ? b === null : !!b && a.start === b.start && a.end === b.end);

async function render(ctx: BotContext) {
  const ids = ctx.account ? await guardianIdsOf(ctx.account) : [];
  // The school's quiet hours shown as the default: those of the account's first school.
  const guardian = ids.length ? await Guardian.findById(ids[0], { schoolId: 1 }).lean() : null;
  if (!guardian || !ctx.account) return null;
  const account = await Account.findById(ctx.account._id, { notify: 1 }).lean();
  if (!account) return null;
  const school = await School.findById(guardian.schoolId, { settings: 1 }).lean();
  const n = account.notify;
  const onOff = (v: boolean) => ctx.t(v ? "notify:settings.on" : "notify:settings.off");
  const schoolWindow = school?.settings.quietHours ?? DEFAULT_QUIET_HOURS;
  const windowText = (q: QuietHours | null | undefined) =>
    !q?.start ? ctx.t("notify:settings.quietSchool", { window: `${schoolWindow.start}–${schoolWindow.end}` }) : q.start === q.end ? ctx.t("notify:settings.quietOff") : `${q.start}–${q.end}`;
  const lines = [
    ctx.t("notify:settings.title"),
    "",
    ctx.t("notify:settings.grades", { mode: ctx.t(`notify:settings.modes.${n.grades}`) }),
    ...TOGGLES.map((k) => ctx.t(`notify:settings.${k}`, { state: onOff(n[k]) })),
    ctx.t("notify:settings.quiet", { window: windowText(n.quietHours) }),
  ];
  const keyboard = new InlineKeyboard()
    .text(ctx.t("notify:settings.buttons.grades", { mode: ctx.t(`notify:settings.modes.${nextMode(n.grades)}`) }), "ns:g").row();
  TOGGLES.forEach((k, i) => {
    keyboard.text(`${n[k] ? "✅" : "⬜️"} ${ctx.t(`notify:settings.buttons.${k}`)}`, `ns:t:${k}`);
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.text(ctx.t("notify:settings.buttons.quiet"), "ns:q").row().text(ctx.t("notify:settings.buttons.back"), "st:menu");
  return { text: lines.join("\n"), keyboard, accountId: account._id, notify: n };
}

function nextMode(mode: GradeNotifyMode): GradeNotifyMode {
  return GRADE_NOTIFY_MODES[(GRADE_NOTIFY_MODES.indexOf(mode) + 1) % GRADE_NOTIFY_MODES.length];
}

async function show(ctx: BotContext, toast?: string): Promise<void> {
  const view = await render(ctx);
  if (!view) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    return;
  }
  await ctx.answerCallbackQuery(toast ? { text: toast } : undefined);
  await ctx.editMessageText(view.text, { parse_mode: "HTML", reply_markup: view.keyboard });
}

export const notificationsComposer = new Composer<BotContext>();

notificationsComposer.callbackQuery("st:notify", (ctx) => show(ctx));

notificationsComposer.callbackQuery(/^ns:(g|q|t:(\w+))$/, async (ctx) => {
  const view = await render(ctx);
  if (!view) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
  let update: Record<string, unknown>;
  if (ctx.match[1] === "g") update = { $set: { "notify.grades": nextMode(view.notify.grades) } };
  else if (ctx.match[1] === "q") {
    const at = QUIET_PRESETS.findIndex((p) => same(view.notify.quietHours, p));
    const next = QUIET_PRESETS[(at + 1) % QUIET_PRESETS.length];
    update = next ? { $set: { "notify.quietHours": next } } : { $unset: { "notify.quietHours": 1 } };
  } else {
    const key = ctx.match[2] as Toggle;
    if (!TOGGLES.includes(key)) return ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
    update = { $set: { [`notify.${key}`]: !view.notify[key] } };
  }
  await Account.updateOne({ _id: view.accountId }, update);
  await show(ctx, ctx.t("notify:settings.saved"));
});
