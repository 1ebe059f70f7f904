/**
 * The data lifecycle the consent text promises (issue 10.6; 152-FZ art. 21 part 5): once a person's
 * consent in a school has ended (withdrawn or refused) and the school's retention period
 * (`settings.retentionDays`, default 30) has passed, their own data are erased: the links to the
 * school's children, the contacts they entered (once no consent of theirs is in force anywhere),
 * their web sessions, sign-in links, e-mail checks and bot sessions, and the texts of the messages
 * prepared for them. Delivery records keep what proves the school's obligations were met (kind,
 * times, channel, status, the recipient's ids); consent records and the audit log are kept whole:
 * they are the proof, append-only, and hold ids, versions and hashes only. An admin's broadcast is
 * kept as free text on its outbox event (`broadcast.requested`) to be planned and listed in the
 * console; once planned, the school's retention period after that its words go too (the text may
 * name people), while its id, audience, author and times stay with its delivery records.
 *
 * `deleteAccount` is the same at once, on the person's request (/privacy in the bot, the web
 * cabinet's privacy page): decisions recorded first, then everything of the account erased.
 */
import { createHmac } from "node:crypto";
import { Types } from "mongoose";
import {
  Account,
  ConsentRecord,
  Delivery,
  DomainEvent,
  EmailCodeSend,
  EmailVerification,
  Guardian,
  GuardianLink,
  School,
  Session,
  Student,
  WebSession,
  WebSignIn,
  maxDialogKey,
} from "../db/models";
import { recordAudit, type AuditRecord } from "./audit";
import { consentOverview, leaveSchool, withdrawConsent } from "./privacy";

const DAY_MS = 24 * 3600 * 1000;
/** Deliveries in these states are settled: nothing will send or print them any more. */
const SETTLED = ["sent", "delivered", "failed", "fell_back", "cancelled", "handed"] as const;
const ENDED = ["declined", "withdrawn"] as const;

export interface Erased {
  links: number;
  contacts: number;
  messageTexts: number;
  webSessions: number;
  signInLinks: number;
  emailChecks: number;
  botSessions: number;
}

const none = (): Erased => ({ links: 0, contacts: 0, messageTexts: 0, webSessions: 0, signInLinks: 0, emailChecks: 0, botSessions: 0 });
const anything = (e: Erased) => Object.values(e).some((n) => n > 0);

/** The words of settled messages: what proves delivery (kind, times, channel, status, ids) stays. */
async function eraseMessageTexts(filter: Record<string, unknown>): Promise<number> {
  const result = await Delivery.updateMany(
    { ...filter, status: { $in: SETTLED }, $or: [{ notice: { $exists: true } }, { lastError: { $exists: true } }] },
    { $unset: { notice: 1, lastError: 1 } },
  );
  return result.modifiedCount;
}

/** Everything an account holds for itself across schools: contacts, pending checks, sign-ins, sessions. */
async function eraseAccountOwn(accountId: Types.ObjectId, chatId: number | undefined, maxUserId?: number): Promise<Omit<Erased, "links" | "messageTexts">> {
  const account = await Account.findById(accountId, { contacts: 1 }).lean();
  const contacts = account?.contacts?.length ?? 0;
  if (contacts) await Account.updateOne({ _id: accountId }, { $set: { contacts: [] } });
  const [verifications, , sessions, links, botSessions] = await Promise.all([
    EmailVerification.deleteMany({ accountId }),
    EmailCodeSend.deleteMany({ accountId }),
    WebSession.deleteMany({ accountId }),
    WebSignIn.deleteMany({ accountId }),
    chatId === undefined && maxUserId === undefined
      ? null
      : Session.deleteMany({ key: { $in: [...(chatId === undefined ? [] : [`session:${chatId}`, `dialog:${chatId}`]), ...(maxUserId === undefined ? [] : [maxDialogKey(maxUserId)])] } }),
  ]);
  return { contacts, emailChecks: verifications.deletedCount, webSessions: sessions.deletedCount, signInLinks: links.deletedCount, botSessions: botSessions?.deletedCount ?? 0 };
}

export interface AccountDeletion {
  withdrawnSchools: number;
  erased: Erased;
}

/**
 * Deletes an account on its owner's request: every consent in force is withdrawn (records kept as
 * proof), the account leaves every school (its families keep paper on its behalf, as after a
 * withdrawal), all its own data are erased at once, and the account itself is removed. The audit
 * log keeps the deletion with a keyed hash of the Telegram id (`pepper`), so that the school can
 * still show which consent records were this person's if asked, without storing the id.
 */
