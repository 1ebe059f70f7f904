/** How one person is informed, from their own facts only (src/domain/person-mode.ts). */
import { personMode, type PersonFacts } from "../../src/domain/person-mode";
import { consentStateOf } from "../../src/domain/consent";
import { messengerOf, useChannels } from "../../src/services/notify/channels";

const order = ["telegram", "email", "paper"] as const;
const base: PersonFacts = { consent: "granted", channelOrder: [...order], telegram: true, email: false };

describe("personMode", () => {
  test.each<[string, Partial<PersonFacts>, ReturnType<typeof personMode>]>([
    ["consent and Telegram: Telegram", {}, { mode: "electronic", reason: null, channel: "telegram" }],
    ["e-mail first and an address: e-mail", { channelOrder: ["email", "telegram", "paper"], email: true }, { mode: "electronic", reason: null, channel: "email" }],
    ["e-mail first without an address: Telegram", { channelOrder: ["email", "telegram", "paper"] }, { mode: "electronic", reason: null, channel: "telegram" }],
    ["paper first: paper by choice", { channelOrder: ["paper", "telegram", "email"] }, { mode: "paper", reason: "chosen", channel: null }],
    ["paper above a working Telegram: by choice", { channelOrder: ["email", "paper", "telegram"] }, { mode: "paper", reason: "chosen", channel: null }],
    ["blocked the bot, no e-mail: paper (blocked)", { telegram: false, blocked: true }, { mode: "paper", reason: "blocked", channel: null }],
    ["blocked the bot, an e-mail: e-mail", { telegram: false, blocked: true, email: true }, { mode: "electronic", reason: null, channel: "email" }],
    ["a record person without e-mail: no channel yet, not paper", { telegram: false }, { mode: "electronic", reason: null, channel: null }],
    ["declined: paper", { consent: "declined" }, { mode: "paper", reason: "declined", channel: null }],
    ["withdrawn: paper", { consent: "withdrawn" }, { mode: "paper", reason: "withdrawn", channel: null }],
    ["never answered: waiting", { consent: "none" }, { mode: "waiting", reason: null, channel: null }],
    ["agreed to an older text: waiting", { consent: "outdated" }, { mode: "waiting", reason: null, channel: null }],
    ["a MAX-only account: MAX", { channelOrder: ["telegram", "max", "email", "paper"], telegram: false, max: true }, { mode: "electronic", reason: null, channel: "max" }],
    ["both messengers: the first of the order", { channelOrder: ["max", "telegram", "paper"], max: true }, { mode: "electronic", reason: null, channel: "max" }],
    ["MAX stopped, Telegram works: Telegram", { channelOrder: ["max", "telegram", "paper"], max: false }, { mode: "electronic", reason: null, channel: "telegram" }],
    ["MAX stopped, nothing else: paper (blocked)", { channelOrder: ["telegram", "max", "paper"], telegram: false, max: false, blocked: true }, { mode: "paper", reason: "blocked", channel: null }],
    ["the record on paper (journal) wins over its consent", { recordPaper: "journal", email: true }, { mode: "paper", reason: "journal", channel: null }],
  ])("%s", (_name, facts, expected) => {
    expect(personMode({ ...base, ...facts })).toEqual(expected);
  });
});

describe("messengerOf: the messenger of an account-only message (a student's own final, an admin's alert)", () => {
  beforeAll(() => useChannels({ MAX_BOT_TOKEN: "max-test-token-0123456789" }));
  afterAll(() => useChannels({}));
  const tg = { telegramId: 1, active: true };
  const mx = { max: { userId: 2 } };
  test.each<[string, Parameters<typeof messengerOf>[0], string]>([
    ["Telegram only", tg, "telegram"],
    ["MAX only", mx, "max"],
    ["both, default order: Telegram", { ...tg, ...mx }, "telegram"],
    ["both, MAX first", { ...tg, ...mx, channelOrder: ["max", "telegram", "paper"] }, "max"],
    ["both, Telegram blocked: MAX", { ...tg, active: false, ...mx }, "max"],
    ["MAX stopped, no Telegram: Telegram (its gate says why nothing reaches)", { max: { userId: 2, blockedAt: new Date() } }, "telegram"],
    ["MAX left out of the order: Telegram", { ...mx, channelOrder: ["telegram", "email", "paper"] }, "telegram"],
  ])("%s", (_name, account, channel) => {
    expect(messengerOf(account)).toBe(channel);
  });
  test("MAX off in this deployment: Telegram", () => {
    useChannels({});
    expect(messengerOf(mx)).toBe("telegram");
    useChannels({ MAX_BOT_TOKEN: "max-test-token-0123456789" });
  });
});

describe("consentStateOf", () => {
  test.each([
    [null, "none"],
    [{ decision: "granted", textVersion: "v2", form: "telegram" }, "granted"],
    [{ decision: "granted", textVersion: "v1", form: "telegram" }, "outdated"],
    // A written consent stays valid when the school publishes a new text (renewed only in writing).
    [{ decision: "granted", textVersion: "v1", form: "paper" }, "granted"],
    [{ decision: "granted", textVersion: "v1", form: "edoc" }, "granted"],
    [{ decision: "declined", textVersion: "v2", form: "telegram" }, "declined"],
    [{ decision: "withdrawn", textVersion: "v1", form: "paper" }, "withdrawn"],
  ])("%j → %s", (record, state) => {
    expect(consentStateOf(record, "v2")).toBe(state);
  });
});
