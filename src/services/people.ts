/**
 * The persons of a child and their channels: who hears about a child, each by their own consent,
 * settings and channels (docs/decisions.md, "People: one account is one person").
 *
 * For each child and each journal guardian record of the child (a *family*):
 * - every account linked to the child through that record is a person;
 * - the record itself is a person (the *record person*) when no account acts for it for that child,
 *   or when the school registered a written decision for it whose signer is not such an account;
 * - the family gets paper (one item per child and record) when any person of it is on paper, the
 *   record itself is on paper (the journal, a written refusal or withdrawal), or an account that
 *   acted for it withdrew in the bot (`Guardian.paperFor`).
 *
 * Loaded in bulk, in a fixed number of queries whatever the number of children (a broadcast plans
 * thousands at once; planning, the printouts and /consents share this one reading).
 */
import type { Types } from "mongoose";
import {
  Account,
  ConsentRecord,
  DEFAULT_CHANNEL_ORDER,
  Guardian,
  GuardianLink,
  School,
  type Channel,
  type ConsentDecision,
  type DeliveryReason,
  type Guardian as GuardianShape,
} from "../db/models";
import { deliverableEmail } from "../channels/email";
import { deliverablePhone } from "../domain/sms";
import { channelEnabled, channelRulesOf, messengerReach, type ChannelRules } from "./notify/channels";
import { consentStateOf, consentVersionOf, type ConsentState } from "../domain/consent";
import { personMode, type PersonMode } from "../domain/person-mode";
import { isLanguage, type Language } from "../i18n";

export type Notify = GuardianShape["notify"];

export interface Person {
  /** Who a delivery is for: `a<accountId>` for an account, `g<guardianId>` for the record person. */
  key: string;
  /** The account; absent for the record person. */
  accountId?: Types.ObjectId;
  /** The journal record through which the person reaches the child (their family's record). */
  guardianId: Types.ObjectId;
  studentId: Types.ObjectId;
  consent: ConsentState;
  mode: PersonMode;
  /** Why the person is on paper (null: no reason to tell, e.g. a record person without e-mail). */
  reason: DeliveryReason | null;
  channelOrder: Channel[];
  notify: Notify;
  /** Telegram reaches them (an account that has not blocked the bot). */
  telegram: boolean;
  /** MAX reaches them (an account with a MAX dialog, the MAX bot not stopped). */
  max: boolean;
  /** The e-mail address that may be used (regulation 7), or null. */
  email: string | null;
  /** The phone an SMS may go to (E.164; the same sources as e-mail), or null. */
  phone: string | null;
  /** The school's rules for channels (what goes by SMS). */
  rules: ChannelRules;
  /** The account's language; null for a record person (the school's default is used). */
  language: Language | null;
}

/** The newest written (paper/edoc) decision registered for a record, with the account the admin named as its signer. */
export interface WrittenDecision {
  decision: ConsentDecision;
  form: "paper" | "edoc";
  recordedAt: Date;
  signerAccountId: Types.ObjectId | null;
}

export interface Family {
  studentId: Types.ObjectId;
  guardianId: Types.ObjectId;
  /** The record's name as the journal sent it (staff views and printouts; never shown unmasked to accounts). */
  guardianName: string | null;
  persons: Person[];
  written: WrittenDecision | null;
  /** Someone in the family is informed on paper: one paper item per child and record. */
  paper: boolean;
  paperReason: DeliveryReason | null;
}

export const personKey = (p: { accountId?: Types.ObjectId | string | null; guardianId?: Types.ObjectId | string | null }): string =>
  p.accountId ? `a${String(p.accountId)}` : `g${String(p.guardianId)}`;

type ConsentLean = { _id: Types.ObjectId; accountId?: Types.ObjectId | null; guardianId?: Types.ObjectId | null; decision: ConsentDecision; form: string; textVersion: string; recordedAt: Date };

