/**
 * The persons of a child and their channels (src/services/people.ts) with the worker running: each
 * person on their own channel order and contacts (Telegram for one parent, e-mail for the other),
 * the record person beside the accounts once the school registered a written decision for it,
 * paper once per family whoever needs it, and a decision of one person never stopping another's
 * message, at planning or at send time.
 */
import { Types } from "mongoose";
import { Account, ConsentRecord, Delivery, Guardian, GuardianLink } from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { createI18n, translator } from "../../src/i18n";
import { QUEUES } from "../../src/queue/names";
import { enqueueDeliveries, planForFamily } from "../../src/services/notify/deliveries";
import { registerPaperDecision } from "../../src/services/paper-consent";
import { familiesOf } from "../../src/services/people";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";

const h = useNotifyHarness();
const ru = translator(createI18n("ru"), "ru");
let tgId = 930_000;

const school = (): Promise<SchoolFixture> => createSchoolFixture({ data: "none", noQuietHours: true });

/** Two parents acting for the mother's journal record of Мария: the mother on Telegram, the father by e-mail first. */
async function twoParents(fx: SchoolFixture) {
  const record = fx.guardians.parent;
  const mother = await guardianAccount(fx, ++tgId, record, [fx.students.maria]);
  const father = await guardianAccount(fx, ++tgId, record, [fx.students.maria]);
  await Account.updateOne({ _id: father._id }, { $set: { channelOrder: ["email", "telegram", "paper"], contacts: [{ kind: "email", value: "father@example.org", source: "guardian", verifiedAt: new Date() }] } });
  return { record, mother, father };
}

test("each parent on their own channel: the mother by Telegram, the father by his own e-mail", async () => {
  const fx = await school();
  const { mother, father } = await twoParents(fx);
  await h.start();
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "5", subject: "alg" });
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${father._id}/email` }, "sent");
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${mother._id}/telegram` }, "sent");
  expect(h.mails.filter((m) => m.to.includes("father@example.org"))).toHaveLength(1);
  expect(h.fake.sent(mother.chatId).filter((m) => m.plain?.includes("Алгебра"))).toHaveLength(1);
  expect(h.fake.sent(father.chatId)).toHaveLength(0);
  expect(await Delivery.countDocuments({ eventId })).toBe(2);
  await h.stopNotifier();
});

test("a written refusal of the record person: the record's family gets paper, both parents keep their channels", async () => {
  const fx = await school();
  const { record, mother, father } = await twoParents(fx);
  await registerPaperDecision({ schoolId: fx.school._id, guardianId: record._id, decision: "declined", form: "paper", t: ru, now: new Date() });
  const family = (await familiesOf(fx.school._id, [fx.students.maria._id])).get(String(fx.students.maria._id))!.find((f) => f.guardianId.equals(record._id))!;
  // The record person is a person of the child now (the school knows them in writing), on paper.
  expect(family.persons.map((p) => [p.key, p.mode])).toEqual([[`a${mother._id}`, "electronic"], [`a${father._id}`, "electronic"], [`g${record._id}`, "paper"]]);
  expect(family).toMatchObject({ paper: true, paperReason: "paper-refusal", written: { decision: "declined", form: "paper", signerAccountId: null } });
  await h.start();
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "4", subject: "rus" });
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${father._id}/email` }, "sent");
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${mother._id}/telegram` }, "sent");
  expect(await Delivery.find({ eventId, channel: "paper" }).lean()).toEqual([expect.objectContaining({ idempotencyKey: `${eventId}/g${record._id}/paper`, status: "pending_paper" })]);
  await h.stopNotifier();
});

