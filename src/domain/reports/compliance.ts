/**
 * The compliance report (regulation 6: final grades and exam results reach every guardian within
 * 24 hours, in the agreed form): for each result, how and when it reached each person it was
 * planned for, and the share within the limit. Pure: the caller loads results and delivery records.
 */

export const RESULT_LIMIT_MS = 24 * 3600_000;

/** Worst first: the order of the report. */
export const REACH_STATES = ["overdue", "none", "late", "waiting", "on-time", "cancelled"] as const;
export type ReachState = (typeof REACH_STATES)[number];

export interface ComplianceDelivery {
  /** Who it is for (a person key: `a<accountId>` or `g<guardianId>`). */
  recipient: string;
  /** The family's key (`g<guardianId>`): its paper record stands for a person whose channels all failed. */
  family?: string;
  channel: string;
  status: string;
  queuedAt: Date;
  /** When it was sent, or handed over on paper. */
  sentAt?: Date | null;
}

export interface RecipientReach {
  recipient: string;
  state: ReachState;
  /** The channel that reached the person (or the last one tried). */
  channel: string;
  /** The delivery status behind the state (e.g. `printed`: on paper, not handed over yet). */
  status: string;
  reachedAt: Date | null;
}

export interface ResultReach {
  state: ReachState;
  recipients: RecipientReach[];
}

const DONE = new Set(["sent", "delivered", "handed"]);
/** Records that another record replaced (a fallback) or that a withdrawal stopped. */
const REPLACED = new Set(["fell_back"]);

function reachOf(resultsAt: Date, deliveries: readonly ComplianceDelivery[], now: Date): Omit<RecipientReach, "recipient"> {
  const due = resultsAt.getTime() + RESULT_LIMIT_MS;
  const done = deliveries.filter((d) => DONE.has(d.status) && d.sentAt).sort((a, b) => a.sentAt!.getTime() - b.sentAt!.getTime())[0];
  if (done) return { state: done.sentAt!.getTime() <= due ? "on-time" : "late", channel: done.channel, status: done.status, reachedAt: done.sentAt! };
  const open = deliveries.filter((d) => !REPLACED.has(d.status) && d.status !== "cancelled").sort((a, b) => b.queuedAt.getTime() - a.queuedAt.getTime())[0];
  if (open) return { state: now.getTime() > due ? "overdue" : "waiting", channel: open.channel, status: open.status, reachedAt: null };
  const last = [...deliveries].sort((a, b) => b.queuedAt.getTime() - a.queuedAt.getTime())[0];
  // Only cancelled records: the person withdrew before it was sent; nothing is owed to them.
  if (last && deliveries.every((d) => d.status === "cancelled")) return { state: "cancelled", channel: last.channel, status: last.status, reachedAt: null };
  return { state: now.getTime() > due ? "overdue" : "waiting", channel: last?.channel ?? "", status: last?.status ?? "", reachedAt: null };
}

const rank = (s: ReachState) => REACH_STATES.indexOf(s);

/**
 * How one result reached each of its recipients; the result's state is its worst recipient's
 * (withdrawn ones aside). A result with no delivery record 24 hours on is `none` (nobody was told:
 * loaded without notifications, or no guardian has decided yet).
 */
export function resultReach(resultsAt: Date, deliveries: readonly ComplianceDelivery[], now: Date): ResultReach {
  const byRecipient = new Map<string, ComplianceDelivery[]>();
  for (const d of deliveries) byRecipient.set(d.recipient, [...(byRecipient.get(d.recipient) ?? []), d]);
  const recipients = [...byRecipient].map(([recipient, list]) => {
    // Every channel of the person failed: the family's paper is how they are reached.
    const fellToPaper = list.every((x) => REPLACED.has(x.status)) && list[0].family ? (byRecipient.get(list[0].family) ?? []).filter((x) => x.channel === "paper") : [];
    return { recipient, ...reachOf(resultsAt, [...list, ...fellToPaper], now) };
  });
  recipients.sort((a, b) => rank(a.state) - rank(b.state) || a.recipient.localeCompare(b.recipient));
  const counted = recipients.filter((r) => r.state !== "cancelled");
  const state: ReachState = recipients.length
    ? counted.length ? counted[0].state : "cancelled"
    : now.getTime() > resultsAt.getTime() + RESULT_LIMIT_MS ? "none" : "waiting";
  return { state, recipients };
}

export interface ComplianceShare {
  results: number;
  /** Results every recipient of which got it within 24 hours. */
  onTime: number;
  /** Percent with one decimal; null when there are no results. */
  percent: number | null;
  overdue: number;
  late: number;
  waiting: number;
  none: number;
}

/** The share within 24 hours: results whose recipients all had it in time (withdrawn ones left out). */
export function complianceShare(states: readonly ReachState[]): ComplianceShare {
  const counted = states.filter((s) => s !== "cancelled");
  const count = (s: ReachState) => counted.filter((x) => x === s).length;
  const onTime = count("on-time");
  return {
    results: counted.length,
    onTime,
    percent: counted.length ? Math.round((onTime / counted.length) * 1000) / 10 : null,
    overdue: count("overdue"),
    late: count("late"),
    waiting: count("waiting"),
    none: count("none"),
  };
}

/** Report order: worst state first, then the oldest result first. */
export function byUrgency<T extends { state: ReachState; resultsAt: Date }>(a: T, b: T): number {
  return rank(a.state) - rank(b.state) || a.resultsAt.getTime() - b.resultsAt.getTime();
}

/** SMS sent in one month of the school's calendar: messages and the parts the operator bills. */
export interface SmsMonth {
  /** "2026-11" on the school's clock. */
  month: string;
  messages: number;
  parts: number;
}

/**
 * SMS parts per month (issue 14), oldest month first, from the sent SMS records (`sentAt` and the
 * parts of each); `monthOf` puts an instant into the school's month.
 */
export function smsPartsByMonth(records: ReadonlyArray<{ sentAt: Date; parts: number }>, monthOf: (at: Date) => string): SmsMonth[] {
  const months = new Map<string, SmsMonth>();
  for (const r of records) {
    const month = monthOf(r.sentAt);
    const m = months.get(month) ?? { month, messages: 0, parts: 0 };
    m.messages += 1;
    m.parts += r.parts;
    months.set(month, m);
  }
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}
