/**
 * The delivery channels, in one place (issue 14): for each channel its id, whether this deployment
 * has it (configuration), which notices it carries, whether a person can be reached on it, the
 * address it uses at send time, and how it sends. Planning (`planForPerson`, deliveries.ts), the
 * consent gate (consent.ts), the delivery engine and its batch lane (src/queue/delivery-*.ts) and
 * the settings screens ask this table; nothing else names a channel's rules.
 *
 * Adding a channel: its id in CHANNELS and DEFAULT_CHANNEL_ORDER
 * (src/db/models/enums.ts), an entry below, what reaches the person on `Reach` (filled by
 * src/services/people.ts), what its address is read from on `AddressHolder` (filled by the gate),
 * its transport on `ChannelIO` (built by src/queue/notifier.ts), and `settings:channels.names.<id>`
 * in both locales. docs/notifications.md, "Channels", describes the table.
 */
import type { i18n } from "i18next";
import type { Channel, DeliveryKind } from "../../db/models";
import { DEFAULT_CHANNEL_ORDER, MESSENGERS, type Messenger } from "../../db/models/enums";
import { deliverableEmail, emailHtml, htmlToText, type EmailChannel } from "../../channels/email";
import type { MaxChannel } from "../../channels/max";
import type { SendOutcome } from "../../channels/outcome";
import { goesOnPaper } from "../../channels/paper";
import type { SmsChannel } from "../../channels/sms";
import type { TelegramChannel } from "../../channels/telegram";
import { deliverablePhone } from "../../domain/sms";
import type { Language } from "../../i18n";
import type { Notice } from "./notice";
import { renderNotice } from "./render";
import { goesBySms, renderSms, type SmsOptionalTemplate } from "./sms-text";

/** What a school decides about channels (School.settings.sms), as planning and sending need it. */
export interface ChannelRules {
  /** Notices the school sends by SMS besides finals and exams. */
  smsKinds: readonly SmsOptionalTemplate[];
  /** Concatenated SMS parts at most. */
  smsMaxParts: number;
}

export const DEFAULT_CHANNEL_RULES: ChannelRules = { smsKinds: [], smsMaxParts: 2 };

export function channelRulesOf(settings: { sms?: { forecasts?: boolean; recommendations?: boolean; maxParts?: number } | null } | null | undefined): ChannelRules {
  const sms = settings?.sms;
  const smsKinds: SmsOptionalTemplate[] = [];
  if (sms?.forecasts) smsKinds.push("forecast");
  if (sms?.recommendations) smsKinds.push("recommendation");
  return { smsKinds, smsMaxParts: sms?.maxParts ?? DEFAULT_CHANNEL_RULES.smsMaxParts };
}

/** What planning knows about a person's reach (src/services/people.ts `Person`). */
export interface Reach {
  accountId?: unknown;
  /** An account with a Telegram chat that has not blocked the bot. */
  telegram: boolean;
  /** An account with a MAX dialog that has not stopped the MAX bot. */
  max: boolean;
  email: string | null;
  /** E.164, from the person's own or the school's written contacts. */
  phone: string | null;
}

/** What the consent gate reads a send-time address from: an account, or the record person (no chat). */
export interface AddressHolder {
  chatId?: number | null;
  active?: boolean | null;
  max?: { userId?: number | null; blockedAt?: Date | null } | null;
  contacts: ReadonlyArray<{ kind: string; value: string; source: string; verifiedAt?: Date | null }>;
}

export type Address = { chatId: number } | { maxUserId: number } | { email: string } | { phone: string };

/** The transports of this process (the worker), built once at start and closed on shutdown. */
export interface ChannelIO {
  telegram: TelegramChannel;
  /** The MAX bot (null: MAX_BOT_TOKEN not set). */
  max: MaxChannel | null;
  email: EmailChannel | null;
  sms: SmsChannel | null;
  i18n: i18n;
  /** The cabinet's public base URL (WEB_URL): SMS texts end with a link to it. */
  webUrl?: string;
}