export async function deleteAccount(input: { accountId: Types.ObjectId; now: Date; pepper: string; via: "bot" | "web" }): Promise<AccountDeletion | null> {
  const { accountId, now } = input;
  const account = await Account.findById(accountId, { telegramId: 1, chatId: 1, "max.userId": 1, roles: 1 }).lean();
  if (!account) return null;
  const overview = await consentOverview(accountId);
  let withdrawnSchools = 0;
  for (const c of overview.filter((o) => o.decision === "granted")) {
    await withdrawConsent({ accountId, schoolId: new Types.ObjectId(c.schoolId), now });
    withdrawnSchools++;
  }
  // Guardian roles in schools without a consent in force (declined, never answered) go the same way.
  const guardianSchools = new Set(account.roles.filter((r) => r.role === "guardian").map((r) => String(r.schoolId)));
  for (const schoolId of guardianSchools) {
    if (!overview.some((o) => o.schoolId === schoolId && o.decision === "granted")) {
      await leaveSchool({ accountId, schoolId: new Types.ObjectId(schoolId), now, reason: overview.some((o) => o.schoolId === schoolId) ? "withdrawn" : "declined" });
    }
  }
  // Queued messages as staff or as a student would find no account: cancel them first, so that
  // their texts are erased with the rest (only settled messages lose their words).
  await Delivery.updateMany({ "recipient.accountId": accountId, status: "queued", channel: { $ne: "paper" } }, { $set: { status: "cancelled" } });
  const links = (await GuardianLink.deleteMany({ accountId })).deletedCount;
  const own = await eraseAccountOwn(accountId, account.chatId ?? undefined, account.max?.userId ?? undefined);
  const messageTexts = await eraseMessageTexts({ "recipient.accountId": accountId });
  await Account.deleteOne({ _id: accountId });
  const erased: Erased = { ...own, links, messageTexts };
  const schools = [...new Set([...account.roles.map((r) => String(r.schoolId)), ...overview.map((o) => o.schoolId)])];
  const hmac = (what: string) => createHmac("sha256", input.pepper).update(what).digest("hex");
  const ids = {
    ...(typeof account.telegramId === "number" ? { telegramIdHash: hmac(`telegram:${account.telegramId}`) } : {}),
    ...(typeof account.max?.userId === "number" ? { maxUserIdHash: hmac(`max:${account.max.userId}`) } : {}),
  };
  await recordAudit((schools.length ? schools : [undefined]).map((schoolId) => ({
    at: now, ...(schoolId ? { schoolId: new Types.ObjectId(schoolId) } : {}),
    actor: { kind: "account" as const, accountId }, action: "account.deleted" as const, target: { kind: "account" as const, id: accountId },
    before: { roles: account.roles.map((r) => ({ role: r.role, schoolId: String(r.schoolId) })), ...ids }, after: { erased, via: input.via },
  })));
  return { withdrawnSchools, erased };
}

export interface RetentionReport {
  accounts: number;
  guardians: number;
  /** Children who left the school whose messages' texts were erased. */
  leavers: number;
  /** Planned broadcasts whose text was erased from their outbox event. */
  broadcastTexts: number;
  erased: Erased;
}

/** The newest decision per person and school, among the given persons (an account's include written ones it signed). */
async function latestDecisions(by: "account" | "guardian", filter: Record<string, unknown>) {
  const records = await ConsentRecord.find(filter, { accountId: 1, guardianId: 1, schoolId: 1, decision: 1, form: 1, recordedAt: 1 }).sort({ recordedAt: -1, _id: -1 }).lean();
  const latest = new Map<string, (typeof records)[number]>();
  for (const r of records) {
    const key = `${by === "account" ? String(r.accountId) : String(r.guardianId)}:${String(r.schoolId)}`;
    if (!latest.has(key)) latest.set(key, r);
  }
  return latest;
}

/**
 * The daily job: every person whose newest decision in a school is a withdrawal or refusal older
 * than the school's retention period has their own data there erased (see the file's comment).
 * Idempotent: a second run finds nothing left and writes no audit entry.
 */
