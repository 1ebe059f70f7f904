/**
 * The data lifecycle (issue 10.6): a guardian withdraws; for the school's retention period nothing
 * more is erased than the withdrawal itself erases; after it the daily job erases the person's
 * links, sign-ins, pending checks and the texts of their messages, while delivery records keep
 * kind, times, channel and status, and consent records and the audit log stay whole. A record
 * person's written contacts go the same way after a written withdrawal; another parent's data and
 * the journal's contacts are never touched. `deleteAccount` does it all at once.
 */
import { Types } from "mongoose";
import {
  Account, AuditEntry, ConsentRecord, Delivery, DomainEvent, EmailCodeSend, Guardian, GuardianLink, School, Session, WebSession, WebSignIn,
} from "../../src/db/models";
import { appendConsent } from "../../src/services/consent-records";
import { deleteAccount, runDataRetention } from "../../src/services/data-lifecycle";
import { broadcastsOf } from "../../src/services/delivery-overview";
import { withdrawConsent } from "../../src/services/privacy";
import { schedulerSpecs } from "../../src/queue/schedulers";
import { useTestDb } from "../support/db";
import { makeSchool, type TestSchool } from "../bot/onboarding-support";

useTestDb();

const DAY = 24 * 3600 * 1000;
const T0 = new Date("2026-11-20T09:00:00Z");
const HASH = "a".repeat(64);
const hex64 = () => new Types.ObjectId().toHexString().padEnd(64, "0");

async function parent(school: TestSchool, telegramId: number) {
  const account = await Account.create({
    telegramId, chatId: telegramId, roles: [{ role: "guardian", schoolId: school.school._id, guardianId: school.annaGuardian }],
    contacts: [{ kind: "email", value: `p${telegramId}@example.ru`, source: "guardian", verifiedAt: T0 }],
  });
  await GuardianLink.create({ accountId: account._id, guardianId: school.annaGuardian, studentId: school.masha, schoolId: school.school._id });
  await appendConsent({ accountId: account._id, schoolId: school.school._id, decision: "granted", form: "telegram", textVersion: "2026-12", textHash: HASH, recordedAt: new Date(T0.getTime() - 90 * DAY) });
  const recipient = { accountId: account._id, guardianId: school.annaGuardian, studentId: school.masha };
  const notice = { template: "final", student: "Иванова Мария Петровна", subject: "Алгебра", period: "1 четверть", status: "final", value: "5" };
  await Delivery.create({ schoolId: school.school._id, idempotencyKey: `final/${telegramId}/telegram`, kind: "final", recipient, channel: "telegram", status: "sent", queuedAt: T0, sentAt: T0, resultsAt: T0, notice });
  await WebSession.create({ tokenHash: hex64(), accountId: account._id, via: "telegram", csrfToken: "c".repeat(32), language: "ru", expiresAt: new Date(T0.getTime() + 400 * DAY), absoluteExpiresAt: new Date(T0.getTime() + 400 * DAY), lastSeenAt: T0 });
  await WebSignIn.create({ tokenHash: hex64(), purpose: "email", accountId: account._id, expiresAt: new Date(T0.getTime() + 400 * DAY) });
  await EmailCodeSend.create({ accountId: account._id, email: `p${telegramId}@example.ru`, at: new Date() });
  await Session.create({ key: `session:${telegramId}`, value: { selected: String(school.masha) } });
  return account;
}

const snapshot = async (accountId: Types.ObjectId) => ({
  contacts: (await Account.findById(accountId).lean())?.contacts.length ?? null,
  links: await GuardianLink.countDocuments({ accountId }),
  webSessions: await WebSession.countDocuments({ accountId }),
  signInLinks: await WebSignIn.countDocuments({ accountId }),
  deliveries: (await Delivery.find({ "recipient.accountId": accountId }).lean()).map((d) => ({ kind: d.kind, channel: d.channel, status: d.status, sentAt: d.sentAt, resultsAt: d.resultsAt, notice: d.notice ?? null })),
  consents: (await ConsentRecord.find({ accountId }).sort({ seq: 1 }).lean()).map((c) => c.decision),
});

