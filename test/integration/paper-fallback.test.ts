/**
 * Paper really is the last channel (issue 10.2): a final grade that falls back to paper — for every
 * reason, through the real worker, fake Bot API and SMTP server — reaches the daily results slip of
 * the next school morning (the PDF the homeroom teacher gets, read with pdftotext), is handed over
 * with the slip's button, and only then counts as delivered; one not handed over within 24 hours
 * is reported to the admins.
 */
import pino from "pino";
import { Account, ConsentRecord, Delivery, DomainEvent, Guardian, School, Student, type StudentDocument } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { nextSchoolDay } from "../../src/domain/school-calendar";
import { schoolDay, zonedInstant } from "../../src/domain/time";
import { QUEUES } from "../../src/queue/names";
import { processDailySlipJob } from "../../src/queue/daily-slips";
import { printoutApi } from "../../src/queue/notifier";
import { requestBroadcast } from "../../src/services/broadcast";
import { runWatchdog } from "../../src/services/notify/watchdog";
import { notifyFinal } from "../../src/services/notify/results";
import { staffFrom, toggleHandover } from "../../src/services/printouts";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";
import { pdfText } from "./printouts-fixture";

const h = useNotifyHarness();
const i18n = createI18n("ru");
const logger = pino({ level: "silent" });
let fx: SchoolFixture;
let n = 0;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});
afterAll(() => h.stopNotifier());

/** A child of 7А with one guardian record of its own (each scenario its own family). */
async function family(name: string, guardian: Record<string, unknown> = {}) {
  const student = await Student.create({ schoolId: fx.school._id, externalId: `pf-s${++n}`, fullName: `${name} Ученик ${n}`, classId: fx.classIds.c7a });
  const record = await Guardian.create({ schoolId: fx.school._id, externalId: `pf-g${n}`, fullName: `${name} Родитель ${n}`, studentIds: [student._id], ...guardian });
  return { student: student as StudentDocument, record };
}

const env = () => ({
  deliveries: h.queues.queue(QUEUES.deliveries), scheduled: h.queues.queue(QUEUES.scheduled), events: h.queues.queue(QUEUES.events),
  redis: h.queues.redis, prefix: h.queues.prefix, now: () => new Date(), logger,
});

