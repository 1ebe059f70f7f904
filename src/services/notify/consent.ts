/**
 * The consent gate of every electronic message (152-FZ, regulation 1), for one person: asked when a
 * job starts and again right before the channel call, so that a refusal or withdrawal stops queued
 * jobs. A person is the account a delivery names, or — for an e-mail without an account — the
 * record person (the journal's guardian record). Only that person's own decisions count: another
 * parent's refusal never stops this one's messages.
 */
import { Types } from "mongoose";
import { Account, ConsentRecord, Guardian, GuardianLink, School, latestConsent } from "../../db/models";
import { deliverableEmail } from "../../channels/email";
import { consentStateOf, consentVersionOf } from "../../domain/consent";
import { isLanguage, type Language } from "../../i18n";
import { childrenWithGuardianConsent } from "../people";
import { quietHoursOf, type QuietHours } from "./quiet-hours";

type Id = Types.ObjectId | string;
const oid = (id: Id) => (typeof id === "string" ? new Types.ObjectId(id) : id);

export interface GateInput {
  schoolId: Id;
  channel: "telegram" | "email" | "paper";
  /** The family's record, for messages about a child (absent: admin alerts, receipts, students' own). */
  guardianId?: Id;
  accountId?: Id;
  /** The child the message is about (a student's own message: their guardians' consent is its basis). */
  studentId?: Id;
}

export type GateOutcome =
  | { ok: true; timeZone: string; quiet: QuietHours; chatId?: number; email?: string; language: Language | null }
  | { ok: false; why: "consent" | "gone" | "unreachable"; error: string };

const refused = (why: "consent" | "gone" | "unreachable", error: string): GateOutcome => ({ ok: false, why, error });

/** Whether this person may get this message now, and where it goes. */
export async function personGate(input: GateInput): Promise<GateOutcome> {
  const school = await School.findById(oid(input.schoolId), { timezone: 1, settings: 1 }).lean();
  if (!school) return refused("gone", "recipient or school removed");
  const version = consentVersionOf(school);

  if (input.accountId) {
    const accountId = oid(input.accountId);
    const [account, record, link] = await Promise.all([
      Account.findById(accountId, { chatId: 1, language: 1, active: 1, contacts: 1, channelOrder: 1, notify: 1, roles: 1 }).lean(),
      input.guardianId ? latestConsent({ accountId, schoolId: school._id }) : null,
      input.guardianId ? GuardianLink.exists({ accountId, guardianId: oid(input.guardianId) }) : null,
    ]);
    if (!account) return refused("gone", "account removed");
    const base = { timeZone: school.timezone, quiet: quietHoursOf(account, school), language: isLanguage(account.language) ? account.language : null };
    if (input.guardianId) {
      // A parent's message: their own consent in force, still linked, and not on paper by their own choice.
      if (!link || consentStateOf(record, version) !== "granted") return refused("consent", "no consent in force");
      if (account.channelOrder?.[0] === "paper") return refused("consent", "the person chose paper");
    } else if (input.studentId && account.roles.some((r) => r.role === "student" && String(r.studentId) === String(input.studentId))) {
      // The student's own account works only while a guardian's consent covers it.
      if (!(await childrenWithGuardianConsent(school._id, [oid(input.studentId)])).size) return refused("consent", "no guardian consent for the student's own account");
    }
    if (input.channel === "telegram") {
      if (!account.active) return refused("unreachable", "account inactive (bot blocked)");
      return { ok: true, chatId: account.chatId, ...base };
    }
    const email = deliverableEmail(account.contacts ?? []);
    if (!email) return refused("unreachable", "no e-mail address from the person or the school");
    return { ok: true, email, ...base };
  }

  if (!input.guardianId || input.channel !== "email") return refused("gone", "e-mail needs a guardian");
  const guardianId = oid(input.guardianId);
  const [guardian, written] = await Promise.all([
    Guardian.findById(guardianId, { notify: 1, contacts: 1, channelOrder: 1, delivery: 1 }).lean(),
    ConsentRecord.findOne({ guardianId, schoolId: school._id, form: { $in: ["paper", "edoc"] } }).sort({ recordedAt: -1, _id: -1 }).lean(),
  ]);
  if (!guardian) return refused("gone", "recipient or school removed");
  // The record person: their own written decision, the record not on paper, no choice of paper.
  if (consentStateOf(written, version) !== "granted" || guardian.delivery === "paper" || guardian.channelOrder?.[0] === "paper") {
    return refused("consent", "no consent in force");
  }
  const email = deliverableEmail(guardian.contacts ?? []);
  if (!email) return refused("unreachable", "no e-mail address from the person or the school");
  return { ok: true, email, timeZone: school.timezone, quiet: quietHoursOf(guardian, school), language: null };
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
