/**
 * A real SMPP 3.4 server on loopback (the `smpp` package's server side) standing in for the
 * operator's SMSC: it checks the bind, keeps every submit_sm (UDH and UCS-2 decoded), answers with a
 * message id, can throttle, refuse a number, drop its connections and send delivery receipts — also
 * one that overtakes its own submit_sm_resp (`receiptFirst`), the surest way to have a receipt come
 * before the delivery record knows its message id.
 */
import type { AddressInfo } from "node:net";
import smpp, { type Pdu, type Session } from "smpp";

export interface Submitted {
  messageId: string;
  to: string;
  source: string;
  dataCoding: number;
  /** The part's text (decoded from UCS-2). */
  text: string;
  /** The UDH's information elements as hex (00 03 ref total seq when concatenated). */
  udh?: string;
  registeredDelivery: number;
}

export interface TestSmsc {
  url: string;
  submits: Submitted[];
  binds: number;
  /** The next `n` submits (after `after` accepted ones) are answered with this error (e.g. smpp.ESME_RTHROTTLED); replaces earlier ones. */
  refuseNext(n: number, status: number, after?: number): void;
  /** Submits to this number (digits, no plus) are answered ESME_RINVDSTADR. */
  invalid: Set<string>;
  /** Sends a receipt for a message id over the session that submitted it. */
  receipt(messageId: string, stat: "DELIVRD" | "UNDELIV" | "EXPIRED"): Promise<void>;
  /**
   * The next accepted submit's receipt goes before its submit_sm_resp: over another bound session
   * when `other` (a second worker) and there is one, else over the submitter's; the answer to the
   * submit waits until the receipt is answered and `then` is done.
   */
  receiptFirst(stat: "DELIVRD" | "UNDELIV" | "EXPIRED", options?: { other?: boolean; then?: () => Promise<void> }): void;
  /** Bound sessions now. */
  readonly sessions: number;
  /** Closes every open connection (the operator's side drops). */
  dropAll(): void;
  waitFor(count: number, timeoutMs?: number): Promise<Submitted[]>;
  close(): Promise<void>;
}

export async function startSmsc(systemId = "school", password = "secret"): Promise<TestSmsc> {
  const sessions = new Set<Session>();
  const owner = new Map<string, Session>();
  const refusals: number[] = [];
  const early: Array<{ stat: string; other?: boolean; then?: () => Promise<void> }> = [];
  let next = 1;
  const receiptText = (messageId: string, stat: string) =>
    `id:${messageId} sub:001 dlvrd:${stat === "DELIVRD" ? "001" : "000"} submit date:2612051200 done date:2612051201 stat:${stat} err:000 text:`;
  const deliver = (s: Session, messageId: string, stat: string) =>
    new Promise<void>((resolve) => s.deliver_sm({ esm_class: 0x04, short_message: receiptText(messageId, stat) }, () => resolve()));
  const state: TestSmsc = {
    url: "",
    submits: [],
    binds: 0,
    invalid: new Set(),
    refuseNext(n, status, after = 0) {
      refusals.length = 0;
      for (let i = 0; i < after; i++) refusals.push(0); // 0: answered as usual
      for (let i = 0; i < n; i++) refusals.push(status);
    },
    async receipt(messageId, stat) {
      const s = owner.get(messageId);
      if (!s) throw new Error(`no session submitted ${messageId}`);
      await deliver(s, messageId, stat);
    },
    receiptFirst(stat, options = {}) {
      early.push({ stat, ...options });
    },
    get sessions() {
      return bound.size;
    },
    dropAll() {
      for (const s of sessions) s.destroy();
    },
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (state.submits.length < count) {
        if (Date.now() > until) throw new Error(`SMSC got ${state.submits.length} submits, waited for ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return state.submits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
  const bound = new Set<Session>();
  const server = smpp.createServer((session: Session) => {
    sessions.add(session);
    session.on("close", () => {
      sessions.delete(session);
      bound.delete(session);
    });
    session.on("error", () => undefined);
    session.on("bind_transceiver", (pdu: Pdu) => {
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
      if (ok) {
        state.binds += 1;
        bound.add(session);
      }
      else session.close();
    });
    session.on("enquire_link", (pdu: Pdu) => session.send(pdu.response()));
    session.on("unbind", (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on("submit_sm", (pdu: Pdu) => {
      const to = String(pdu.destination_addr);
      const refusal = refusals.shift();
      if (refusal) return void session.send(pdu.response({ command_status: refusal }));
      if (state.invalid.has(to)) return void session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      const messageId = `m${next++}`;
      const sm = pdu.short_message as { message: string | Buffer; udh?: Buffer[] };
      state.submits.push({
        messageId,
        to,
        source: String(pdu.source_addr),
        dataCoding: Number(pdu.data_coding),
        text: typeof sm.message === "string" ? sm.message : sm.message.toString("hex"),
        ...(sm.udh?.length ? { udh: Buffer.concat(sm.udh).toString("hex") } : {}),
        registeredDelivery: Number(pdu.registered_delivery),
      });
      owner.set(messageId, session);
      const first = early.shift();
      if (!first) return void session.send(pdu.response({ message_id: messageId }));
      const via = (first.other && [...bound].find((s) => s !== session)) || session;
      void deliver(via, messageId, first.stat)
        .then(() => first.then?.())
        .then(() => session.send(pdu.response({ message_id: messageId })));
    });
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.url = `smpp://${systemId}:${password}@127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