export interface SendInput {
  address: Address;
  lang: Language;
  timeZone: string;
  notice: Notice;
  rules: ChannelRules;
  /** The delivery's idempotency key (a multi-part SMS resumes after the parts already accepted). */
  key?: string;
}

/**
 * A send's outcome; `record`: fields kept on the Delivery when it was sent (an SMS's message ids and
 * parts); `recorded`: to be called once they are written (an SMS's receipts that came first are applied then).
 */
export type ChannelOutcome = SendOutcome | { ok: true; record: Record<string, unknown>; recorded?: () => Promise<void> };

/** Configuration that switches channels on (src/config.ts). */
export interface ChannelConfig {
  MAX_BOT_TOKEN?: string;
  SMPP_URL?: string;
  SMS_SOURCE?: string;
}

export interface ChannelEntry {
  id: Channel;
  /** Reaches one person (true) or the family, on paper (false). */
  electronic: boolean;
  /** A person may switch it off (leave it out of their order) in /settings or the web cabinet. */
  optional: boolean;
  /** Whether this deployment has it; the chain skips a channel that is off. */
  enabled(config: ChannelConfig): boolean;
  /** Whether it carries this notice for a school with these rules. */
  carries(kind: DeliveryKind, notice: Notice, rules: ChannelRules): boolean;
  /** Whether planning can use it for this person. */
  reaches(person: Reach): boolean;
  /** The send-time address, or why there is none (the person is unreachable on it). */
  address(holder: AddressHolder): Address | string;
  send(io: ChannelIO, input: SendInput): Promise<ChannelOutcome>;
}

const unreachable = (error: string): SendOutcome => ({ ok: false, kind: "unreachable", error });

export const CHANNEL_REGISTRY: Readonly<Record<Channel, ChannelEntry>> = {
  telegram: {
    id: "telegram",
    electronic: true,
    optional: false,
    enabled: () => true,
    carries: () => true,
    reaches: (p) => p.telegram && !!p.accountId,
    address: (h) => (h.chatId !== undefined && h.chatId !== null && h.active !== false ? { chatId: h.chatId } : "account inactive (bot blocked)"),
    send: (io, { address, lang, timeZone, notice }) => {
      if (!("chatId" in address)) return Promise.resolve(unreachable("no chat"));
      return io.telegram.sendMessage(address.chatId, renderNotice(io.i18n, lang, timeZone, notice).html);
    },
  },
  max: {
    id: "max",
    electronic: true,
    // A person with both messengers may leave one out of their order.
    optional: true,
    enabled: (config) => !!config.MAX_BOT_TOKEN,
    carries: () => true,
    reaches: (p) => p.max && !!p.accountId,
    address: (h) => (typeof h.max?.userId === "number" && !h.max.blockedAt ? { maxUserId: h.max.userId } : "no MAX dialog (never started, or the bot was stopped)"),
    send: (io, { address, lang, timeZone, notice }) => {
      if (!io.max) return Promise.resolve(unreachable("MAX is not configured (MAX_BOT_TOKEN)"));
      if (!("maxUserId" in address)) return Promise.resolve(unreachable("no MAX dialog"));
      // The same markup as Telegram's: MAX reads <b>, <i>, <a>, <code> (src/channels/max.ts).
      return io.max.sendMessage(address.maxUserId, renderNotice(io.i18n, lang, timeZone, notice).html);
    },
  },
  email: {
    id: "email",
    electronic: true,
    optional: false,
    // Planned even without SMTP_URL: the engine then finds no transport and the chain falls back (the record says why).
    enabled: () => true,
    carries: () => true,
    reaches: (p) => !!p.email,
    address: (h) => {
      const email = deliverableEmail(h.contacts as never);
      return email ? { email } : "no e-mail address from the person or the school";
    },
    send: async (io, { address, lang, timeZone, notice }) => {
      if (!io.email) return unreachable("e-mail is not configured (SMTP_URL)");
      if (!("email" in address)) return unreachable("no e-mail address");
      const message = renderNotice(io.i18n, lang, timeZone, notice);
      return io.email.send({ to: address.email, subject: message.subject, text: htmlToText(message.html), html: emailHtml(message.html, lang) });
    },
  },
  sms: {
    id: "sms",
    electronic: true,
    optional: true,
    enabled: (config) => !!config.SMPP_URL && !!config.SMS_SOURCE,
    carries: (_kind, notice, rules) => goesBySms(notice, rules.smsKinds),
    reaches: (p) => !!p.phone,
    address: (h) => {
      const phone = deliverablePhone(h.contacts);
      return phone ? { phone } : "no phone number from the person or the school";
    },
    send: async (io, { address, lang, notice, rules, key }) => {
      if (!io.sms) return unreachable("sms is not configured (SMPP_URL)");
      if (!("phone" in address)) return unreachable("no phone number");
      const text = renderSms(io.i18n, lang, notice, io.webUrl);
      if (text === null) return { ok: false, kind: "permanent", error: `sms: no text for ${notice.template}` };
      const sms = io.sms;
      const sent = await sms.send({ to: address.phone, text, maxParts: rules.smsMaxParts, key });
      if (!sent.ok) return sent;
      const ids = sent.messageIds ?? [];
      return { ok: true, record: { "sms.ids": ids, "sms.parts": sent.parts ?? 0 }, recorded: () => sms.recorded(ids) };
    },
  },
  paper: {
    id: "paper",
    electronic: false,
    optional: false,
    enabled: () => true,
    carries: (kind) => goesOnPaper(kind),
    reaches: () => true,
    address: () => "paper has no address",
    // Never sent by the engine: a paper delivery is `pending_paper` from the start and the printouts collect it.
    send: () => Promise.resolve({ ok: false, kind: "permanent", error: "paper is printed, not sent" }),
  },
};

