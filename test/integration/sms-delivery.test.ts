/**
 * SMS in the delivery engine and the fallback chain (issue 14), end to end: the real worker against
 * a real SMPP server on loopback (test/support/smsc.ts), real Redis, the Mongo stand-in, the fake Bot
 * API and a local SMTP server. A final for a guardian whose order is SMS first goes as a UCS-2
 * submit naming subject and grade, and its receipt marks the delivery delivered; an invalid number
 * or a failed receipt falls back to e-mail or to the family's paper and its daily results slip;
 * throttling is waited out; a dropped connection is bound again.
 */
import pino from "pino";
import smpp from "smpp";
import { Account, Delivery, School } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { nextSchoolDay } from "../../src/domain/school-calendar";
import { fromUcs2 } from "../../src/domain/sms";
import { schoolDay, zonedInstant } from "../../src/domain/time";
import { processDailySlipJob } from "../../src/queue/daily-slips";
import { printoutApi } from "../../src/queue/notifier";
import { planForPerson } from "../../src/services/notify/deliveries";
import { familiesOf } from "../../src/services/people";
import { publishFinal } from "./notify-events";
import { pdfText } from "./printouts-fixture";
import { useSmsDelivery, waitUntil } from "./sms-fixture";

const t = useSmsDelivery();
const { h, smsParent, smsOf, received } = t;

test("a final for a guardian whose order is SMS first reaches the SMSC as UCS-2 naming subject and grade; its receipt marks it delivered", async () => {
  const p = await smsParent("Иванова", "+79161234567", ["sms", "telegram", "email", "paper"]);
  const before = t.smsc.submits.length;
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "5", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "sms" }, "sent");
  const { parts, text } = received("79161234567", before);
  for (const part of parts) expect(part).toMatchObject({ source: "School42", dataCoding: 8, registeredDelivery: 1 });
  // 84 characters with the cabinet's link: two concatenated UCS-2 parts (UDH 00 03 ref 02 seq).
  expect(text).toBe("Иванова М., Алгебра: итог за 1 четверть — 5. Подробно: https://diary.example.org/app/");
  expect(parts.map((x) => x.udh!.slice(6))).toEqual(["0201", "0202"]);
  // Not on Telegram as well: one channel per message.
  expect(h.fake.sent(p.account.chatId)).toHaveLength(0);
  const ids = parts.map((x) => x.messageId);
  expect((await smsOf(eventId))!.sms).toMatchObject({ ids, parts: 2 });

  // Delivered once every part's receipt says so.
  await t.smsc.receipt(ids[0], "DELIVRD");
  await waitUntil(async () => ((await smsOf(eventId))!.sms?.delivered ?? []).length === 1);
  expect((await smsOf(eventId))!.status).toBe("sent");
  await t.smsc.receipt(ids[1], "DELIVRD");
  await h.waitForStatus({ eventId, channel: "sms" }, "delivered");
  expect((await smsOf(eventId))!).toMatchObject({ sms: { stat: "DELIVRD", delivered: ids }, deliveredAt: expect.any(Date) });
  expect(fromUcs2(Buffer.from("0418", "hex"))).toBe("И");
});

test("grade alerts do not go by SMS: the next channel of the order carries them", async () => {
  const p = await smsParent("Петрова", "+79161234500", ["sms", "email", "paper"], "petrova@example.org");
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "4", subject: "geom" });
  await h.waitForStatus({ eventId, channel: "sms" }, "sent");
  const person = (await familiesOf(t.fx.school._id, [p.student._id])).get(String(p.student._id))![0].persons[0];
  const base = { source: "x", schoolId: t.fx.school._id, kind: "grade" as const, studentId: p.student._id, notice: { template: "grades" as const, student: "И", items: [] } };
  expect(planForPerson(person, base).map((d) => d.channel)).toEqual(["email"]);
  // The school allows forecasts at risk by SMS: those go by SMS, a forecast without risk does not.
  await School.updateOne({ _id: t.fx.school._id }, { $set: { "settings.sms.forecasts": true } });
  const again = (await familiesOf(t.fx.school._id, [p.student._id])).get(String(p.student._id))![0].persons[0];
  const line = { subject: "Алгебра", average: "2.4", grade: 2, passFail: null, risks: [] };
  const forecast = (atRisk: boolean) => ({ ...base, kind: "forecast" as const, notice: { template: "forecast" as const, student: "И", period: "1 четверть", lines: [{ ...line, atRisk }] } });
  expect(planForPerson(again, forecast(true)).map((d) => d.channel)).toEqual(["sms"]);
  expect(planForPerson(again, forecast(false)).map((d) => d.channel)).toEqual(["email"]);
  await School.updateOne({ _id: t.fx.school._id }, { $set: { "settings.sms.forecasts": false } });
});

test("an invalid number is unreachable: the final falls back to the parent's e-mail", async () => {
  const p = await smsParent("Сидорова", "+79990000001", ["sms", "email", "paper"], "sidorova@example.org");
  t.smsc.invalid.add("79990000001");
  const mails = h.mails.length;
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "3", subject: "hist" });
  await h.waitForStatus({ eventId, channel: "sms" }, "fell_back");
  await h.waitForStatus({ eventId, channel: "email" }, "sent");
  expect((await smsOf(eventId))!.lastError).toBe("smpp ESME_RINVDSTADR");
  expect(h.mails.slice(mails).map((m) => m.to)).toEqual([["sidorova@example.org"]]);
});

