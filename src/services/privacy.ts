/**
 * A person's rights (152-FZ art. 14, 21): withdrawing consent stops that person's electronic
 * delivery at once and unlinks the account from the school's children; `/mydata` shows everything
 * stored about the account. Only the account's own data and decisions: never another parent's.
 */
import { Types } from "mongoose";
import {
  ConsentRecord,
  Delivery,
  EmailVerification,
  Guardian,
  GuardianLink,
  InviteCode,
  School,
  SchoolClass,
  Student,
  Account,
  WebSession,
  WebSignIn,
  latestConsent,
  type AccountDocument,
} from "../db/models";
import type { ConsentForm } from "../db/models";
import { maskEmail, maskName, maskPhone } from "../domain/codes";
import { consentStateOf, consentVersionOf, type ConsentState } from "../domain/consent";
import { appendConsent } from "./consent-records";

/** Whose queued messages: an account (in one school), or the record person of a guardian record. */
export type PersonScope = { schoolId: Types.ObjectId; accountId: Types.ObjectId } | { guardianId: Types.ObjectId };

/**
 * Cancels the person's queued electronic messages about children (Telegram, e-mail) at once; the
 * worker skips cancelled deliveries. The family's paper items stay, and so do another person's
 * messages, and the account's messages as staff or as a student.
 */
export async function cancelElectronicDeliveries(who: PersonScope): Promise<number> {
  const filter = "accountId" in who
    ? { schoolId: who.schoolId, "recipient.accountId": who.accountId, "recipient.guardianId": { $ne: null } }
    : { "recipient.guardianId": who.guardianId, "recipient.accountId": null };
  const result = await Delivery.updateMany({ ...filter, channel: { $ne: "paper" }, status: "queued" }, { $set: { status: "cancelled" } });
  return result.modifiedCount;
}

export interface Withdrawal {
  unlinkedChildren: number;
  guardianIds: Types.ObjectId[];
  cancelledDeliveries: number;
}

/**
 * Withdraws the account's consent to one school (152-FZ art. 9 part 2): records it (naming the
 * version withdrawn) and stops processing for this person there (see `leaveSchool`).
 */
export async function withdrawConsent(input: { accountId: Types.ObjectId; schoolId: Types.ObjectId; now: Date; form?: "telegram" | "max"; keepWebSession?: Types.ObjectId }): Promise<Withdrawal> {
  const { accountId, schoolId, now } = input;
  const [granted, school] = await Promise.all([
    latestConsent({ accountId, schoolId, decision: "granted" }),
    School.findById(schoolId, { settings: 1 }).lean(),
  ]);
  if (!granted || !school) throw new Error("no consent to withdraw");
  await appendConsent({
    accountId, schoolId, decision: "withdrawn", form: input.form ?? "telegram",
    textVersion: granted.textVersion ?? consentVersionOf(school), textHash: granted.textHash, recordedAt: now,
  });
  return leaveSchool({ accountId, schoolId, now, reason: "withdrawn", keepWebSession: input.keepWebSession });
}

/**
 * The account stops acting in the school as a guardian (a withdrawal in the bot, or a written
 * refusal or withdrawal whose signer the admin named as this account): its links and guardian roles
 * there go, its families keep paper on its behalf (`Guardian.paperFor`), its queued electronic
 * messages there are cancelled, and — when no consent of it remains in force in any school — the
 * contacts it entered and its pending e-mail checks are forgotten (they serve every school it
 * consented to), and so are its web sessions and unused sign-in links unless it is also staff or a
 * student (`keepWebSession`: the browser the person withdrew in, which shows them the outcome).
 * Other persons of the families are not touched.
 */
