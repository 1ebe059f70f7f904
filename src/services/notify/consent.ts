/**
 * The consent gate of every electronic message (152-FZ, regulation 1), for one person: asked when a
 * job starts and again right before the channel call, so that a refusal or withdrawal stops queued
 * jobs. A person is the account a delivery names, or — for an e-mail without an account — the
 * record person (the journal's guardian record). Only that person's own decisions count: another
 * parent's refusal never stops this one's messages.
 */
import { Types } from "mongoose";
import { Account, ConsentRecord, Guardian, GuardianLink, School } from "../../db/models";
import type { Channel } from "../../db/models";
import { consentStateOf, consentVersionOf } from "../../domain/consent";
import { isLanguage, type Language } from "../../i18n";
import { childrenWithGuardianConsent } from "../people";
import { quietHoursOf, type QuietHours } from "./quiet-hours";
import { channelEntry, channelRulesOf, type Address, type ChannelRules } from "./channels";

type Id = Types.ObjectId | string;
const oid = (id: Id) => (typeof id === "string" ? new Types.ObjectId(id) : id);

export interface GateInput {
  schoolId: Id;
  channel: Channel;
  /** The family's record, for messages about a child (absent: admin alerts, receipts, students' own). */
  guardianId?: Id;
  accountId?: Id;
  /** The child the message is about (a student's own message: their guardians' consent is its basis). */
  studentId?: Id;
}

export type GateOutcome =
  | { ok: true; timeZone: string; quiet: QuietHours; address: Address; chatId?: number; rules: ChannelRules; language: Language | null }
  | { ok: false; why: "consent" | "gone" | "unreachable"; error: string };

const refused = (why: "consent" | "gone" | "unreachable", error: string): GateOutcome => ({ ok: false, why, error });

/** Whether this person may get this message now, and where it goes. */
export async function personGate(input: GateInput): Promise<GateOutcome> {
  return (await personGates([input]))[0];
}

const latestBy = <T extends { _id: unknown }>(records: T[], keyOf: (r: T) => string): Map<string, T> => {
  const out = new Map<string, T>();
  for (const r of records) if (!out.has(keyOf(r))) out.set(keyOf(r), r); // sorted newest first
  return out;
};

/**
 * `personGate` for many messages at once, with set queries: schools, accounts, their consents and
 * links (or the record persons and their written consents) in at most five commands whatever the
 * number of messages (students' own accounts add one look-up of their families per school).
 */
