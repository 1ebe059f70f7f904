/** The compliance report's rules as tables: how a result reached each person, and the 24-hour share. */
import { byUrgency, complianceShare, resultReach, type ComplianceDelivery, type ReachState } from "../../src/domain/reports";

const resultsAt = new Date("2026-12-01T12:00:00Z");
const at = (hours: number) => new Date(resultsAt.getTime() + hours * 3600_000);
const d = (recipient: string, channel: string, status: string, queuedH: number, sentH?: number): ComplianceDelivery => ({
  recipient,
  channel,
  status,
  queuedAt: at(queuedH),
  ...(sentH !== undefined ? { sentAt: at(sentH) } : {}),
});

describe("resultReach: one recipient", () => {
  test.each<[string, ComplianceDelivery[], number, ReachState, string, number | null]>([
    ["sent in a minute", [d("a1", "telegram", "sent", 0, 0.02)], 30, "on-time", "telegram", 0.02],
    ["sent at 24 h exactly", [d("a1", "telegram", "sent", 0, 24)], 30, "on-time", "telegram", 24],
    ["sent at 25 h", [d("a1", "telegram", "sent", 0, 25)], 30, "late", "telegram", 25],
    ["telegram fell back, e-mail sent", [d("a1", "telegram", "fell_back", 0), d("a1", "email", "sent", 0.1, 0.2)], 30, "on-time", "email", 0.2],
    ["paper handed over next morning", [d("g1", "paper", "handed", 0, 20)], 30, "on-time", "paper", 20],
    ["paper printed, not handed, 10 h on", [d("g1", "paper", "printed", 0)], 10, "waiting", "paper", null],
    ["paper printed, not handed, 30 h on", [d("g1", "paper", "printed", 0)], 30, "overdue", "paper", null],
    ["queued in quiet hours, 3 h on", [d("a1", "telegram", "queued", 0)], 3, "waiting", "telegram", null],
    ["failed and fell back to paper pending", [d("a1", "telegram", "fell_back", 0), d("a1", "paper", "pending_paper", 20)], 26, "overdue", "paper", null],
    ["withdrawn before the send", [d("a1", "telegram", "cancelled", 0)], 30, "cancelled", "telegram", null],
  ])("%s", (_name, deliveries, nowH, state, channel, reachedH) => {
    const reach = resultReach(resultsAt, deliveries, at(nowH));
    expect(reach.state).toBe(state);
    expect(reach.recipients).toHaveLength(1);
    expect(reach.recipients[0]).toMatchObject({ recipient: deliveries[0].recipient, state, channel });
    expect(reach.recipients[0].reachedAt).toEqual(reachedH === null ? null : at(reachedH));
  });
});

describe("resultReach: a family", () => {
  test("the result is as late as its latest person; withdrawn persons do not count", () => {
    const reach = resultReach(resultsAt, [d("a1", "telegram", "sent", 0, 0.1), d("a2", "email", "sent", 0, 26), d("a3", "telegram", "cancelled", 0)], at(30));
    expect(reach.state).toBe("late");
    expect(reach.recipients.map((r) => [r.recipient, r.state])).toEqual([["a2", "late"], ["a1", "on-time"], ["a3", "cancelled"]]);
  });

  test("a person whose channels all failed is reached by the family's paper", () => {
    const fellBack = { ...d("a1", "telegram", "fell_back", 0), family: "g1" };
    const handed = resultReach(resultsAt, [fellBack, d("g1", "paper", "handed", 1, 18)], at(30));
    expect(handed.state).toBe("on-time");
    expect(handed.recipients.find((r) => r.recipient === "a1")).toMatchObject({ state: "on-time", channel: "paper", status: "handed" });
    const printed = resultReach(resultsAt, [fellBack, d("g1", "paper", "printed", 1)], at(30));
    expect(printed.recipients.map((r) => [r.recipient, r.state])).toEqual([["a1", "overdue"], ["g1", "overdue"]]);
  });

  test("nobody told: waiting within the day, none after it", () => {
    expect(resultReach(resultsAt, [], at(5)).state).toBe("waiting");
    expect(resultReach(resultsAt, [], at(25)).state).toBe("none");
  });
});

describe("complianceShare", () => {
  test.each<[ReachState[], { results: number; onTime: number; percent: number | null; overdue: number }]>([
    [[], { results: 0, onTime: 0, percent: null, overdue: 0 }],
    [["on-time", "on-time", "on-time"], { results: 3, onTime: 3, percent: 100, overdue: 0 }],
    [["on-time", "overdue", "late"], { results: 3, onTime: 1, percent: 33.3, overdue: 1 }],
    [["on-time", "cancelled"], { results: 1, onTime: 1, percent: 100, overdue: 0 }],
    [["none", "on-time", "waiting"], { results: 3, onTime: 1, percent: 33.3, overdue: 0 }],
  ])("%p", (states, expected) => {
    expect(complianceShare(states)).toMatchObject(expected);
  });
});

test("byUrgency: overdue first, then by the result's time", () => {
  const rows = [
    { id: 1, state: "on-time" as ReachState, resultsAt: at(0) },
    { id: 2, state: "overdue" as ReachState, resultsAt: at(5) },
    { id: 3, state: "overdue" as ReachState, resultsAt: at(1) },
    { id: 4, state: "late" as ReachState, resultsAt: at(0) },
    { id: 5, state: "none" as ReachState, resultsAt: at(0) },
  ];
  expect(rows.sort(byUrgency).map((r) => r.id)).toEqual([3, 2, 5, 4, 1]);
});