test("a final that falls back to paper for any reason is on the next school morning's results slip, and settles only when handed over", async () => {
  const homeroom = await Account.create({ telegramId: 990_100, chatId: 990_100, language: "ru", roles: [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.sokolova }] });
  const admin = await Account.create({ telegramId: 990_101, chatId: 990_101, language: "ru", roles: [{ role: "admin", schoolId: fx.school._id }] });

  // 1. The watchdog: the worker was down for 21 hours, the delivery is still queued.
  const late = await family("Сторожев");
  await guardianAccount(fx, 990_001, late.record, [late.student]);
  const lateFinal = await publishFinal(h.queues, fx, late.student, { value: "4", subject: "geom", resultsAt: new Date(Date.now() - 21 * 3600_000) });
  await h.queues.queue(QUEUES.events).remove(lateFinal.eventId);
  await notifyFinal(env(), (await DomainEvent.findOne({ eventId: lateFinal.eventId }))!);
  expect((await runWatchdog(env(), fx.school._id)).overdue).toBe(1);

  await h.start();
  // 2. The SMTP server refuses the mailbox.
  const smtp = await family("Почтов", { channelOrder: ["email", "paper", "telegram"], contacts: [{ kind: "email", value: "nobody@example.org", source: "school-paper" }] });
  await ConsentRecord.create({ guardianId: smtp.record._id, schoolId: fx.school._id, decision: "granted", form: "paper", textVersion: "2026-11", textHash: "d".repeat(64) });
  // 3. The parent blocked the bot.
  const blocked = await family("Блокин");
  const blocking = await guardianAccount(fx, 990_003, blocked.record, [blocked.student]);
  h.fake.blockChat(blocking.chatId);
  // 4. Paper first in the parent's own order.
  const chosen = await family("Бумагин");
  const choosing = await guardianAccount(fx, 990_004, chosen.record, [chosen.student]);
  await Account.updateOne({ _id: choosing._id }, { $set: { channelOrder: ["paper", "telegram", "email"] } });
  // 5. The journal says paper.
  const journal = await family("Журналов", { delivery: "paper", deliveryReason: "journal" });

  const cases = [
    { f: smtp, subject: "hist", value: "3" },
    { f: blocked, subject: "alg", value: "5" },
    { f: chosen, subject: "rus", value: "4" },
    { f: journal, subject: "phys", value: "2" },
  ];
  const events = [];
  for (const c of cases) events.push((await publishFinal(h.queues, fx, c.f.student, { value: c.value as "5", subject: c.subject })).eventId);
  for (const [i, c] of cases.entries()) await h.waitForStatus({ eventId: events[i], channel: "paper", "recipient.guardianId": c.f.record._id }, "pending_paper");
  expect(await Delivery.findOne({ eventId: events[0], channel: "email" }).lean()).toMatchObject({ status: "fell_back" });
  expect(await Delivery.findOne({ eventId: events[1], channel: "telegram" }).lean()).toMatchObject({ status: "fell_back" });
  await h.stopNotifier();

  // The next school morning at the school's time (08:00 Moscow): one slip per family, in the PDF the teacher gets.
  const morning = zonedInstant(nextSchoolDay(schoolDay(new Date(), fx.school.timezone), [])!, "08:00", fx.school.timezone);
  // The worker's own Api for printouts: Telegram's 429 between the PDF and the checklist is waited out.
  const api = printoutApi({ BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot }, logger);
  const result = await processDailySlipJob({ data: { schoolId: String(fx.school._id) } }, { api, i18n, logger, now: () => morning });
  expect(result).toMatchObject({ classes: 1, slips: 5, sent: 1, failed: 0 });
  const [pdfMessage, checklist] = h.fake.sent(homeroom.chatId!);
  const text = pdfText(pdfMessage.document!.bytes).replace(/\s+/g, " ");
  for (const name of ["Сторожев", "Почтов", "Блокин", "Бумагин", "Журналов"]) expect(text).toContain(`${name} Родитель`);
  for (const line of ["Геометрия, 1 четверть: 4", "История, 1 четверть: 3", "Алгебра, 1 четверть: 5", "Русский язык, 1 четверть: 4", "Физика, 1 четверть: 2"]) expect(text).toContain(line);
  expect(text).toContain("Ведомость выдачи итоговых результатов");
  expect(checklist.plain).toContain("Итоговые результаты для родителей на бумаге");
  const items = await Delivery.find({ channel: "paper", kind: "final", schoolId: fx.school._id }).lean();
  expect(items.map((d) => d.status)).toEqual(items.map(() => "printed"));
  // A second run the same morning (a retry) sends nothing twice and prints nothing new.
  expect(await processDailySlipJob({ data: { schoolId: String(fx.school._id) } }, { api, i18n, logger, now: () => morning })).toMatchObject({ sent: 0 });

  // Not handed over 24 hours after the result: the admins are told, once.
  const dayAfter = new Date(Date.now() + 25 * 3600_000);
  const report = await runWatchdog({ ...env(), now: () => dayAfter }, fx.school._id);
  expect(report.alerted).toBe(1);
  await runWatchdog({ ...env(), now: () => dayAfter }, fx.school._id);
  const alerts = await Delivery.find({ kind: "admin-alert", "recipient.accountId": admin._id }).lean();
  expect(alerts).toHaveLength(2); // the watchdog's own fallback alert, and the paper one
  expect(alerts.map((a) => (a.notice as { paper?: boolean }).paper ?? false).sort()).toEqual([false, true]);

  // The teacher hands the slips over: the items become handed, and the watchdog has nothing more to say.
  const buttons = (checklist.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard.flat();
  const staff = staffFrom(homeroom, []);
  for (const b of buttons) expect(await toggleHandover(b.callback_data.slice(3), staff, morning)).toMatchObject({ ok: true, handed: true });
  const handed = await Delivery.find({ channel: "paper", kind: "final", schoolId: fx.school._id }).lean();
  expect(handed.map((d) => d.status)).toEqual(handed.map(() => "handed"));
  const before = await Delivery.countDocuments({ kind: "admin-alert" });
  await runWatchdog({ ...env(), now: () => new Date(Date.now() + 30 * 3600_000) }, fx.school._id);
  expect(await Delivery.countDocuments({ kind: "admin-alert" })).toBe(before);
});

test("until a guardian decides, nothing electronic is sent to them: their child's final and a class broadcast go on the family's paper (issue 10.3)", async () => {
  const waiting = await family("Молчанов");
  const account = await guardianAccount(fx, 990_050, waiting.record, [waiting.student], { consent: "none" });
  await h.start();
  const final = await publishFinal(h.queues, fx, waiting.student, { value: "5", subject: "geo" });
  await h.waitForStatus({ eventId: final.eventId, channel: "paper", "recipient.guardianId": waiting.record._id }, "pending_paper");
  // A school broadcast to the class, too: planned for everyone, sent to nobody undecided.
  const admin = await Account.findOne({ roles: { $elemMatch: { role: "admin", schoolId: fx.school._id } } }).lean();
  await requestBroadcast(h.queues, fx.school._id, admin!._id, { kind: "class", classId: String(fx.classIds.c7a) }, "Собрание в среду");
  await h.waitForStatus({ kind: "broadcast", channel: "paper", "recipient.guardianId": waiting.record._id }, "pending_paper");
  await h.stopNotifier();
  expect(await Delivery.countDocuments({ "recipient.accountId": account._id })).toBe(0);
  expect(h.fake.sent(account.chatId)).toEqual([]);
});