export async function personGates(inputs: readonly GateInput[]): Promise<GateOutcome[]> {
  if (!inputs.length) return [];
  const ids = (list: Array<Id | undefined>) => [...new Map(list.filter((v): v is Id => !!v).map((v) => [String(v), oid(v)])).values()];
  const withAccount = inputs.filter((i) => i.accountId);
  const parentMessages = withAccount.filter((i) => i.guardianId);
  // The record person (no account) is reached by e-mail or SMS only.
  const byRecord = (channel: Channel) => channel === "email" || channel === "sms";
  const recordPersons = inputs.filter((i) => !i.accountId && i.guardianId && byRecord(i.channel));
  const schoolIds = ids(inputs.map((i) => i.schoolId));
  const [schools, accounts, consents, links, guardians, written] = await Promise.all([
    School.find({ _id: { $in: schoolIds } }, { timezone: 1, settings: 1 }).lean(),
    withAccount.length ? Account.find({ _id: { $in: ids(withAccount.map((i) => i.accountId)) } }, { chatId: 1, max: 1, language: 1, active: 1, contacts: 1, channelOrder: 1, notify: 1, roles: 1 }).lean() : [],
    parentMessages.length
      ? ConsentRecord.find({ accountId: { $in: ids(parentMessages.map((i) => i.accountId)) }, schoolId: { $in: schoolIds } }).sort({ recordedAt: -1, _id: -1 }).lean()
      : [],
    parentMessages.length
      ? GuardianLink.find({ accountId: { $in: ids(parentMessages.map((i) => i.accountId)) }, guardianId: { $in: ids(parentMessages.map((i) => i.guardianId)) } }, { accountId: 1, guardianId: 1 }).lean()
      : [],
    recordPersons.length ? Guardian.find({ _id: { $in: ids(recordPersons.map((i) => i.guardianId)) } }, { notify: 1, contacts: 1, channelOrder: 1, delivery: 1 }).lean() : [],
    recordPersons.length
      ? ConsentRecord.find({ guardianId: { $in: ids(recordPersons.map((i) => i.guardianId)) }, schoolId: { $in: schoolIds }, form: { $in: ["paper", "edoc"] } }).sort({ recordedAt: -1, _id: -1 }).lean()
      : [],
  ]);
  const schoolOf = new Map(schools.map((s) => [String(s._id), s]));
  const accountOf = new Map(accounts.map((a) => [String(a._id), a]));
  const consentOf = latestBy(consents, (r) => `${String(r.accountId)}/${String(r.schoolId)}`);
  const linked = new Set(links.map((l) => `${String(l.accountId)}/${String(l.guardianId)}`));
  const guardianOf = new Map(guardians.map((g) => [String(g._id), g]));
  const writtenOf = latestBy(written, (r) => `${String(r.guardianId)}/${String(r.schoolId)}`);

  // Students' own accounts: their guardians' consent, one look-up per school.
  const ownStudent = (i: GateInput) => {
    const account = i.accountId ? accountOf.get(String(i.accountId)) : undefined;
    return !!account && !i.guardianId && !!i.studentId && account.roles.some((r) => r.role === "student" && String(r.studentId) === String(i.studentId));
  };
  const covered = new Set<string>();
  const studentsBySchool = new Map<string, Types.ObjectId[]>();
  for (const i of inputs) if (ownStudent(i)) studentsBySchool.set(String(i.schoolId), [...(studentsBySchool.get(String(i.schoolId)) ?? []), oid(i.studentId!)]);
  for (const [schoolId, students] of studentsBySchool) {
    if (!schoolOf.has(schoolId)) continue;
    for (const s of await childrenWithGuardianConsent(oid(schoolId), students)) covered.add(`${schoolId}/${s}`);
  }

  return inputs.map((input): GateOutcome => {
    const school = schoolOf.get(String(input.schoolId));
    if (!school) return refused("gone", "recipient or school removed");
    const version = consentVersionOf(school);
    if (input.accountId) {
      const account = accountOf.get(String(input.accountId));
      if (!account) return refused("gone", "account removed");
      const base = { timeZone: school.timezone, quiet: quietHoursOf(account, school), rules: channelRulesOf(school.settings), language: isLanguage(account.language) ? account.language : null };
      if (input.guardianId) {
        // A parent's message: their own consent in force, still linked, and not on paper by their own choice.
        const record = consentOf.get(`${String(account._id)}/${String(school._id)}`) ?? null;
        if (!linked.has(`${String(account._id)}/${String(input.guardianId)}`) || consentStateOf(record, version) !== "granted") return refused("consent", "no consent in force");
        if (account.channelOrder?.[0] === "paper") return refused("consent", "the person chose paper");
      } else if (ownStudent(input)) {
        // The student's own account works only while a guardian's consent covers it.
        if (!covered.has(`${String(school._id)}/${String(input.studentId)}`)) return refused("consent", "no guardian consent for the student's own account");
      }
      const address = channelEntry(input.channel).address({ chatId: account.chatId, active: account.active, max: account.max, contacts: account.contacts ?? [] });
      if (typeof address === "string") return refused("unreachable", address);
      return { ok: true, address, ...("chatId" in address ? { chatId: address.chatId } : {}), ...base };
    }

    if (!input.guardianId || !byRecord(input.channel)) return refused("gone", "e-mail and SMS need a guardian");
    const guardian = guardianOf.get(String(input.guardianId));
    if (!guardian) return refused("gone", "recipient or school removed");
    // The record person: their own written decision, the record not on paper, no choice of paper.
    const record = writtenOf.get(`${String(guardian._id)}/${String(school._id)}`) ?? null;
    if (consentStateOf(record, version) !== "granted" || guardian.delivery === "paper" || guardian.channelOrder?.[0] === "paper") {
      return refused("consent", "no consent in force");
    }
    const address = channelEntry(input.channel).address({ contacts: guardian.contacts ?? [] });
    if (typeof address === "string") return refused("unreachable", address);
    return { ok: true, address, timeZone: school.timezone, quiet: quietHoursOf(guardian, school), rules: channelRulesOf(school.settings), language: null };
  });
}

/** The accounts acting for a guardian record: linked through it or holding a guardian role naming it. */
export async function accountsActingFor(guardianId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const [links, roles] = await Promise.all([
    GuardianLink.find({ guardianId }, { accountId: 1 }).lean(),
    Account.find({ "roles.guardianId": guardianId }, { _id: 1 }).lean(),
  ]);
  const ids = new Map<string, Types.ObjectId>();
  for (const id of [...links.map((l) => l.accountId), ...roles.map((r) => r._id)]) ids.set(String(id), id);
  return [...ids.values()];
}