describe("data lifecycle", () => {
  let school: TestSchool;
  beforeEach(async () => {
    school = await makeSchool();
  });

  test("after a withdrawal the daily job erases the person's own data once the retention period has passed", async () => {
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.retentionDays": 30 } });
    const anna = await parent(school, 7001);
    const other = await parent(school, 7002); // the second parent of the same record keeps everything
    await withdrawConsent({ accountId: anna._id, schoolId: school.school._id, now: T0 });

    const before = await snapshot(anna._id);
    // The withdrawal itself: links, the entered contacts and the web cabinet's sessions and links go at once; the rest waits for the period.
    expect(before).toMatchObject({ contacts: 0, links: 0, webSessions: 0, signInLinks: 0, consents: ["granted", "withdrawn"] });
    expect(before.deliveries).toEqual([expect.objectContaining({ kind: "final", channel: "telegram", status: "sent", notice: expect.objectContaining({ subject: "Алгебра" }) })]);

    expect(await runDataRetention(new Date(T0.getTime() + 29 * DAY))).toMatchObject({ accounts: 0, guardians: 0 });
    expect(await snapshot(anna._id)).toEqual(before);

    const report = await runDataRetention(new Date(T0.getTime() + 31 * DAY));
    expect(report).toMatchObject({ accounts: 1, guardians: 0, erased: expect.objectContaining({ messageTexts: 1, webSessions: 0, signInLinks: 0 }) });
    const after = await snapshot(anna._id);
    expect(after).toEqual({
      ...before, webSessions: 0, signInLinks: 0,
      // Proof of the 24-hour rule stays: kind, channel, status, times; the words are gone.
      deliveries: [{ kind: "final", channel: "telegram", status: "sent", sentAt: T0, resultsAt: T0, notice: null }],
    });
    expect(await EmailCodeSend.countDocuments({ accountId: anna._id })).toBe(0);
    // The other parent is untouched; the journal's record keeps what the journal said.
    expect(await snapshot(other._id)).toMatchObject({ contacts: 1, links: 1, webSessions: 1, signInLinks: 1, deliveries: [expect.objectContaining({ notice: expect.anything() })] });
    // The job's own trace: one audit entry with counts, no contacts.
    const audit = await AuditEntry.find({ action: "person.data-erased" }).lean();
    expect(audit).toEqual([expect.objectContaining({ target: { kind: "account", id: anna._id }, actor: { kind: "system", name: "data-retention" } })]);
    expect(JSON.stringify(audit)).not.toContain("@example.ru");

    // A second run finds nothing left.
    expect(await runDataRetention(new Date(T0.getTime() + 32 * DAY))).toMatchObject({ accounts: 0, guardians: 0 });
    expect(await AuditEntry.countDocuments({ action: "person.data-erased" })).toBe(1);
  });

  test("a written withdrawal of a record person: the contacts the school received in writing go after the period, the journal's stay", async () => {
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.retentionDays": 10 } });
    const guardianId = school.annaGuardian;
    await Guardian.updateOne({ _id: guardianId }, { $push: { contacts: { $each: [
      { kind: "email", value: "anna.journal@mail.ru", source: "journal" },
      { kind: "phone", value: "+79160000000", source: "school-paper", verifiedAt: T0 },
    ] } } });
    await appendConsent({ guardianId, schoolId: school.school._id, decision: "granted", form: "paper", textVersion: "2026-12", textHash: HASH, recordedAt: new Date(T0.getTime() - 60 * DAY) });
    await appendConsent({ guardianId, schoolId: school.school._id, decision: "withdrawn", form: "paper", textVersion: "2026-12", textHash: HASH, recordedAt: T0 });
    await WebSession.create({ tokenHash: hex64(), guardianId, via: "email", csrfToken: "c".repeat(32), language: "ru", expiresAt: new Date(T0.getTime() + 400 * DAY), absoluteExpiresAt: new Date(T0.getTime() + 400 * DAY), lastSeenAt: T0 });

    expect(await runDataRetention(new Date(T0.getTime() + 9 * DAY))).toMatchObject({ guardians: 0 });
    expect((await Guardian.findById(guardianId).lean())!.contacts.map((c) => c.source)).toEqual(["journal", "school-paper"]);
    expect(await runDataRetention(new Date(T0.getTime() + 11 * DAY))).toMatchObject({ guardians: 1, erased: expect.objectContaining({ contacts: 1, webSessions: 1 }) });
    expect((await Guardian.findById(guardianId).lean())!.contacts.map((c) => c.source)).toEqual(["journal"]);
    expect(await ConsentRecord.countDocuments({ guardianId })).toBe(2);
  });

  test("deleting an account: consent withdrawn (kept as proof), everything of the account erased at once, the deletion audited", async () => {
    const anna = await parent(school, 7003);
    const result = await deleteAccount({ accountId: anna._id, now: T0, pepper: "test-pepper", via: "bot" });
    expect(result).toMatchObject({ withdrawnSchools: 1, erased: expect.objectContaining({ links: 0, contacts: 0, messageTexts: 1, botSessions: 1 }) });
    expect(await Account.exists({ _id: anna._id })).toBeNull();
    const after = await snapshot(anna._id);
    expect(after).toMatchObject({ links: 0, webSessions: 0, signInLinks: 0, consents: ["granted", "withdrawn"] });
    expect(after.deliveries).toEqual([{ kind: "final", channel: "telegram", status: "sent", sentAt: T0, resultsAt: T0, notice: null }]);
    expect(await Session.countDocuments({ key: "session:7003" })).toBe(0);
    // The family keeps paper on the person's behalf, as after a withdrawal.
    expect((await Guardian.findById(school.annaGuardian).lean())!.paperFor).toEqual([expect.objectContaining({ accountId: anna._id, reason: "withdrawn" })]);
    const [entry] = await AuditEntry.find({ action: "account.deleted" }).lean();
    expect(entry).toMatchObject({ schoolId: school.school._id, target: { kind: "account", id: anna._id }, before: { telegramIdHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(JSON.stringify(entry)).not.toContain("7003");
    expect(await deleteAccount({ accountId: anna._id, now: T0, pepper: "test-pepper", via: "bot" })).toBeNull();
  });

  test("deleting an account: a message still queued for it is cancelled and loses its words too", async () => {
    const admin = await Account.create({ telegramId: 7004, chatId: 7004, roles: [{ role: "admin", schoolId: school.school._id }] });
    const notice = { template: "overdue", items: [{ student: "Иванова Мария Петровна", what: "Алгебра", resultsAt: T0.toISOString() }] };
    await Delivery.create({ schoolId: school.school._id, idempotencyKey: "alert/7004/telegram", kind: "admin-alert", recipient: { accountId: admin._id }, channel: "telegram", status: "queued", queuedAt: T0, notice });
    await deleteAccount({ accountId: admin._id, now: T0, pepper: "test-pepper", via: "bot" });
    const [alert] = await Delivery.find({ "recipient.accountId": admin._id }).lean();
    expect(alert).toMatchObject({ kind: "admin-alert", status: "cancelled" });
    expect(alert.notice).toBeUndefined();
  });

  test("a broadcast's words go the school's retention period after it was planned; its id, audience, author and times stay", async () => {
    await School.updateOne({ _id: school.school._id }, { $set: { "settings.retentionDays": 30 } });
    const other = await makeSchool("Школа № 2");
    await School.updateOne({ _id: other.school._id }, { $set: { "settings.retentionDays": 60 } });
    const author = new Types.ObjectId();
    const broadcast = (at: TestSchool, id: string, processedAt: Date | null) => DomainEvent.create({
      schoolId: at.school._id, eventId: `broadcast.requested-${id}`, type: "broadcast.requested", entity: { resource: "broadcasts", id: new Types.ObjectId() },
      studentIds: [], classIds: [], enqueuedAt: processedAt ?? T0, ...(processedAt ? { processedAt } : {}),
      payload: { broadcast: { id, text: `Родители Ивановой Марии, зайдите к директору (${id})`, target: { kind: "class", classId: String(at.classId) }, authorAccountId: String(author) } },
    });
    await broadcast(school, "a1", new Date(T0.getTime() - 31 * DAY)); // planned 31 days ago: past the 30 days
    await broadcast(school, "a2", new Date(T0.getTime() - 29 * DAY)); // not yet
    await broadcast(school, "a3", null); // never planned (the worker still needs the words)
    await broadcast(other, "b1", new Date(T0.getTime() - 31 * DAY)); // that school keeps them 60 days

    const report = await runDataRetention(T0);
    expect(report.broadcastTexts).toBe(1);
    const events = new Map((await DomainEvent.find({ type: "broadcast.requested" }).lean()).map((e) => [e.eventId, e.payload as { broadcast: Record<string, unknown> }]));
    expect(events.get("broadcast.requested-a1")!.broadcast).toEqual({
      id: "a1", target: { kind: "class", classId: String(school.classId) }, authorAccountId: String(author), textErasedAt: T0,
    });
    for (const id of ["a2", "a3", "b1"]) expect(events.get(`broadcast.requested-${id}`)!.broadcast.text).toContain("Родители Ивановой Марии");
    // The console lists it without its words.
    const rows = await broadcastsOf(school.school._id);
    expect(rows.find((r) => r.id === "a1")).toMatchObject({ text: null, planned: true });
    expect(rows.find((r) => r.id === "a2")!.text).toContain("зайдите к директору");
    // Idempotent; the other school's go after its own 60 days.
    expect((await runDataRetention(T0)).broadcastTexts).toBe(0);
    expect((await runDataRetention(new Date(T0.getTime() + 30 * DAY))).broadcastTexts).toBe(2);
    expect(JSON.stringify(await DomainEvent.find({ type: "broadcast.requested", processedAt: { $ne: null } }).lean())).not.toContain("Родители");
  });

  test("the daily job has its scheduler", async () => {
    expect((await schedulerSpecs()).find((s) => s.id === "data-retention")).toMatchObject({ name: "data-retention", pattern: "37 0 * * *" });
  });
});