export const channelEntry = (id: Channel): ChannelEntry => CHANNEL_REGISTRY[id];

/**
 * The channels this process has (set by the worker at start from its configuration; every worker of
 * a deployment reads the same environment). Before that: every channel that needs no configuration.
 */
let enabledNow: ReadonlySet<Channel> = enabledFor({});

export function enabledFor(config: ChannelConfig): ReadonlySet<Channel> {
  return new Set(Object.values(CHANNEL_REGISTRY).filter((e) => e.enabled(config)).map((e) => e.id));
}

export function useChannels(config: ChannelConfig): void {
  enabledNow = enabledFor(config);
}

export const channelEnabled = (id: Channel): boolean => enabledNow.has(id);

/** What reaches an account on each messenger (its Telegram chat not blocked; its MAX dialog not stopped). */
export function messengerReach(account: { telegramId?: number | null; active?: boolean | null; max?: { userId?: number | null; blockedAt?: Date | null } | null }): { telegram: boolean; max: boolean } {
  return {
    telegram: typeof account.telegramId === "number" && account.active !== false,
    max: typeof account.max?.userId === "number" && !account.max.blockedAt,
  };
}

/**
 * The messenger an account-only message (a student's own final, an admin's alert, a teacher's
 * receipt) goes to: the first of the account's order that is on and reaches it; else Telegram, whose
 * gate then says why nothing reaches the account (a messenger left out of the order stays off).
 */
export function messengerOf(account: Parameters<typeof messengerReach>[0] & { channelOrder?: readonly Channel[] | null }): Messenger {
  const reach = messengerReach(account);
  const order = account.channelOrder?.length ? account.channelOrder : DEFAULT_CHANNEL_ORDER;
  const first = order.find((c): c is Messenger => (MESSENGERS as readonly string[]).includes(c) && channelEnabled(c) && reach[c as Messenger]);
  return first ?? "telegram";
}