test("a failed receipt and an invalid number without e-mail fall back to the family's paper and reach the daily results slip", async () => {
  const receiptFails = await smsParent("Кузнецова", "+79161230001", ["sms", "paper"]);
  const invalid = await smsParent("Смирнова", "+79990000002", ["sms", "paper"]);
  t.smsc.invalid.add("79990000002");
  const before = t.smsc.submits.length;
  const first = await publishFinal(h.queues, t.fx, receiptFails.student, { value: "4", subject: "rus" });
  const second = await publishFinal(h.queues, t.fx, invalid.student, { value: "2", subject: "phys" });
  await h.waitForStatus({ eventId: first.eventId, channel: "sms" }, "sent");
  const [submit] = received("79161230001", before).parts;
  await t.smsc.receipt(submit.messageId, "UNDELIV");
  await h.waitForStatus({ eventId: first.eventId, channel: "paper" }, "pending_paper");
  await h.waitForStatus({ eventId: second.eventId, channel: "paper" }, "pending_paper");
  expect(await smsOf(first.eventId)).toMatchObject({ status: "fell_back", lastError: "sms receipt: UNDELIV", sms: { stat: "UNDELIV" } });

  const homeroom = await Account.create({ telegramId: 880_900, chatId: 880_900, language: "ru", roles: [{ role: "teacher", schoolId: t.fx.school._id, teacherId: t.fx.teachers.sokolova }] });
  const morning = zonedInstant(nextSchoolDay(schoolDay(new Date(), t.fx.school.timezone), [])!, "08:00", t.fx.school.timezone);
  const logger = pino({ level: "silent" });
  const api = printoutApi({ BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot }, logger);
  await processDailySlipJob({ data: { schoolId: String(t.fx.school._id) } }, { api, i18n: createI18n("ru"), logger, now: () => morning });
  const [pdf] = h.fake.sent(homeroom.chatId!);
  const text = pdfText(pdf.document!.bytes).replace(/\s+/g, " ");
  expect(text).toContain("Русский язык, 1 четверть: 4");
  expect(text).toContain("Физика, 1 четверть: 2");
});

test("throttling (ESME_RTHROTTLED, ESME_RMSGQFUL) is waited out and the final goes later, without using an attempt", async () => {
  const p = await smsParent("Волкова", "+79161230002", ["sms", "paper"]);
  t.smsc.refuseNext(4, smpp.ESME_RMSGQFUL);
  const before = t.smsc.submits.length;
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "5", subject: "geom" });
  await h.waitForStatus({ eventId, channel: "sms" }, "sent");
  const record = (await smsOf(eventId))!;
  // Refused four times (twice in place, twice after a hold of the SMS lane), then sent once: no part twice.
  const { parts, text } = received("79161230002", before);
  expect(parts).toHaveLength(record.sms!.parts!);
  expect(text).toContain("Волкова М., Геометрия: итог за 1 четверть — 5.");
  expect(record.attempts).toBeGreaterThanOrEqual(2); // claimed again after the hold
  expect(await Delivery.countDocuments({ eventId, channel: "paper" })).toBe(0);
});

test("a two-part final throttled after its first part: the retry sends the second part only, under the same reference; both receipts count", async () => {
  const p = await smsParent("Лебедева", "+79161230004", ["sms", "paper"]);
  const before = t.smsc.submits.length;
  // Part 1 accepted; part 2 refused, in place and after each hold of the SMS lane, until the SMSC is free again.
  t.smsc.refuseNext(10_000, smpp.ESME_RTHROTTLED, 1);
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "4", subject: "geom" });
  // Part 1's receipt comes while the message waits: no record knows the part's id, the channel holds it
  // (the SMSC's receipt is answered once it is held).
  const [part1] = (await t.smsc.waitFor(before + 1)).slice(before);
  await t.smsc.receipt(part1.messageId, "DELIVRD");
  expect(await h.queues.redis.lrange(`${h.queues.prefix}:sms-early:${part1.messageId}`, 0, -1)).toHaveLength(1);
  t.smsc.refuseNext(0, 0);
  await h.waitForStatus({ eventId, channel: "sms" }, "sent");
  const record = (await smsOf(eventId))!;
  const { parts, text } = received("79161230004", before);
  expect(record.sms!.parts).toBe(2);
  expect(parts.map((s) => s.udh!.slice(6))).toEqual(["0201", "0202"]);
  expect(parts[0].udh!.slice(0, 6)).toBe(parts[1].udh!.slice(0, 6));
  expect(record.sms!.ids).toEqual(parts.map((s) => s.messageId));
  expect(text).toContain("Лебедева М., Геометрия: итог за 1 четверть — 4.");
  // The second part's receipt completes it: delivered (part 1's was held and counted).
  await t.smsc.receipt(parts[1].messageId, "DELIVRD");
  await h.waitForStatus({ eventId, channel: "sms" }, "delivered");
});

test("a dropped connection is bound again and the next final goes through", async () => {
  const p = await smsParent("Орлова", "+79161230003", ["sms", "paper"]);
  await t.smsc.waitFor(1);
  const binds = t.smsc.binds;
  t.smsc.dropAll();
  const { eventId } = await publishFinal(h.queues, t.fx, p.student, { value: "4", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "sms" }, "sent");
  expect(t.smsc.binds).toBeGreaterThan(binds);
  expect(received("79161230003", 0).text).toContain("Орлова М., Алгебра: итог за 1 четверть — 4.");
});
