/**
 * Issue #16.2 as the two parents live it: the school's journal has one guardian record for Masha
 * (her mother's); the mother and the father each redeem a code bound to that record. Each sees only
 * their own contacts in /mydata and /settings (the journal's, masked); the father's refusal, his
 * withdrawal or his choice of paper leaves the mother electronic; each gets final grades on their
 * own channel; the family gets one paper item, however many of its persons need paper. The real bot
 * and the real worker against the fake Bot API.
 */
import type { Types } from "mongoose";
import { Delivery, FinalGrade, Guardian, Period, School, Subject, Account } from "../../src/db/models";
import type { BotHarness, TestUser } from "../support/bot-harness";
import { startBotWithWorker, type BotWithWorker } from "../support/bot-worker";
import { clearDb, useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { publishEvent } from "../integration/notify-events";
import { buttonData, linkedParent, makeSchool, texts, withButtons, type TestSchool } from "./onboarding-support";

useTestDb();
const redis = useTestRedis();
let running: BotWithWorker;
let h: BotHarness;
let school: TestSchool;

beforeAll(async () => {
  running = await startBotWithWorker(redis);
  h = running.h;
});
afterAll(() => running.stop());
beforeEach(async () => {
  await clearDb();
  school = await makeSchool("Школа № 1");
  // Messages go out at once whatever the hour the test runs at.
  await School.updateOne({ _id: school.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  // What the journal says about the record: the mother's address.
  await Guardian.updateOne({ _id: school.annaGuardian }, { $push: { contacts: { kind: "email", value: "ivanova.anna@mail.ru", source: "journal" } } });
});
afterEach(() => expect(h.logs.filter((l) => l.includes("bot update failed"))).toEqual([]));

let finals = 0;

/** A final grade for Masha published as the exchange import does; resolves with its event id. */
async function publishFinal(): Promise<string> {
  const subject = (await Subject.findOne({ schoolId: school.school._id }).lean()) ?? (await Subject.create({ schoolId: school.school._id, externalId: "alg", name: "Алгебра" }));
  const period = (await Period.findOne({ schoolId: school.school._id }).lean())
    ?? (await Period.create({ schoolId: school.school._id, externalId: "q1", name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-24" }));
  const final = await FinalGrade.create({ schoolId: school.school._id, externalId: `f${++finals}`, studentId: school.masha, subjectId: subject._id, periodId: period._id, value: "5", status: "final", resultsAt: new Date() });
  return publishEvent(running.queues, school.school._id, "final.published", { resource: "finalGrades", id: final._id }, { studentIds: [school.masha], payload: { after: { status: "final", value: "5" } } });
}

async function deliveriesOf(eventId: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const found = await Delivery.find({ eventId }).lean();
    if (found.length >= count && found.every((d) => d.status !== "queued" && d.status !== "sending")) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`deliveries of ${eventId}: ${JSON.stringify(await Delivery.find({ eventId }, { idempotencyKey: 1, status: 1 }).lean())}`);
}

const accountOf = async (user: TestUser) => (await Account.findOne({ telegramId: user.profile.id }).lean())!;

async function sharePhone(user: TestUser, phone: string): Promise<void> {
  const [menu] = await user.send("/settings");
  const [contacts] = await user.press("st:contacts", menu);
  await user.press("st:phone", contacts);
  expect(texts(await user.shareContact(phone))).toContain("телефон сохранён");
}

async function parents() {
  const mother = await linkedParent(h, school);
  const father = await linkedParent(h, school);
  const [m, f] = [await accountOf(mother), await accountOf(father)];
  // Both redeemed codes bound to the same journal record.
  expect(m.roles[0].guardianId).toEqual(school.annaGuardian);
  expect(f.roles[0].guardianId).toEqual(school.annaGuardian);
  return { mother, father, motherId: m._id as Types.ObjectId, fatherId: f._id as Types.ObjectId };
}

test("each parent's /mydata and /settings show their own contacts only, and the journal's masked", async () => {
  const { mother, father } = await parents();
  await sharePhone(mother, "79161111111");
  await sharePhone(father, "79162222222");
  for (const [user, own, other] of [[mother, "+79161111111", "+79162222222"], [father, "+79162222222", "+79161111111"]] as const) {
    const mydata = texts(await user.send("/mydata"));
    expect(mydata).toContain(own);
    expect(mydata).not.toContain(other);
    expect(mydata).toContain("Школа № 1: Иванова А.; i***@mail.ru");
    expect(mydata).not.toContain("ivanova.anna");
    expect(mydata).not.toContain("Иванова Анна Сергеевна");
    const [menu] = await user.send("/settings");
    const [contacts] = await user.press("st:contacts", menu);
    expect(contacts.plain).toContain(`Телефон: ${own} (указан вами)`);
    expect(contacts.plain).not.toContain(other);
    expect(contacts.plain).toContain("Иванова А.: E-mail i***@mail.ru");
  }
  // Nothing the parents entered went onto the shared record.
  expect((await Guardian.findById(school.annaGuardian).lean())!.contacts.map((c) => c.source)).toEqual(["journal"]);
});

test("both parents in the bot: a final grade reaches each on their own Telegram, nothing on paper", async () => {
  const { mother, father, motherId, fatherId } = await parents();
  const eventId = await publishFinal();
  await h.fake.waitForMessage(mother.profile.id, "Алгебра", 15_000);
  await h.fake.waitForMessage(father.profile.id, "Алгебра", 15_000);
  const deliveries = await deliveriesOf(eventId, 2);
  expect(deliveries.map((d) => [d.idempotencyKey, d.status]).sort()).toEqual([[`${eventId}/a${fatherId}/telegram`, "sent"], [`${eventId}/a${motherId}/telegram`, "sent"]].sort());
});

const fatherDecisions: Array<[string, (father: TestUser) => Promise<void>, string]> = [
  ["refuses the school's new text", async (father) => {
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.consentTextVersion": "2027-01" } });
    await father.press(`cs:no:${school.school._id}`, withButtons(await father.send("/start")));
  }, "declined"],
  ["withdraws his consent in /privacy", async (father) => {
    const [overview] = await father.send("/privacy");
    const confirm = withButtons(await father.press(`pv:wd:${school.school._id}`, overview));
    expect(texts(await father.press(`pv:wdy:${school.school._id}`, confirm))).toContain("отозвано");
  }, "withdrawn"],
  ["puts paper first in /settings", async (father) => {
    const [menu] = await father.send("/settings");
    const [channels] = await father.press("st:channels", menu);
    const [once] = await father.press("ch:up:paper", channels);
    const [twice] = await father.press("ch:up:paper", once);
    expect(twice.plain).toContain("1. Бумага (через школу)");
    // On paper the view offers the way back to electronic delivery instead of reordering.
    expect(buttonData(twice)).toContain("ch:electronic");
  }, "chosen"],
];

test.each(fatherDecisions)("the father %s: the mother stays electronic, the family gets one paper item", async (_what, decide, reason) => {
  const { mother, father, motherId, fatherId } = await parents();
  await decide(father);
  if (reason === "declined") {
    // The mother agrees to the new text; the father's refusal is his alone.
    await mother.press(`cs:yes:${school.school._id}`, withButtons(await mother.send("/start")));
  }
  // The mother still sees her child and is not asked anything.
  expect(texts(await mother.send("/grades"))).toContain("Оценки · Мария, 7Б");
  h.fake.clear();
  const eventId = await publishFinal();
  await h.fake.waitForMessage(mother.profile.id, "Алгебра", 15_000);
  const deliveries = await deliveriesOf(eventId, 2);
  expect(deliveries.map((d) => [d.idempotencyKey, d.channel, d.status]).sort()).toEqual([
    [`${eventId}/a${motherId}/telegram`, "telegram", "sent"],
    [`${eventId}/g${school.annaGuardian}/paper`, "paper", "pending_paper"],
  ]);
  expect(deliveries.some((d) => String(d.recipient?.accountId) === String(fatherId))).toBe(false);
  expect(h.fake.sent(father.profile.id).filter((m) => m.plain?.includes("Алгебра"))).toEqual([]);
  // Both parents on paper would still mean one paper item for the family: the father's and the journal's.
  await Guardian.updateOne({ _id: school.annaGuardian }, { $set: { delivery: "paper", deliveryReason: "journal" } });
  const second = await publishFinal();
  const again = await deliveriesOf(second, 2);
  expect(again.filter((d) => d.channel === "paper")).toHaveLength(1);
  expect(again.filter((d) => d.channel === "telegram").map((d) => String(d.recipient?.accountId))).toEqual([String(motherId)]);
}, 40_000);
