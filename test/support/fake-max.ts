/**
 * A small fake MAX Bot API on loopback for tests (issue 14), written from the platform's
 * documentation (dev.max.ru/docs-api) and the `@maxhub/max-bot-api` client's types: the token in the
 * `Authorization` header (401 `verify.token` otherwise), `GET /me`, long polling on `GET /updates`
 * (`marker` = the next expected update, `timeout` up to 90 s, `limit`, `types`), `POST /messages`
 * (`user_id` or `chat_id`; `text` up to 4000 characters; `format: "html"`; an `inline_keyboard`
 * attachment of at most 30 rows of 7 buttons), `PUT /messages` (edit), `POST /answers` (a button
 * press answered with a notification and/or a new message body), `GET`/`DELETE /subscriptions`,
 * and files as MAX takes them: `POST /uploads?type=file` gives an upload URL (here `/upload/<n>`,
 * no token needed), a multipart POST of the file's `data` part to it answers a token, and a message
 * carries it as a `file` attachment (answered 400 `attachment.not.ready` while "processing": scripted
 * with `notReady`).
 * Errors are `{"code", "message"}` with the HTTP status; 429s and others can be scripted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, User } from "@maxhub/max-bot-api/types";

export interface MaxSent {
  /** "send", "edit" (PUT /messages) or "answer" (the message body of POST /answers). */
  via: "send" | "edit" | "answer";
  userId: number;
  mid: string;
  text: string;
  /** The text with HTML tags removed and entities decoded (what the user reads). */
  plain: string;
  format?: string;
  buttons: Array<Array<{ type: string; text: string; payload?: string; url?: string }>>;
  /** Files attached (`file` attachments), as uploaded. */
  files: MaxFile[];
  at: number;
}
export interface MaxFile { name: string; bytes: Buffer }
export interface MaxCall { method: string; path: string; query: Record<string, string>; body: unknown; status: number; at: number }
export interface MaxFailure { status: number; code: string; message: string }
export interface FakeMaxUser { user_id: number; first_name: string; last_name?: string; username?: string | null; locale?: string }

const HTML_TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "del", "a", "code", "pre", "br"]);
const TEXT_LIMIT = 4000;

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

/** Tag balance of MAX's HTML format (the tags the platform knows); the text as the user reads it. */
export function maxHtmlToPlain(html: string): string {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z]+)[^>]*>/gi)) {
    const name = m[2].toLowerCase();
    if (!HTML_TAGS.has(name)) throw new ApiError(400, "proto.payload", `unsupported html tag <${name}>`);
    if (name === "br") continue;
    if (!m[1]) stack.push(name);
    else if (stack.pop() !== name) throw new ApiError(400, "proto.payload", `unbalanced html tag </${name}>`);
  }
  if (stack.length) throw new ApiError(400, "proto.payload", `unclosed html tag <${stack[stack.length - 1]}>`);
  return html.replace(/<br\s*\/?>/gi, "\n").replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

export class FakeMax {
  readonly token: string;
  readonly calls: MaxCall[] = [];
  readonly sent: MaxSent[] = [];
  readonly me = { user_id: 900_000_001, name: "Дневник", first_name: "Дневник", username: "diary_test_bot", is_bot: true, last_activity_time: Date.now() };
  private server!: Server;
  private updates: Array<{ seq: number; update: Update }> = [];
  private nextSeq = 1;
  private acknowledged = 0;
  private waiters = new Set<() => void>();
  private failures: Array<{ method: string; path: string; failure: MaxFailure }> = [];
  private blocked = new Set<number>();
  private callbacks = new Map<string, { userId: number; mid: string; answered: boolean }>();
  private messages = new Map<string, MaxSent>();
  private midCounter = 1;
  private uploads = new Map<string, MaxFile | null>();
  private tokens = new Map<string, MaxFile>();
  private notReadyLeft = 0;

  private constructor(token: string) { this.token = token; }