const PERSON_FIELDS = { contacts: 1, channelOrder: 1, notify: 1 } as const;
const order = (o: readonly Channel[] | null | undefined): Channel[] => (o?.length ? [...o] : [...DEFAULT_CHANNEL_ORDER]);

function newestBy(records: readonly ConsentLean[], key: (r: ConsentLean) => string | null): Map<string, ConsentLean> {
  const newest = new Map<string, ConsentLean>();
  for (const r of records) {
    const k = key(r);
    if (k && !newest.has(k)) newest.set(k, r); // records come newest first
  }
  return newest;
}

const isWritten = (r: ConsentLean) => r.form === "paper" || r.form === "edoc";

const CONSENT_FIELDS = { accountId: 1, guardianId: 1, decision: 1, form: 1, textVersion: 1, recordedAt: 1 } as const;

/** Records of two queries as one list, each once, newest first (recordedAt, then _id: the order MongoDB gave the single query). */
function newestFirst(records: ConsentLean[]): ConsentLean[] {
  const once = [...new Map(records.map((r) => [String(r._id), r])).values()];
  return once.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || (String(b._id) < String(a._id) ? -1 : String(b._id) > String(a._id) ? 1 : 0));
}

/** The families of each child (by student id), each with its persons. Unknown school: an empty map. */
export async function familiesOf(schoolId: Types.ObjectId, studentIds: readonly Types.ObjectId[]): Promise<Map<string, Family[]>> {
  const result = new Map<string, Family[]>();
  if (!studentIds.length) return result;
  const [school, guardians, links] = await Promise.all([
    School.findById(schoolId, { settings: 1 }).lean(),
    Guardian.find({ schoolId, studentIds: { $in: studentIds } }, { studentIds: 1, fullName: 1, delivery: 1, deliveryReason: 1, paperFor: 1, ...PERSON_FIELDS }).lean(),
    GuardianLink.find({ schoolId, studentId: { $in: studentIds } }, { accountId: 1, guardianId: 1, studentId: 1 }).sort({ linkedAt: 1 }).lean(),
  ]);
  if (!school) return result;
  const version = consentVersionOf(school);
  const rules = channelRulesOf(school.settings);
  const smsOn = channelEnabled("sms");
  const maxOn = channelEnabled("max");
  const accountIds = [...new Map(links.map((l) => [String(l.accountId), l.accountId])).values()];
  const guardianIds = guardians.map((g) => g._id);
  // The accounts' decisions and the records' written ones: two plain queries, each on its own index
  // (an $or of two long $in lists is one slow scan on the test stand-in), merged newest first.
  const [accounts, byAccounts, byRecords] = await Promise.all([
    accountIds.length ? Account.find({ _id: { $in: accountIds } }, { telegramId: 1, active: 1, max: 1, language: 1, ...PERSON_FIELDS }).lean() : [],
    accountIds.length ? ConsentRecord.find({ accountId: { $in: accountIds }, schoolId }, CONSENT_FIELDS).lean<ConsentLean[]>() : [],
    guardianIds.length ? ConsentRecord.find({ guardianId: { $in: guardianIds }, schoolId, form: { $in: ["paper", "edoc"] } }, CONSENT_FIELDS).lean<ConsentLean[]>() : [],
  ]);
  const records = newestFirst([...byAccounts, ...byRecords]);
  const accountById = new Map(accounts.map((a) => [String(a._id), a]));
  const byAccount = newestBy(records, (r) => (r.accountId ? String(r.accountId) : null));
  const byGuardian = newestBy(records.filter(isWritten), (r) => (r.guardianId ? String(r.guardianId) : null));
  const wanted = new Set(studentIds.map(String));
  const linksOf = new Map<string, typeof links>();
  for (const l of links) {
    const key = `${String(l.guardianId)}:${String(l.studentId)}`;
    linksOf.set(key, [...(linksOf.get(key) ?? []), l]);
  }

  for (const g of guardians) {
    const newest = byGuardian.get(String(g._id));
    const written: WrittenDecision | null = newest
      ? { decision: newest.decision, form: newest.form as "paper" | "edoc", recordedAt: newest.recordedAt, signerAccountId: newest.accountId ?? null }
      : null;
    for (const studentId of g.studentIds.filter((s) => wanted.has(String(s)))) {
      const own = linksOf.get(`${String(g._id)}:${String(studentId)}`) ?? [];
      const persons: Person[] = [];
      for (const link of own) {
        const account = accountById.get(String(link.accountId));
        if (!account) continue;
        const consent = consentStateOf(byAccount.get(String(account._id)), version);
        const email = deliverableEmail(account.contacts ?? []);
        const phone = deliverablePhone(account.contacts ?? []);
        const channelOrder = order(account.channelOrder);
        const reach = messengerReach(account);
        // Blocked: the person stopped every messenger they had (the reason shown when nothing else reaches them).
        const blocked = (typeof account.telegramId === "number" && !reach.telegram) || (!!account.max && !reach.max);
        const mode = personMode({ consent, channelOrder, telegram: reach.telegram, max: maxOn && reach.max, email: !!email, sms: smsOn && !!phone, blocked });
        persons.push({
          key: personKey({ accountId: account._id }), accountId: account._id, guardianId: g._id, studentId, consent, mode: mode.mode, reason: mode.reason,
          channelOrder, notify: account.notify, telegram: reach.telegram, max: reach.max, email, phone, rules, language: isLanguage(account.language) ? account.language : null,
        });
      }
      const signerActs = !!written?.signerAccountId && own.some((l) => l.accountId.equals(written.signerAccountId!));
      if (!own.length || (written && !signerActs)) {
        const consent = consentStateOf(newest, version);
        const email = deliverableEmail(g.contacts ?? []);
        const phone = deliverablePhone(g.contacts ?? []);
        const channelOrder = order(g.channelOrder);
        const recordPaper = g.delivery === "paper" ? (g.deliveryReason ?? "journal") : null;
        const mode = personMode({ consent, channelOrder, telegram: false, email: !!email, sms: smsOn && !!phone, recordPaper });
        persons.push({
          key: personKey({ guardianId: g._id }), guardianId: g._id, studentId, consent, mode: mode.mode, reason: mode.reason,
          channelOrder, notify: g.notify, telegram: false, max: false, email, phone, rules, language: null,
        });
      }
      const onPaper = persons.find((p) => p.mode === "paper");
      const recordPaper = g.delivery === "paper";
      const withdrawn = (g.paperFor ?? []).length > 0;
      const family: Family = {
        studentId, guardianId: g._id, guardianName: g.fullName ?? null, persons, written,
        paper: recordPaper || withdrawn || !!onPaper,
        paperReason: recordPaper ? (g.deliveryReason ?? "journal") : withdrawn ? "withdrawn" : (onPaper?.reason ?? null),
      };
      result.set(String(studentId), [...(result.get(String(studentId)) ?? []), family]);
    }
  }
  return result;
}

/** Every person of the given children, flat (each appears once per child and family). */
export async function personsOfChildren(schoolId: Types.ObjectId, studentIds: readonly Types.ObjectId[]): Promise<Person[]> {
  return [...(await familiesOf(schoolId, studentIds)).values()].flat().flatMap((f) => f.persons);
}

const consentInForce = (f: Family) => f.persons.some((p) => p.consent === "granted") || f.written?.decision === "granted";

/**
 * The children (ids) some guardian of whom has consent in force in the school: an account linked to
 * the child, or a record person who consented in writing. The basis on which a child's own account
 * may work (docs/decisions.md, "Students' own accounts").
 */
export async function childrenWithGuardianConsent(schoolId: Types.ObjectId, studentIds: readonly Types.ObjectId[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const [studentId, families] of await familiesOf(schoolId, studentIds)) if (families.some(consentInForce)) out.add(studentId);
  return out;
}