export async function runDataRetention(now: Date): Promise<RetentionReport> {
  const schools = await School.find({}, { settings: 1 }).lean();
  const cutoff = new Map(schools.map((s) => [String(s._id), new Date(now.getTime() - (s.settings.retentionDays ?? 30) * DAY_MS)]));
  const oldest = Math.max(...[...cutoff.values()].map((d) => d.getTime()), 0);
  // Candidates: persons with an ended decision before the latest cutoff; their newest decision decides.
  const ended = await ConsentRecord.find({ decision: { $in: ENDED }, recordedAt: { $lt: new Date(oldest) } }, { accountId: 1, guardianId: 1, form: 1 }).lean();
  const accountIds = [...new Set(ended.filter((r) => r.accountId).map((r) => String(r.accountId)))].map((id) => new Types.ObjectId(id));
  const guardianIds = [...new Set(ended.filter((r) => r.form !== "telegram" && r.guardianId && !r.accountId).map((r) => String(r.guardianId)))].map((id) => new Types.ObjectId(id));
  const report: RetentionReport = { accounts: 0, guardians: 0, leavers: 0, broadcastTexts: 0, erased: none() };
  const audit: AuditRecord[] = [];
  const add = (e: Partial<Erased>) => { for (const [k, v] of Object.entries(e)) report.erased[k as keyof Erased] += v ?? 0; };
  const due = (r: { decision: string; recordedAt: Date; schoolId?: unknown }) =>
    (ENDED as readonly string[]).includes(r.decision) && cutoff.has(String(r.schoolId)) && new Date(r.recordedAt) < cutoff.get(String(r.schoolId))!;

  if (accountIds.length) {
    const latest = await latestDecisions("account", { accountId: { $in: accountIds }, schoolId: { $exists: true } });
    const byAccount = new Map<string, Array<{ decision: string; recordedAt: Date; schoolId?: unknown }>>();
    for (const r of latest.values()) if (r.accountId) byAccount.set(String(r.accountId), [...(byAccount.get(String(r.accountId)) ?? []), r]);
    for (const [id, decisions] of byAccount) {
      const accountId = new Types.ObjectId(id);
      const expired = decisions.filter(due);
      if (!expired.length) continue;
      const account = await Account.findById(accountId, { chatId: 1 }).lean();
      const erased = none();
      for (const d of expired) {
        const schoolId = d.schoolId as Types.ObjectId;
        erased.links += (await GuardianLink.deleteMany({ accountId, schoolId })).deletedCount;
        erased.messageTexts += await eraseMessageTexts({ schoolId, "recipient.accountId": accountId });
      }
      // The account's own contacts and sign-ins serve every school: only when no consent is in force anywhere.
      if (account && !(await consentOverview(accountId)).some((c) => c.state === "granted")) Object.assign(erased, await eraseAccountOwn(accountId, undefined));
      if (!anything(erased)) continue;
      report.accounts++;
      add(erased);
      for (const d of expired) audit.push(erasedEntry(now, d.schoolId as Types.ObjectId, { kind: "account", id: accountId }, erased));
    }
  }

  if (guardianIds.length) {
    const latest = await latestDecisions("guardian", { guardianId: { $in: guardianIds }, form: { $in: ["paper", "edoc"] }, accountId: { $exists: false } });
    for (const d of latest.values()) {
      if (!d.guardianId || !due(d)) continue;
      const guardianId = d.guardianId;
      const guardian = await Guardian.findById(guardianId, { contacts: 1 }).lean();
      // Only what the school received in writing goes; the journal's contacts are the journal's (and its paper).
      const written = (guardian?.contacts ?? []).filter((c) => c.source === "school-paper" || c.source === "school-edoc").length;
      if (written) await Guardian.updateOne({ _id: guardianId }, { $pull: { contacts: { source: { $in: ["school-paper", "school-edoc"] } } } });
      const [sessions, links] = await Promise.all([WebSession.deleteMany({ guardianId }), WebSignIn.deleteMany({ guardianId })]);
      const messageTexts = await eraseMessageTexts({ "recipient.guardianId": guardianId, "recipient.accountId": null, channel: { $ne: "paper" } });
      const erased: Erased = { ...none(), contacts: written, webSessions: sessions.deletedCount, signInLinks: links.deletedCount, messageTexts };
      if (!anything(erased)) continue;
      report.guardians++;
      add(erased);
      audit.push(erasedEntry(now, d.schoolId as Types.ObjectId, { kind: "guardian", id: guardianId }, erased));
    }
  }
  // Children who left the school (the new school year's rollover, src/services/school-year.ts): the
  // links to them ended that day; once the retention period has passed since, the texts of the
  // messages about them go too (the delivery records stay, as for a withdrawal).
  for (const school of schools) {
    const lastDay = schoolDayOf(cutoff.get(String(school._id))!);
    const leavers = await Student.find({ schoolId: school._id, left: { $ne: null, $lt: lastDay } }, { _id: 1 }).lean();
    for (const { _id: studentId } of leavers) {
      const erased: Erased = { ...none(), links: (await GuardianLink.deleteMany({ schoolId: school._id, studentId })).deletedCount, messageTexts: await eraseMessageTexts({ schoolId: school._id, "recipient.studentId": studentId }) };
      if (!anything(erased)) continue;
      report.leavers++;
      add(erased);
      audit.push({ ...erasedEntry(now, school._id, { kind: "student", id: studentId }, erased), reason: "retention period after the child left the school" });
    }
  }
  for (const school of schools) report.broadcastTexts += await eraseBroadcastTexts(school._id, cutoff.get(String(school._id))!, now);
  await recordAudit(audit);
  return report;
}

/**
 * The words of the school's broadcasts planned before `cutoff`: the outbox event keeps its id,
 * audience, author and times (the console lists it as "text erased"); an event not planned yet
 * keeps its text, which the worker still needs.
 */
async function eraseBroadcastTexts(schoolId: Types.ObjectId, cutoff: Date, now: Date): Promise<number> {
  const result = await DomainEvent.updateMany(
    { schoolId, type: "broadcast.requested", processedAt: { $ne: null, $lt: cutoff }, "payload.broadcast.text": { $exists: true } },
    { $unset: { "payload.broadcast.text": 1 }, $set: { "payload.broadcast.textErasedAt": now } },
  );
  return result.modifiedCount;
}

/** The UTC calendar day of an instant (the retention cutoff against `Student.left`, a day). */
function schoolDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function erasedEntry(now: Date, schoolId: Types.ObjectId, target: AuditRecord["target"], erased: Erased): AuditRecord {
  return { at: now, schoolId, actor: { kind: "system", name: "data-retention" }, action: "person.data-erased", target, after: erased, reason: "retention period after withdrawal or refusal" };
}