  static async start(token = "max-test-token-0123456789abcdef"): Promise<FakeMax> {
    const fake = new FakeMax(token);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` calls of `METHOD /path` fail with this answer (e.g. 429 `too.many.requests`). */
  failNext(method: string, path: string, failure: MaxFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ method, path, failure });
  }

  /** The next `times` messages with a file attachment answer 400 `attachment.not.ready` (MAX still processing the upload). */
  notReady(times: number): void {
    this.notReadyLeft = times;
  }

  /** The user stopped the bot: sends to them answer 403 `chat.denied`. */
  block(userId: number): void {
    this.blocked.add(userId);
  }

  /** What the bot sent (or edited, or answered with) to this user, oldest first. */
  sentTo(userId: number): MaxSent[] {
    return this.sent.filter((m) => m.userId === userId);
  }

  /** Waits until the bot sent this user a message containing `text` (in its plain form). */
  async waitForMessage(userId: number, text: string | RegExp, timeoutMs = 10_000, after = 0): Promise<MaxSent> {
    const match = (m: MaxSent) => m.userId === userId && (typeof text === "string" ? m.plain.includes(text) : text.test(m.plain));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.sent.slice(after).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no MAX message to ${userId} matching ${String(text)}; got: ${this.sentTo(userId).map((m) => m.plain).join(" | ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Whether every update given so far was fetched and acknowledged by the bot's next poll. */
  get pending(): number {
    return this.updates.filter((u) => u.seq > this.acknowledged).length;
  }

  // --- what users do -------------------------------------------------------------------------

  user(profile: Partial<FakeMaxUser> & { user_id: number }): FakeMaxUser {
    return { first_name: "Родитель", username: null, locale: "ru", ...profile };
  }

  private userObject(u: FakeMaxUser): User {
    return { user_id: u.user_id, name: u.first_name, first_name: u.first_name, last_name: u.last_name, username: u.username ?? null, is_bot: false, last_activity_time: Date.now() };
  }

  /** The user pressed "Start" in the bot's profile (or opened a deep link with a payload). */
  start(u: FakeMaxUser, payload?: string): void {
    this.blocked.delete(u.user_id);
    this.push({ update_type: "bot_started", timestamp: Date.now(), chat_id: this.chatOf(u.user_id), user: this.userObject(u), payload: payload ?? null, user_locale: u.locale } as Update);
  }

  /** The user stopped the bot. */
  stopBot(u: FakeMaxUser): void {
    this.blocked.add(u.user_id);
    this.push({ update_type: "bot_stopped", timestamp: Date.now(), chat_id: this.chatOf(u.user_id), user: this.userObject(u), user_locale: u.locale } as Update);
  }

  /** The user wrote a text message in their dialog with the bot (or `chatType` "chat": in a group). */
  write(u: FakeMaxUser, text: string, chatType: "dialog" | "chat" = "dialog"): void {
    const chatId = chatType === "dialog" ? this.chatOf(u.user_id) : -777;
    this.push({
      update_type: "message_created", timestamp: Date.now(), user_locale: u.locale,
      message: {
        sender: this.userObject(u), recipient: { chat_id: chatId, chat_type: chatType, user_id: null, post_id: null }, timestamp: Date.now(),
        body: { mid: `mid.u${this.midCounter++}`, seq: this.nextSeq, text, attachments: [] },
      },
    } as unknown as Update);
  }

  /** The user pressed a callback button with this payload on one of the bot's messages. */
  press(u: FakeMaxUser, payload: string, on?: MaxSent): string {
    const message = on ?? [...this.sentTo(u.user_id)].reverse().find((m) => m.buttons.flat().some((b) => b.payload === payload));
    if (!message) throw new Error(`no message to ${u.user_id} with a button ${payload}`);
    const callbackId = `cb.${this.midCounter++}`;
    this.callbacks.set(callbackId, { userId: u.user_id, mid: message.mid, answered: false });
    this.push({
      update_type: "message_callback", timestamp: Date.now(), user_locale: u.locale,
      callback: { timestamp: Date.now(), callback_id: callbackId, payload, user: this.userObject(u) },
      message: { sender: this.me, recipient: { chat_id: this.chatOf(u.user_id), chat_type: "dialog", user_id: u.user_id, post_id: null }, timestamp: message.at, body: { mid: message.mid, seq: 0, text: message.text } },
    } as unknown as Update);
    return callbackId;
  }

  /** Whether the press with this callback id was answered (POST /answers). */
  answered(callbackId: string): boolean {
    return this.callbacks.get(callbackId)?.answered ?? false;
  }

  private chatOf(userId: number): number {
    return 500_000_000 + userId;
  }

  private push(update: Update): void {
    this.updates.push({ seq: this.nextSeq++, update });
    for (const wake of this.waiters) wake();
  }

  // --- the HTTP side ----------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    const call: MaxCall = { method: req.method ?? "GET", path: url.pathname, query, body: null, status: 0, at: Date.now() };
    this.calls.push(call);
    const answer = (status: number, body: unknown) => {
      call.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      // The upload URL is the file server's, not the API's: no token in the header.
      const upload = /^\/upload\/(\d+)$/.exec(url.pathname);
      if (upload && call.method === "POST") return answer(200, this.receiveUpload(upload[1], bytes, req.headers["content-type"] ?? ""));
      if (req.headers.authorization !== this.token || "access_token" in query) throw new ApiError(401, "verify.token", "Invalid access_token");
      call.body = raw ? JSON.parse(raw) : null;
      const scripted = this.failures.findIndex((f) => f.method === call.method && f.path === call.path);
      if (scripted >= 0) {
        const [{ failure }] = this.failures.splice(scripted, 1);
        throw new ApiError(failure.status, failure.code, failure.message);
      }
      answer(200, await this.route(call, req));
    } catch (error) {
      if (error instanceof ApiError) answer(error.status, { code: error.code, message: error.message });
      else answer(500, { code: "internal", message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async route(call: MaxCall, req: IncomingMessage): Promise<unknown> {
    const key = `${call.method} ${call.path}`;
    if (key === "GET /me") return this.me;
    if (key === "GET /subscriptions") return { subscriptions: [] };
    if (key === "DELETE /subscriptions") return { success: true };
    if (key === "GET /updates") return this.getUpdates(call.query, req);
    if (key === "POST /messages") return { message: this.send(call.query, call.body as Record<string, unknown>) };
    if (key === "PUT /messages") return this.edit(call.query, call.body as Record<string, unknown>);
    if (key === "POST /answers") return this.answer(call.query, call.body as Record<string, unknown>);
    if (key === "POST /uploads") {
      if (call.query.type !== "file") throw new ApiError(400, "proto.payload", "this fake takes uploads of type file only");
      const id = String(this.uploads.size + 1);
      this.uploads.set(id, null);
      return { url: `${this.apiRoot}/upload/${id}` };
    }
    throw new ApiError(404, "not.found", `Path ${call.path} not found`);
  }

  private async getUpdates(query: Record<string, string>, req: IncomingMessage): Promise<unknown> {
    const limit = query.limit ? Number(query.limit) : 100;
    const timeout = query.timeout ? Number(query.timeout) : 30;
    if (!(limit >= 1 && limit <= 1000) || !(timeout >= 0 && timeout <= 90)) throw new ApiError(400, "proto.payload", "limit must be 1..1000 and timeout 0..90");
    // A marker names the next expected update: everything before it counts as received.
    if (query.marker) this.acknowledged = Math.max(this.acknowledged, Number(query.marker) - 1);
    const types = query.types ? new Set(query.types.split(",")) : null;
    const ready = () => this.updates.filter((u) => u.seq > this.acknowledged && (!types || types.has(u.update.update_type))).slice(0, limit);
    const deadline = Date.now() + timeout * 1000;
    while (!ready().length && Date.now() < deadline && !req.destroyed && this.server.listening) {
      await new Promise<void>((resolve) => {
        const wake = () => { this.waiters.delete(wake); clearTimeout(timer); resolve(); };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiters.add(wake);
        req.once("close", wake);
      });
    }
    const batch = ready();
    const marker = batch.length ? batch[batch.length - 1].seq + 1 : this.acknowledged + 1;
    return { updates: batch.map((u) => u.update), marker };
  }

  private buttonsOf(body: Record<string, unknown>): MaxSent["buttons"] {
    const attachments = (body.attachments ?? []) as Array<{ type: string; payload?: { buttons?: MaxSent["buttons"] } }>;
    const keyboard = attachments.find((a) => a.type === "inline_keyboard");
    const rows = keyboard?.payload?.buttons ?? [];
    if (rows.length > 30 || rows.some((r) => r.length > 7 || r.length === 0)) throw new ApiError(400, "proto.payload", "keyboard: at most 30 rows of 1..7 buttons");
    for (const b of rows.flat()) {
      if (!b.text || b.text.length > 128) throw new ApiError(400, "proto.payload", "button text must be 1..128 characters");
      if (b.type === "callback" && (!b.payload || b.payload.length > 1024)) throw new ApiError(400, "proto.payload", "callback payload must be 1..1024 characters");
      if (b.type === "link" && !/^https?:\/\//.test(b.url ?? "")) throw new ApiError(400, "proto.payload", "link button needs an http(s) url");
    }
    return rows;
  }

  /** The multipart body's `data` part (the file), kept under a new token. */
  private receiveUpload(id: string, body: Buffer, contentType: string): unknown {
    if (!this.uploads.has(id) || this.uploads.get(id)) throw new ApiError(400, "proto.payload", "unknown or used upload url");
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (!boundary) throw new ApiError(400, "proto.payload", "multipart/form-data expected");
    const marker = Buffer.from(`--${(boundary[1] ?? boundary[2]).trim()}`);
    for (let at = body.indexOf(marker); at >= 0;) {
      const next = body.indexOf(marker, at + marker.length);
      if (next < 0) break;
      const part = body.subarray(at + marker.length + 2, next - 2);
      const split = part.indexOf("\r\n\r\n");
      const head = part.subarray(0, split).toString("utf8");
      if (/name="data"/.test(head)) {
        const name = /filename\*?=(?:UTF-8'')?"?([^";\r\n]+)"?/i.exec(head)?.[1] ?? "file";
        const file = { name: /%[0-9a-f]{2}/i.test(name) ? decodeURIComponent(name) : name, bytes: Buffer.from(part.subarray(split + 4)) };
        if (!file.bytes.length) throw new ApiError(400, "proto.payload", "empty file");
        this.uploads.set(id, file);
        const token = `file-token-${id}`;
        this.tokens.set(token, file);
        return { fileId: Number(id), token };
      }
      at = next;
    }
    throw new ApiError(400, "proto.payload", "no data part");
  }

  private filesOf(body: Record<string, unknown>): MaxFile[] {
    const attachments = (body.attachments ?? []) as Array<{ type: string; payload?: { token?: string } }>;
    const files = attachments.filter((a) => a.type === "file").map((a) => {
      const file = this.tokens.get(a.payload?.token ?? "");
      if (!file) throw new ApiError(400, "proto.payload", "file attachment: unknown token");
      return file;
    });
    if (files.length && this.notReadyLeft > 0) {
      this.notReadyLeft -= 1;
      throw new ApiError(400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed");
    }
    return files;
  }

  private content(body: Record<string, unknown>) {
    const text = typeof body.text === "string" ? body.text : "";
    if (text.length > TEXT_LIMIT) throw new ApiError(400, "proto.payload", `text: size must be between 0 and ${TEXT_LIMIT}`);
    const format = typeof body.format === "string" ? body.format : undefined;
    if (format !== undefined && format !== "html" && format !== "markdown") throw new ApiError(400, "proto.payload", "format must be markdown or html");
    const plain = format === "html" ? maxHtmlToPlain(text) : text;
    return { text, plain, format, buttons: this.buttonsOf(body), files: this.filesOf(body) };
  }

  private send(query: Record<string, string>, body: Record<string, unknown>): unknown {
    const userId = query.user_id ? Number(query.user_id) : query.chat_id ? Number(query.chat_id) - 500_000_000 : NaN;
    if (!Number.isFinite(userId) || userId <= 0) throw new ApiError(400, "proto.payload", "user_id or chat_id is required");
    if (this.blocked.has(userId)) throw new ApiError(403, "chat.denied", "chat.denied: dialog is not available");
    const sent: MaxSent = { via: "send", userId, mid: `mid.b${this.midCounter++}`, ...this.content(body), at: Date.now() };
    if (!sent.text && !sent.buttons.length && !sent.files.length) throw new ApiError(400, "proto.payload", "text or attachments are required");
    this.sent.push(sent);
    this.messages.set(sent.mid, sent);
    return { sender: this.me, recipient: { chat_id: this.chatOf(userId), chat_type: "dialog", user_id: userId, post_id: null }, timestamp: sent.at, body: { mid: sent.mid, seq: 0, text: sent.text } };
  }

  private edit(query: Record<string, string>, body: Record<string, unknown>): unknown {
    const previous = this.messages.get(query.message_id ?? "");
    if (!previous) throw new ApiError(404, "not.found", "message not found");
    const edited: MaxSent = { via: "edit", userId: previous.userId, mid: previous.mid, ...this.content(body), at: Date.now() };
    this.sent.push(edited);
    this.messages.set(edited.mid, edited);
    return { success: true };
  }

  private answer(query: Record<string, string>, body: Record<string, unknown>): unknown {
    const press = this.callbacks.get(query.callback_id ?? "");
    if (!press) throw new ApiError(400, "proto.payload", "callback_id is invalid");
    if (!body || (!body.message && !body.notification)) throw new ApiError(400, "proto.payload", "message or notification is required");
    press.answered = true;
    if (body.message) {
      const replaced: MaxSent = { via: "answer", userId: press.userId, mid: press.mid, ...this.content(body.message as Record<string, unknown>), at: Date.now() };
      this.sent.push(replaced);
      this.messages.set(replaced.mid, replaced);
    }
    return { success: true };
  }
}