test("a written consent of the record person with the statement's e-mail: the record person gets mail beside the parent in the bot", async () => {
  const fx = await school();
  const record = fx.guardians.otherParent;
  const father = await guardianAccount(fx, ++tgId, record, [fx.students.petya]);
  await registerPaperDecision({ schoolId: fx.school._id, guardianId: record._id, decision: "granted", form: "edoc", t: ru, now: new Date(), contacts: { email: "anna.smirnova@example.org" } });
  await h.start();
  const { eventId } = await publishFinal(h.queues, fx, fx.students.petya, { value: "3", subject: "hist" });
  await h.waitForStatus({ idempotencyKey: `${eventId}/g${record._id}/email` }, "sent");
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${father._id}/telegram` }, "sent");
  expect(h.mails.filter((m) => m.to.includes("anna.smirnova@example.org"))).toHaveLength(1);
  await h.stopNotifier();
});

test("at send time only the person's own decisions count: another parent's refusal does not stop this one's queued message", async () => {
  const fx = await school();
  const { record, mother, father } = await twoParents(fx);
  const queue = h.queues.queue(QUEUES.deliveries);
  const families = await familiesOf(fx.school._id, [fx.students.maria._id]);
  const family = families.get(String(fx.students.maria._id))!.find((f) => f.guardianId.equals(record._id))!;
  const base = { source: `people-${new Types.ObjectId()}`, schoolId: fx.school._id, kind: "broadcast" as const, notice: { template: "broadcast" as const, school: "Школа", text: "собрание" } };
  await enqueueDeliveries(queue, planForFamily(family, base), new Date());
  const mailsBefore = h.mails.length;
  // While the jobs wait, the father refuses in the bot (a record only, without the service's cancelling).
  await ConsentRecord.create({ accountId: father._id, schoolId: fx.school._id, decision: "declined", form: "telegram", textVersion: consentVersionOf(fx.school), textHash: consentTextHash("x") });
  await h.start();
  await h.waitForStatus({ idempotencyKey: `${base.source}/a${mother._id}/telegram` }, "sent");
  await h.waitForStatus({ idempotencyKey: `${base.source}/a${father._id}/email` }, "cancelled");
  expect(h.mails.slice(mailsBefore).some((m) => m.to.includes("father@example.org"))).toBe(false);
  await h.stopNotifier();
});

test("a blocked account falls back along its own order; the other parent is not concerned", async () => {
  const fx = await school();
  const { mother, father } = await twoParents(fx);
  await Account.updateOne({ _id: father._id }, { $set: { channelOrder: ["telegram", "email", "paper"] } });
  h.fake.blockChat(father.chatId);
  await h.start();
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "5", subject: "geom" });
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${father._id}/email` }, "sent");
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${father._id}/telegram` }, "fell_back");
  await h.waitForStatus({ idempotencyKey: `${eventId}/a${mother._id}/telegram` }, "sent");
  expect(await Account.findById(mother._id).lean()).toMatchObject({ active: true });
  expect(await Delivery.countDocuments({ eventId, channel: "paper" })).toBe(0);
  await h.stopNotifier();
});

test("an account linked to the child through another record is a person of that family only", async () => {
  const fx = await school();
  // The journal sent both parents of Пётр; the father redeemed a code bound to his own record.
  const fatherRecord = await Guardian.create({ schoolId: fx.school._id, externalId: "p-smirnov", fullName: "Смирнов Андрей", studentIds: [fx.students.petya._id] });
  const father = await guardianAccount(fx, ++tgId, fatherRecord, [fx.students.petya]);
  const families = (await familiesOf(fx.school._id, [fx.students.petya._id])).get(String(fx.students.petya._id))!;
  const byRecord = new Map(families.map((f) => [String(f.guardianId), f]));
  expect(byRecord.get(String(fatherRecord._id))!.persons.map((p) => p.key)).toEqual([`a${father._id}`]);
  // The mother's record: nobody acts for it and nothing was decided — she waits (nothing electronic).
  expect(byRecord.get(String(fx.guardians.otherParent._id))!.persons.map((p) => [p.key, p.mode])).toEqual([[`g${fx.guardians.otherParent._id}`, "waiting"]]);
  expect(await GuardianLink.countDocuments({ studentId: fx.students.petya._id })).toBe(1);
});