export async function leaveSchool(input: {
  accountId: Types.ObjectId;
  schoolId: Types.ObjectId;
  now: Date;
  reason: "declined" | "withdrawn";
  keepWebSession?: Types.ObjectId;
}): Promise<Withdrawal> {
  const { accountId, schoolId, now } = input;
  const [links, account] = await Promise.all([
    GuardianLink.find({ accountId, schoolId }, { guardianId: 1 }).lean(),
    Account.findById(accountId, { roles: 1 }).lean(),
  ]);
  const otherRoles = (account?.roles ?? []).some((r) => r.role !== "guardian");
  const fromRoles = (account?.roles ?? []).filter((r) => r.role === "guardian" && r.schoolId.equals(schoolId) && r.guardianId).map((r) => r.guardianId!);
  const guardianIds = [...new Map([...links.map((l) => l.guardianId), ...fromRoles].map((id) => [String(id), id])).values()];
  await GuardianLink.deleteMany({ accountId, schoolId });
  await Account.updateOne({ _id: accountId }, { $pull: { roles: { role: "guardian", schoolId } } });
  const remaining = await GuardianLink.findOne({ accountId }, { studentId: 1 }).lean();
  await Account.updateOne({ _id: accountId }, remaining ? { $set: { selectedStudentId: remaining.studentId } } : { $unset: { selectedStudentId: 1 } });
  if (guardianIds.length) {
    await Guardian.updateMany(
      { _id: { $in: guardianIds }, "paperFor.accountId": { $ne: accountId } },
      { $push: { paperFor: { accountId, reason: input.reason, since: now } } },
    );
  }
  if (!(await consentOverview(accountId)).some((c) => c.state === "granted")) {
    await Account.updateOne({ _id: accountId }, { $pull: { contacts: { source: "guardian" } } });
    await EmailVerification.deleteMany({ accountId });
    // Nothing left to show a guardian: their cabinet closes everywhere at once (a teacher's console stays).
    if (!otherRoles) {
      await WebSession.deleteMany({ accountId, ...(input.keepWebSession ? { _id: { $ne: input.keepWebSession } } : {}) });
      await WebSignIn.deleteMany({ accountId, usedAt: null });
    }
  }
  const cancelledDeliveries = await cancelElectronicDeliveries({ schoolId, accountId });
  return { unlinkedChildren: links.length, guardianIds, cancelledDeliveries };
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/**
 * Everything stored about the account (152-FZ art. 14), as plain data (the bot shows it as text and
 * as JSON): the account with its own settings and contacts, its consent records, the children
 * linked, pending e-mail checks, codes redeemed and the messages prepared for it. Of the journal's
 * guardian records it acts for, only what the journal said, masked: those records may describe
 * another person (a second parent), whose own contacts and decisions are never shown here.
 */
export async function collectMyData(account: AccountDocument) {
  const accountId = account._id;
  const links = await GuardianLink.find({ accountId }).sort({ linkedAt: 1 }).lean();
  const guardianIds = [...new Set([...links.map((l) => String(l.guardianId)), ...account.roles.filter((r) => r.guardianId).map((r) => String(r.guardianId))])];
  const [consents, guardians, students, verifications, codes, deliveries] = await Promise.all([
    ConsentRecord.find({ accountId }).sort({ recordedAt: 1, _id: 1 }).lean(),
    Guardian.find({ _id: { $in: guardianIds } }, { schoolId: 1, externalId: 1, fullName: 1, contacts: 1 }).lean(),
    Student.find({ _id: { $in: links.map((l) => l.studentId) } }, { fullName: 1, classId: 1 }).lean(),
    EmailVerification.find({ accountId }, { email: 1, expiresAt: 1 }).lean(),
    InviteCode.find({ usedByAccountId: accountId }, { role: 1, usedAt: 1, schoolId: 1 }).lean(),
    Delivery.find({ "recipient.accountId": accountId }, { kind: 1, channel: 1, status: 1, queuedAt: 1, sentAt: 1 }).sort({ queuedAt: -1 }).limit(50).lean(),
  ]);
  const schoolIds = [...new Set([...account.roles.map((r) => String(r.schoolId)), ...consents.map((c) => String(c.schoolId ?? "")), ...links.map((l) => String(l.schoolId))])].filter(Boolean);
  const schools = new Map((await School.find({ _id: { $in: schoolIds } }, { name: 1 }).lean()).map((s) => [String(s._id), s.name]));
  const classes = new Map((await SchoolClass.find({ _id: { $in: students.map((s) => s.classId) } }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
  const schoolName = (id: unknown) => schools.get(String(id)) ?? String(id);
  const contact = (c: { kind: string; value: string; source: string; verifiedAt?: Date | null }) => ({ kind: c.kind, value: c.value, source: c.source, verifiedAt: iso(c.verifiedAt) });
  return {
    account: {
      telegramId: account.telegramId ?? undefined,
      maxUserId: account.max?.userId ?? undefined,
      language: account.language,
      active: account.active,
      createdAt: iso((account as unknown as { createdAt?: Date }).createdAt),
      roles: account.roles.map((r) => ({ role: r.role, school: schoolName(r.schoolId), grantedAt: iso(r.grantedAt) })),
      codeEntry: { recentWrongCodes: account.codeAttempts?.failures?.length ?? 0, lockedUntil: iso(account.codeAttempts?.lockedUntil) },
      contacts: (account.contacts ?? []).map(contact),
      channelOrder: [...(account.channelOrder ?? [])],
      notify: account.notify ? { ...(account.notify as unknown as Record<string, unknown>) } : undefined,
    },
    consents: consents.map((c) => ({
      school: c.schoolId ? schoolName(c.schoolId) : undefined, decision: c.decision, form: c.form,
      textVersion: c.textVersion, textHash: c.textHash, recordedAt: iso(c.recordedAt), ...(c.note ? { note: c.note } : {}),
      ...(c.document ? { document: { number: c.document.number, date: c.document.date, ...(c.document.fileHash ? { fileHash: c.document.fileHash } : {}) } } : {}),
    })),
    children: links.map((l) => {
      const student = students.find((s) => s._id.equals(l.studentId));
      return { name: student?.fullName, class: student ? classes.get(String(student.classId)) : undefined, school: schoolName(l.schoolId), linkedAt: iso(l.linkedAt) };
    }),
    // What the journal said about the records this account acts for, masked (see above).
    journalRecords: guardians.map((g) => ({
      school: schoolName(g.schoolId),
      name: g.fullName ? maskName(g.fullName) : undefined,
      fromJournal: Boolean(g.externalId),
      contacts: g.contacts.filter((c) => c.source === "journal").map((c) => ({ kind: c.kind, value: c.kind === "email" ? maskEmail(c.value) : maskPhone(c.value) })),
    })),
    pendingEmailChecks: verifications.map((v) => ({ email: v.email, expiresAt: iso(v.expiresAt) })),
    codesRedeemed: codes.map((c) => ({ role: c.role, school: schoolName(c.schoolId), usedAt: iso(c.usedAt) })),
    recentMessages: deliveries.map((d) => ({ kind: d.kind, channel: d.channel, status: d.status, queuedAt: iso(d.queuedAt), sentAt: iso(d.sentAt) })),
  };
}

export type MyData = Awaited<ReturnType<typeof collectMyData>>;

export interface SchoolConsent {
  schoolId: string;
  schoolName: string;
  timezone: string;
  decision: "granted" | "declined" | "withdrawn";
  form: ConsentForm;
  textVersion: string;
  recordedAt: Date;
  /** The decision is about the school's current text (a consent to an older text is outdated). */
  current: boolean;
  /** The state in force: a consent in the bot to an older text is "outdated", a written one stays "granted". */
  state: ConsentState;
}

/** The decision in force per school for this account (newest record per school). */
export async function consentOverview(accountId: Types.ObjectId): Promise<SchoolConsent[]> {
  const records = await ConsentRecord.find({ accountId, schoolId: { $exists: true } }).sort({ recordedAt: -1, _id: -1 }).lean();
  const latest = new Map<string, (typeof records)[number]>();
  for (const r of records) if (!latest.has(String(r.schoolId))) latest.set(String(r.schoolId), r);
  const schools = await School.find({ _id: { $in: [...latest.values()].map((r) => r.schoolId) } }, { name: 1, timezone: 1, settings: 1 }).sort({ name: 1 }).lean();
  return schools.map((school) => {
    const r = latest.get(String(school._id))!;
    return {
      schoolId: String(school._id), schoolName: school.name, timezone: school.timezone, decision: r.decision, form: r.form, textVersion: r.textVersion,
      recordedAt: r.recordedAt, current: r.textVersion === consentVersionOf(school), state: consentStateOf(r, consentVersionOf(school)),
    };
  });
}
