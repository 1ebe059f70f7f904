/**
 * MAX in the delivery engine and the fallback chain (issue 14), end to end: the real worker against
 * the fake MAX Bot API and the fake Telegram Bot API on loopback, real Redis, the Mongo stand-in and a
 * local SMTP server. A final for a MAX guardian reaches MAX naming subject and grade; a guardian with
 * both messengers gets each notice once, on the first of their order; a stopped MAX bot falls back;
 * MAX's 429 is waited out; a student's own MAX account gets their final.
 */
import { Account, ConsentRecord, Delivery, Guardian, GuardianLink, Student, type StudentDocument } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { FakeMax } from "../support/fake-max";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";

const h = useNotifyHarness();
let fx: SchoolFixture;
let max: FakeMax;
let n = 0;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  max = await FakeMax.start();
  await h.start({
    config: {
      BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot, SMTP_URL: h.smtpUrl, SMTP_FROM: "school@example.org",
      MAX_BOT_TOKEN: max.token, MAX_API_ROOT: max.apiRoot,
    },
  });
});
afterAll(async () => {
  await h.stopNotifier();
  await max.stop();
});

async function child(name: string): Promise<{ student: StudentDocument; record: InstanceType<typeof Guardian> }> {
  const student = await Student.create({ schoolId: fx.school._id, externalId: `max-s${++n}`, fullName: `${name} Мария Петровна`, classId: fx.classIds.c7a });
  const record = await Guardian.create({ schoolId: fx.school._id, externalId: `max-g${n}`, fullName: `${name} Анна`, studentIds: [student._id] });
  return { student: student as StudentDocument, record };
}

/** A parent who came through the MAX bot only: no Telegram identity, consent given in MAX. */
async function maxOnlyParent(name: string, userId: number, extra: Record<string, unknown> = {}) {
  const { student, record } = await child(name);
  const account = await Account.create({ max: { userId, chatId: 500_000_000 + userId }, language: "ru", roles: [{ role: "guardian", schoolId: fx.school._id, guardianId: record._id }], ...extra });
  await GuardianLink.create({ accountId: account._id, guardianId: record._id, studentId: student._id, schoolId: fx.school._id });
  const version = consentVersionOf(fx.school);
  await ConsentRecord.create({ accountId: account._id, schoolId: fx.school._id, decision: "granted", form: "max", textVersion: version, textHash: consentTextHash(`consent ${version}`) });
  return { student, record, account };
}

const deliveriesOf = (eventId: string) => Delivery.find({ eventId }, { channel: 1, status: 1, lastError: 1, recipient: 1 }).sort({ _id: 1 }).lean();

test("a final for a MAX guardian reaches the MAX API naming subject and grade, and nothing goes to Telegram", async () => {
  const p = await maxOnlyParent("Орлова", 7001);
  const telegramBefore = h.fake.sent().length;
  const { eventId } = await publishFinal(h.queues, fx, p.student, { value: "5", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "max" }, "sent");
  const message = await max.waitForMessage(7001, "Алгебра");
  expect(message.plain).toContain("5");
  expect(message.format).toBe("html");
  expect((await deliveriesOf(eventId)).map((d) => [d.channel, d.status])).toEqual([["max", "sent"]]);
  expect(h.fake.sent().length).toBe(telegramBefore);
});

test("a guardian with both messengers gets the final once, on the first of their order", async () => {
  const { student, record } = await child("Белова");
  const account = await guardianAccount(fx, 770_001, record, [student]);
  await Account.updateOne({ _id: account._id }, { $set: { max: { userId: 7002 } } });
  const first = await publishFinal(h.queues, fx, student, { value: "4", subject: "geom" });
  await h.waitForStatus({ eventId: first.eventId, channel: "telegram" }, "sent");
  expect((await deliveriesOf(first.eventId)).map((d) => d.channel)).toEqual(["telegram"]);
  expect(max.sentTo(7002)).toHaveLength(0);

  // MAX put first: the next final goes there, and only there.
  await Account.updateOne({ _id: account._id }, { $set: { channelOrder: ["max", "telegram", "email", "sms", "paper"] } });
  const telegramBefore = h.fake.sent(account.chatId).length;
  const second = await publishFinal(h.queues, fx, student, { value: "3", subject: "hist" });
  await h.waitForStatus({ eventId: second.eventId, channel: "max" }, "sent");
  expect((await deliveriesOf(second.eventId)).map((d) => d.channel)).toEqual(["max"]);
  await max.waitForMessage(7002, "История");
  expect(h.fake.sent(account.chatId)).toHaveLength(telegramBefore);
});

test("a stopped MAX bot falls back to the next channel (e-mail) and marks the MAX dialog stopped", async () => {
  const p = await maxOnlyParent("Зайцева", 7003, { contacts: [{ kind: "email", value: "zaitseva@example.org", source: "guardian", verifiedAt: new Date() }] });
  max.block(7003);
  const mails = h.mails.length;
  const { eventId } = await publishFinal(h.queues, fx, p.student, { value: "2", subject: "phys" });
  await h.waitForStatus({ eventId, channel: "max" }, "fell_back");
  await h.waitForStatus({ eventId, channel: "email" }, "sent");
  expect((await Delivery.findOne({ eventId, channel: "max" }).lean())!.lastError).toMatch(/^max 403/);
  expect(h.mails.slice(mails).map((m) => m.to)).toEqual([["zaitseva@example.org"]]);
  const account = await Account.findById(p.account._id).lean();
  expect(account!.max!.blockedAt).toBeInstanceOf(Date);
  // Telegram's state is not touched by MAX's refusal.
  expect(account!.active).toBe(true);
});

test("MAX's 429 is waited out: the final is sent afterwards, once", async () => {
  const p = await maxOnlyParent("Морозова", 7004);
  max.failNext("POST", "/messages", { status: 429, code: "too.many.requests", message: "Too many requests" });
  const { eventId } = await publishFinal(h.queues, fx, p.student, { value: "5", subject: "rus" });
  await h.waitForStatus({ eventId, channel: "max" }, "sent", 15_000);
  expect(max.calls.filter((c) => c.method === "POST" && c.path === "/messages" && c.status === 429)).toHaveLength(1);
  expect(max.sentTo(7004).filter((m) => m.plain.includes("Русский язык"))).toHaveLength(1);
});

test("a student's own MAX account gets their final on MAX", async () => {
  const p = await maxOnlyParent("Волкова", 7005);
  const own = await Account.create({ max: { userId: 7006 }, language: "ru", roles: [{ role: "student", schoolId: fx.school._id, studentId: p.student._id }] });
  const { eventId } = await publishFinal(h.queues, fx, p.student, { value: "4", subject: "alg" });
  // The student's own delivery (the parent's goes to MAX too): its record settles after MAX answers.
  await h.waitForStatus({ eventId, channel: "max", "recipient.accountId": own._id }, "sent");
  await max.waitForMessage(7006, "Алгебра");
  const own_ = (await deliveriesOf(eventId)).filter((d) => String(d.recipient?.accountId) === String(own._id));
  expect(own_.map((d) => [d.channel, d.status])).toEqual([["max", "sent"]]);
});
