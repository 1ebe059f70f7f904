/**
 * A small fake Telegram Bot API server for tests and benchmarks (DESIGN.md "Known traps": the npm
 * `telegram-test-api` ignores offset/timeout, and transformers miss calls made inside conversations).
 * Point grammY at it with `client.apiRoot` or env `TELEGRAM_API_ROOT`. It answers the way Telegram
 * does (status codes, descriptions, long polling, 409/429/403) so error handling is tested too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Chat, Message, Update, User } from "grammy/types";

export interface FakeTelegramOptions {
  globalRatePerSecond?: number; perChatRatePerSecond?: number; enforceLimits?: boolean;
  botId?: number; botUsername?: string; token?: string;
}
export type Params = Record<string, unknown>;
/** One API request: `status` is the HTTP status answered (0 = socket destroyed or client gone). */
export interface ApiCall { method: string; params: Params; at: number; status: number }
export interface SentFile { filename: string; bytes: Buffer; mime?: string; fileId: string }
/** A message the bot sent or edited. `text` is as sent; `plain` is it after HTML parsing. */
export interface SentMessage {
  method: string; chatId: number; messageId: number; at: number;
  text?: string; plain?: string; caption?: string; parse_mode?: string; reply_markup?: unknown;
  document?: SentFile; photo?: SentFile;
}
export interface Failure { status: number; description?: string; retryAfter?: number; destroySocket?: boolean }
/** Telegram's answer to short bursts in one chat: every `every`-th call naming a chat gets 429, retry_after cycling through `retryAfter`. */
export interface ChatBurstLimit { every: number; retryAfter: number[] }
export interface FakeUser { id: number; first_name?: string; last_name?: string; language_code?: string; username?: string }
interface Upload { filename: string; size: number; bytes: Buffer; mime?: string }
interface Stored { msg: Message & Record<string, unknown>; fromBot: boolean; raw?: string }
type Handler = (p: Params, res: ServerResponse) => unknown;

class ApiError extends Error {
  constructor(readonly status: number, readonly description: string, readonly retryAfter?: number) { super(description); }
}
const bad = (why: string) => new ApiError(400, `Bad Request: ${why}`);
/** Telegram opens Mini Apps only over https. */
const webAppUrl = (url: unknown) => {
  if (typeof url !== "string" || !/^https:\/\/[^/]+/.test(url)) throw bad(`Web App URL '${String(url)}' is invalid: Only HTTPS links are allowed`);
};

// Fields that arrive as strings in form bodies but are JSON or numbers in the Bot API.
const JSON_FIELDS = new Set(["reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
  "link_preview_options", "reply_parameters", "menu_button"]);
const NUM_FIELDS = new Set(["chat_id", "message_id", "offset", "limit", "timeout", "message_thread_id", "cache_time", "max_connections"]);
// Telegram delivers these only when asked for explicitly in allowed_updates.
const OPT_IN_UPDATES = ["chat_member", "message_reaction", "message_reaction_count"];
const HTML_TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span",
  "blockquote", "tg-emoji"]);
const CHAT_ACTIONS = new Set(["typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"]);
// Telegram guesses the MIME type from the file name (grammY always sends application/octet-stream).
const MIME: Record<string, string> = { txt: "text/plain", csv: "text/csv", json: "application/json", pdf: "application/pdf",
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", html: "text/html" };
const NOT_MODIFIED = "message is not modified: specified new message content and reply markup are exactly the same as a "
  + "previous message content and reply markup of the message";
const truthy = (v: unknown) => v === true || v === "true";
const now = () => Date.now();
const unix = () => Math.floor(Date.now() / 1000);
/** JSON with sorted keys, to compare reply markups the way Telegram does (by content). */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => x && typeof x === "object" && !Array.isArray(x)
  ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => a.localeCompare(b))) : x) ?? "";

/** Tag-balance check of Telegram's HTML parse mode; returns the plain text or throws a 400. */
export function htmlToPlain(s: string): string {
  function fail(i: number, why: string, more = ""): never {
    throw bad(`can't parse entities: ${why} at byte offset ${Buffer.byteLength(s.slice(0, i))}${more}`);
  }
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
  const stack: string[] = [];
  let out = "";
  for (let i = 0; i < s.length;) {
    if (s[i] === "<") {
      const end = s.indexOf(">", i);
      if (end < 0) fail(i, "Unclosed start tag");
      const tag = s.slice(i + 1, end);
      const name = (/^\/?\s*([a-z][a-z0-9-]*)/i.exec(tag)?.[1] ?? "").toLowerCase();
      if (tag.startsWith("/")) {
        const open = stack.pop();
        if (open === undefined) fail(i, "Unexpected end tag");
        if (open !== name) fail(i, "Unmatched end tag", `, expected "</${open}>", found "</${name}>"`);
      } else {
        if (!HTML_TAGS.has(name)) fail(i, `Unsupported start tag "${name}"`);
        if (name === "span" && !/class\s*=\s*["']?tg-spoiler\b/i.test(tag)) fail(i, `Tag "span" must have class "tg-spoiler"`);
        stack.push(name);
      }
      i = end + 1;
    } else if (s[i] === "&") {
      // Stricter than Telegram (which keeps unknown entities as text) so that unescaped data is caught.
      const m = /^&(?:(lt|gt|amp|quot);|#(\d{1,7});|#x([0-9a-f]{1,6});)/i.exec(s.slice(i, i + 12));
      const code = m && !m[1] ? (m[2] ? Number(m[2]) : parseInt(m[3], 16)) : 0;
      if (!m || code > 0x10ffff) fail(i, `Unsupported HTML entity (escape "&" as &amp;)`);
      out += m[1] ? named[m[1].toLowerCase()] : String.fromCodePoint(code);
      i += m[0].length;
    } else out += s[i++];
  }
  if (stack.length) throw bad(`can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`);
  return out;
}

function coerce(key: string, v: string): unknown {
  if (JSON_FIELDS.has(key)) { try { return JSON.parse(v); } catch { return v; } }
  return NUM_FIELDS.has(key) && /^-?\d+$/.test(v) ? Number(v) : v;
}

/** multipart/form-data as grammY writes it (`content-disposition:form-data;name="x";filename=a.txt`) and as browsers/curl do. */
function parseMultipart(body: Buffer, boundary: string): { fields: Params; files: Map<string, Upload> } {
  const fields: Params = {}, files = new Map<string, Upload>();
  const buf = Buffer.concat([Buffer.from("\r\n"), body]), delim = Buffer.from(`\r\n--${boundary}`);
  for (let pos = buf.indexOf(delim); pos >= 0;) {
    const start = pos + delim.length;
    if (buf.subarray(start, start + 2).toString() === "--") break;
    const next = buf.indexOf(delim, start);
    if (next < 0) break;
    const part = buf.subarray(buf.indexOf("\r\n", start) + 2, next);
    const headEnd = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, headEnd).toString("utf8"), data = part.subarray(headEnd + 4);
    const name = /(?:^|;)\s*name="([^"]*)"/im.exec(head)?.[1];
    const fn = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(head);
    if (name !== undefined && fn) {
      const filename = (fn[1] ?? fn[2]).trim(), type = /^content-type:\s*([^\r\n;]+)/im.exec(head)?.[1];
      const ext = filename.split(".").pop()?.toLowerCase() ?? "";
      files.set(name, { filename, size: data.length, bytes: Buffer.from(data), mime: MIME[ext] ?? type });
    } else if (name !== undefined) fields[name] = coerce(name, data.toString("utf8"));
    pos = next;
  }
  return { fields, files };
}

async function readParams(req: IncomingMessage, query: URLSearchParams): Promise<Params> {
  const params: Params = {};
  for (const [k, v] of query) params[k] = coerce(k, v);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks), type = req.headers["content-type"] ?? "";
  if (!body.length) return params;
  if (type.startsWith("application/json")) {
    try { return { ...params, ...(JSON.parse(body.toString("utf8")) as Params) }; } catch { throw bad("can't parse JSON object"); }
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = coerce(k, v);
  } else if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    const { fields, files } = parseMultipart(body, (boundary?.[1] ?? boundary?.[2] ?? "").trim());
    Object.assign(params, fields);
    for (const [name, file] of files) {
      // grammY sends `document: "attach://<id>"` plus a part named <id>; curl sends a part named `document`.
      const ref = Object.keys(params).find((k) => params[k] === `attach://${name}`);
      params[ref ?? name] = file;
    }
  }
  return params;
}

export class FakeTelegram {
  readonly token: string;
  readonly me: User;
  private server!: Server;
  private readonly log: ApiCall[] = [];
  private readonly sentLog: SentMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private queue: Update[] = [];
  private nextUpdateId = 1;
  private poll?: { wake: () => void; kill: (e: ApiError, delayMs?: number) => void };
  private allowed: string[] = [];
  private webhook: { url?: string; secret?: string; allowed?: string[] } = {};
  private readonly commands = new Map<string, unknown[]>();
  /** The last menu button set for all chats (setChatMenuButton without chat_id). */
  menuButton: unknown = { type: "default" };
  private readonly chats = new Map<number, Chat>();
  private readonly messages = new Map<string, Stored>();
  private readonly nextMsgId = new Map<number, number>();
  private readonly files = new Map<string, SentFile>();
  private readonly openCallbacks = new Set<string>();
  private readonly blocked = new Set<number>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly globalWindow: number[] = [];
  private readonly chatWindows = new Map<number, number[]>();
  private sendTimes: Array<{ chatId: number; at: number }> = [];
  private counter = 0;
  private burstLimit?: ChatBurstLimit;
  private readonly chatCalls = new Map<number, number>();
  private readonly chatHolds = new Map<number, number>();
  private burstFailures: Failure[] = [];
  private early = 0;
  private readonly leftChats = new Set<number>();

  private constructor(private readonly opts: Required<Pick<FakeTelegramOptions, "globalRatePerSecond" | "perChatRatePerSecond"
    | "enforceLimits">> & FakeTelegramOptions) {
    const id = opts.botId ?? 7000000001;
    this.token = opts.token ?? `${id}:AAFakeTelegramTestToken_0123456789abcdef`;
    this.me = { id, is_bot: true, first_name: "Test Bot", username: opts.botUsername ?? "test_diary_bot",
      can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
      can_connect_to_business: false, has_main_web_app: false } as User;
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram({ globalRatePerSecond: 30, perChatRatePerSecond: 1, enforceLimits: true, ...opts });
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get apiRoot(): string { return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`; }

  async stop(): Promise<void> {
    this.poll?.kill(new ApiError(502, "Bad Gateway"));
    this.server.closeAllConnections(); // grammY keeps connections alive; do not wait for them
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- method table: the Bot API surface this fake implements ----
  private readonly methods: Record<string, Handler> = {
    getMe: () => this.me,
    getUpdates: (p, res) => this.getUpdates(p, res),
    setWebhook: (p) => {
      const url = String(p.url ?? "");
      if (url && !/^https?:\/\/[^/]+/.test(url)) throw bad("bad webhook: invalid webhook URL specified");
      const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw bad("secret token contains unallowed characters");
      this.webhook = url ? { url, secret, allowed: p.allowed_updates as string[] | undefined } : {};
      if (url) this.poll?.kill(new ApiError(409, "Conflict: terminated by setWebhook request"));
      if (truthy(p.drop_pending_updates)) this.queue = [];
      return true;
    },
    deleteWebhook: (p) => { this.webhook = {}; if (truthy(p.drop_pending_updates)) this.queue = []; return true; },
    getWebhookInfo: () => ({
      url: this.webhook.url ?? "", has_custom_certificate: false, pending_update_count: this.queue.length,
      ...(this.webhook.url ? { max_connections: 40, ip_address: "127.0.0.1" } : {}),
      ...(this.webhook.allowed ? { allowed_updates: this.webhook.allowed } : {}),
    }),
    setMyCommands: (p) => {
      if (!Array.isArray(p.commands)) throw bad("parameter \"commands\" is required");
      for (const c of p.commands as Array<{ command?: string; description?: string }>) {
        if (!/^[a-z0-9_]{1,32}$/.test(c.command ?? "")) throw bad("BOT_COMMAND_INVALID");
        if (!c.description || c.description.length > 256) throw bad("BOT_COMMAND_DESCRIPTION_INVALID");
      }
      this.commands.set(this.commandsKey(p), p.commands);
      return true;
    },
    getMyCommands: (p) => this.commands.get(this.commandsKey(p)) ?? [],
    deleteMyCommands: (p) => { this.commands.delete(this.commandsKey(p)); return true; },
    sendMessage: (p) => {
      const chatId = this.chatId(p), raw = this.text(p.text, p.parse_mode, 4096, true);
      const markup = this.markup(p.reply_markup);
      this.gate(chatId, true);
      return this.sendNew("sendMessage", chatId, p, { text: raw.plain, ...(markup ? { reply_markup: markup } : {}) }, raw.text);
    },
    sendDocument: (p) => this.sendFile("sendDocument", "document", p),
    sendPhoto: (p) => this.sendFile("sendPhoto", "photo", p),
    getFile: (p) => {
      const file = this.files.get(String(p.file_id ?? ""));
      if (!file) throw bad("invalid file_id");
      // Bots may download files of up to 20 MB.
      if (file.bytes.length > 20 * 1024 * 1024) throw bad("file is too big");
      return { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_size: file.bytes.length, file_path: `documents/${file.fileId}` };
    },
    editMessageText: (p) => {
      const st = this.editable(p), raw = this.text(p.text, p.parse_mode, 4096, true), markup = this.markup(p.reply_markup);
      if (st.msg.text === undefined) throw bad("there is no text in the message to edit");
      if (raw.text === st.raw && canon(markup) === canon(st.msg.reply_markup)) throw bad(NOT_MODIFIED);
      return this.applyEdit("editMessageText", st, p, { text: raw.plain, reply_markup: markup }, raw.text);
    },
    editMessageReplyMarkup: (p) => {
      const st = this.editable(p), markup = this.markup(p.reply_markup);
      if (canon(markup) === canon(st.msg.reply_markup)) throw bad(NOT_MODIFIED);
      return this.applyEdit("editMessageReplyMarkup", st, p, { reply_markup: markup }, st.raw);
    },
    answerCallbackQuery: (p) => {
      // Telegram accepts one answer per query and only for queries it delivered.
      if (!this.openCallbacks.delete(String(p.callback_query_id ?? ""))) {
        throw bad("query is too old and response timeout expired or query ID is invalid");
      }
      if (p.text !== undefined && String(p.text).length > 200) throw bad("MESSAGE_TOO_LONG");
      return true;
    },
    sendChatAction: (p) => {
      const chatId = this.chatId(p);
      if (!CHAT_ACTIONS.has(String(p.action ?? ""))) throw bad("wrong parameter action in request");
      this.gate(chatId, false);
      return true;
    },
    deleteMessage: (p) => {
      const key = `${this.chatId(p)}:${Number(p.message_id)}`;
      if (!this.messages.delete(key)) throw bad("message to delete not found");
      return true;
    },
    leaveChat: (p) => {
      const chatId = this.chatId(p);
      if (chatId > 0) throw bad("chat member status can't be changed in private chats");
      if (this.leftChats.has(chatId)) throw new ApiError(403, "Forbidden: bot is not a member of the group chat");
      this.leftChats.add(chatId);
      return true;
    },
    setChatMenuButton: (p) => {
      const button = (p.menu_button ?? { type: "default" }) as { type?: string; text?: string; web_app?: { url?: string } };
      if (button.type === "web_app") {
        if (!button.text) throw bad("menu button text is empty");
        webAppUrl(button.web_app?.url);
      } else if (button.type !== "commands" && button.type !== "default") throw bad("unsupported menu button type");
      this.menuButton = button;
      return true;
    },
    close: () => true,
    logOut: () => true,
  };
  private readonly canonical = new Map(Object.keys(this.methods).map((m) => [m.toLowerCase(), m]));

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const download = /^\/file\/bot([^/]+)\/documents\/([^/]+)$/.exec(url.pathname);
    if (download) return this.download(download[1], download[2], res);
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const method = route ? this.canonical.get(route[2].toLowerCase()) ?? route[2] : url.pathname;
    const call: ApiCall = { method, params: {}, at: now(), status: 0 };
    let status = 200, body: unknown;
    try {
      if (route && route[1] !== this.token) throw new ApiError(401, "Unauthorized");
      if (!route || !this.canonical.has(method.toLowerCase())) throw new ApiError(404, "Not Found");
      call.params = await readParams(req, url.searchParams);
      const failure = this.failures.get(method)?.shift() ?? this.chatBurst(method, call.params);
      if (failure?.destroySocket) { req.socket.destroy(); return this.record(call); }
      if (failure) {
        const retryAfter = failure.retryAfter ?? (failure.status === 429 ? 1 : undefined);
        const usual: Record<number, string> = { 400: "Bad Request", 403: "Forbidden: bot was blocked by the user", 409: "Conflict",
          429: `Too Many Requests: retry after ${retryAfter}`, 502: "Bad Gateway" };
        throw new ApiError(failure.status, failure.description ?? usual[failure.status] ?? "Internal Server Error", retryAfter);
      }
      body = { ok: true, result: await this.methods[method](call.params, res) };
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error: ${(e as Error).message}`);
      status = err.status;
      body = { ok: false, error_code: err.status, description: err.description,
        ...(err.retryAfter ? { parameters: { retry_after: err.retryAfter } } : {}) };
    }
    if (!res.destroyed) {
      call.status = status;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    }
    this.record(call);
  }

  /** GET /file/bot<token>/<file_path>: the bytes of a file getFile named. */
  private download(token: string, fileId: string, res: ServerResponse): void {
    const file = token === this.token ? this.files.get(fileId) : undefined;
    this.record({ method: "file", params: { file_id: fileId }, at: now(), status: file ? 200 : 404 });
    if (!file) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.length }).end(file.bytes);
  }

  private record(call: ApiCall): void {
    this.log.push(call);
    for (const w of [...this.waiters]) w();
  }

  // ---- long polling and webhook ----
  private getUpdates(p: Params, res: ServerResponse): Update[] | Promise<Update[]> {
    if (this.webhook.url) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    // Like Telegram, a newer request wins and the one still waiting is answered 409. That answer waits a moment:
    // after bot.stop() the aborted poll's socket may close just after the next request arrives (then it is recorded as 0).
    const conflict = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    this.poll?.kill(new ApiError(409, conflict), 100);
    const offset = Number(p.offset ?? 0);
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset); // confirm earlier updates
    else if (offset < 0) this.queue = this.queue.slice(offset);
    if (Array.isArray(p.allowed_updates)) this.allowed = p.allowed_updates as string[];
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100) || 100));
    const timeout = Math.max(0, Number(p.timeout ?? 0));
    if (this.queue.length || !timeout) return this.queue.slice(0, limit);
    return new Promise((resolve, reject) => {
      const done = () => { clearTimeout(timer); res.off("close", gone); if (this.poll === poll) this.poll = undefined; };
      const poll = {
        wake: () => { done(); resolve(this.queue.slice(0, limit)); },
        kill: (e: ApiError, delayMs = 0) => { done(); setTimeout(() => reject(e), delayMs); },
      };
      const timer = setTimeout(poll.wake, timeout * 1000);
      const gone = () => poll.wake(); // client aborted (e.g. bot.stop()): free the slot
      res.on("close", gone);
      this.poll = poll;
    });
  }

  /** POSTs an update to the webhook set with setWebhook (with its secret header); returns the HTTP status. */
  async pushToWebhook(update: Update): Promise<number> {
    if (!this.webhook.url) throw new Error("FakeTelegram.pushToWebhook: no webhook is set");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.webhook.secret) headers["X-Telegram-Bot-Api-Secret-Token"] = this.webhook.secret;
    const r = await fetch(this.webhook.url, { method: "POST", body: JSON.stringify(update), headers });
    await r.arrayBuffer();
    if (r.ok) this.queue = this.queue.filter((u) => u !== update); // delivered
    return r.status;
  }

  // ---- validation and limits ----
  private chatId(p: Params): number {
    if (p.chat_id === undefined || p.chat_id === "") throw bad("chat_id is empty");
    if (!/^-?\d+$/.test(String(p.chat_id))) throw bad("chat not found");
    return Number(p.chat_id);
  }

  private text(v: unknown, parseMode: unknown, max: number, required: boolean, what = "message text") {
    const text = v === undefined || v === null ? "" : String(v);
    if (parseMode !== undefined && parseMode !== "" && !["HTML", "MarkdownV2", "Markdown"].includes(String(parseMode))) throw bad("unsupported parse_mode");
    const plain = parseMode === "HTML" ? htmlToPlain(text) : text;
    if (required && !plain.trim()) throw bad(`${what} is empty`);
    if (plain.length > max) throw bad(what === "message text" ? "message is too long" : "message caption is too long");
    return { text, plain };
  }

  private markup(v: unknown): Record<string, unknown> | undefined {
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "object") throw bad("can't parse reply keyboard markup JSON object");
    const rows = (v as { inline_keyboard?: unknown }).inline_keyboard;
    for (const row of Array.isArray(rows) ? rows : []) {
      for (const b of row as Array<{ callback_data?: string; web_app?: { url?: string } }>) {
        if (b.callback_data !== undefined && (!b.callback_data || Buffer.byteLength(b.callback_data) > 64)) throw bad("BUTTON_DATA_INVALID");
        if (b.web_app !== undefined) webAppUrl(b.web_app.url);
      }
    }
    return v as Record<string, unknown>;
  }

  /** A failure from `failBurst` or `limitChatBursts` for this call, if any (getUpdates is never touched). */
  private chatBurst(method: string, p: Params): Failure | undefined {
    if (method === "getUpdates" || method === "getMe") return undefined;
    const burst = this.burstFailures.shift();
    if (burst) return burst;
    const limit = this.burstLimit;
    if (!limit || p.chat_id === undefined || !/^-?\d+$/.test(String(p.chat_id))) return undefined;
    const chatId = Number(p.chat_id), t = now();
    const hold = this.chatHolds.get(chatId);
    // 5 ms of slack: timers and the wall clock may disagree by a millisecond.
    if (hold !== undefined && t < hold - 5) {
      // The client came back before the retry_after it was given: Telegram answers 429 again.
      this.early += 1;
      return { status: 429, retryAfter: Math.max(1, Math.ceil((hold - t) / 1000)) };
    }
    const n = (this.chatCalls.get(chatId) ?? 0) + 1;
    this.chatCalls.set(chatId, n);
    if (n % limit.every !== 0) return undefined;
    const retryAfter = limit.retryAfter[(n / limit.every - 1) % limit.retryAfter.length];
    this.chatHolds.set(chatId, t + retryAfter * 1000);
    return { status: 429, retryAfter };
  }

  /** 403 for blocked chats; for sends and edits, 429 once the 1-second sliding windows are full. */
  private gate(chatId: number, counted: boolean): void {
    if (this.blocked.has(chatId)) throw new ApiError(403, "Forbidden: bot was blocked by the user");
    if (this.leftChats.has(chatId)) throw new ApiError(403, "Forbidden: bot is not a member of the group chat");
    if (!counted) return;
    const t = now(), recent = (w: number[]) => { while (w.length && w[0] <= t - 1000) w.shift(); return w; };
    const chatWin = recent(this.chatWindows.get(chatId) ?? []), globalWin = recent(this.globalWindow);
    this.chatWindows.set(chatId, chatWin);
    const full = chatWin.length >= this.opts.perChatRatePerSecond ? chatWin
      : globalWin.length >= this.opts.globalRatePerSecond ? globalWin : undefined;
    if (full && this.opts.enforceLimits) {
      const n = Math.max(1, Math.ceil((full[0] + 1000 - t) / 1000));
      throw new ApiError(429, `Too Many Requests: retry after ${n}`, n);
    }
    chatWin.push(t); globalWin.push(t); this.sendTimes.push({ chatId, at: t });
  }

  // ---- messages ----
  private chat(id: number): Chat {
    const known = this.chats.get(id);
    if (known) return known;
    if (id > 0) return { id, type: "private", first_name: `User ${id}` };
    return { id, type: id < -1e12 ? "supergroup" : "group", title: `Chat ${id}` } as Chat;
  }

  private newMessage(chatId: number, fromBot: boolean, fields: Record<string, unknown>, raw?: string, from: User = this.me): Stored {
    const id = (this.nextMsgId.get(chatId) ?? 0) + 1; // in a private chat both sides share one counter
    this.nextMsgId.set(chatId, id);
    const msg = { message_id: id, from, chat: this.chat(chatId), date: unix(), ...fields } as Stored["msg"];
    const st: Stored = { msg, fromBot, raw };
    this.messages.set(`${chatId}:${id}`, st);
    return st;
  }

  private sendNew(method: string, chatId: number, p: Params, fields: Record<string, unknown>, raw?: string, file?: Partial<SentMessage>) {
    const st = this.newMessage(chatId, true, fields, raw);
    this.noteSent(method, st, p, file);
    return st.msg;
  }

  private noteSent(method: string, st: Stored, p: Params, file?: Partial<SentMessage>): void {
    this.sentLog.push({
      method, chatId: st.msg.chat.id, messageId: st.msg.message_id, at: now(), text: st.raw, plain: st.msg.text,
      caption: p.caption as string | undefined, parse_mode: p.parse_mode as string | undefined, reply_markup: st.msg.reply_markup, ...file,
    });
  }

  private editable(p: Params): Stored {
    if (p.message_id === undefined) throw bad("message identifier is not specified");
    const st = this.messages.get(`${this.chatId(p)}:${Number(p.message_id)}`);
    if (!st) throw bad("message to edit not found");
    if (!st.fromBot) throw bad("message can't be edited");
    return st;
  }

  private applyEdit(method: string, st: Stored, p: Params, fields: Record<string, unknown>, raw?: string): Message {
    this.gate(st.msg.chat.id, true);
    st.msg = { ...st.msg, ...fields, edit_date: unix() };
    if (!st.msg.reply_markup) delete st.msg.reply_markup; // an edit without reply_markup removes the keyboard
    st.raw = raw;
    this.noteSent(method, st, { ...p, caption: st.msg.caption });
    return st.msg;
  }

  /** sendDocument/sendPhoto: an upload (multipart), a known file_id, or an http(s) URL. */
  private sendFile(method: string, field: "document" | "photo", p: Params): Message {
    const chatId = this.chatId(p), v = p[field];
    const caption = p.caption === undefined ? undefined : this.text(p.caption, p.parse_mode, 1024, false, "message caption");
    const markup = this.markup(p.reply_markup);
    let file: SentFile | undefined;
    if (v && typeof v === "object" && Buffer.isBuffer((v as Upload).bytes)) {
      const up = v as Upload;
      if (!up.size) throw bad("file must be non-empty");
      file = { filename: up.filename, bytes: up.bytes, mime: up.mime, fileId: `${field === "photo" ? "AgAC" : "BQAC"}Fake${++this.counter}` };
      this.files.set(file.fileId, file);
    } else if (typeof v === "string" && v) {
      file = this.files.get(v);
      if (!file && /^https?:\/\//.test(v)) file = { filename: v.split("/").pop() || field, bytes: Buffer.alloc(0), fileId: `Url${++this.counter}` };
      if (!file) throw bad("wrong file identifier/HTTP URL specified");
    } else throw bad(`there is no ${field} in the request`);
    this.gate(chatId, true);
    const meta = { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_size: file.bytes.length };
    const fields: Record<string, unknown> = field === "document"
      ? { document: { ...meta, file_name: file.filename, mime_type: file.mime } }
      : { photo: [{ ...meta, width: 320, height: 320 }] };
    if (caption) fields.caption = caption.plain;
    if (markup) fields.reply_markup = markup;
    return this.sendNew(method, chatId, p, fields, undefined, { [field]: file });
  }

  private commandsKey(p: Params): string { return `${canon(p.scope ?? { type: "default" })}|${String(p.language_code ?? "")}`; }

  // ---- test side: updates in ----
  /** Queues a raw update (dropped, as Telegram does, if its type is not allowed) and wakes a waiting getUpdates. */
  injectUpdate(raw: Update): Update {
    const type = Object.keys(raw).find((k) => k !== "update_id") ?? "";
    if (raw.callback_query) this.openCallbacks.add(raw.callback_query.id);
    const wanted = this.allowed.length ? this.allowed.includes(type) : !OPT_IN_UPDATES.includes(type);
    if (wanted) { this.queue.push(raw); this.poll?.wake(); }
    this.nextUpdateId = Math.max(this.nextUpdateId, raw.update_id + 1);
    return raw;
  }

  /** A private-chat message from `from`; a leading `/command` gets its bot_command entity. */
  injectMessage(from: FakeUser, text: string, extra: Partial<Message> = {}): Update {
    const command = /^\/\S+/.exec(text)?.[0];
    const entities = command ? [{ type: "bot_command", offset: 0, length: command.length }] : undefined;
    return this.injectFields(from, { text, ...(entities ? { entities } : {}), ...extra });
  }

  injectContact(from: FakeUser, phone: string): Update {
    return this.injectFields(from, { contact: { phone_number: phone, first_name: from.first_name ?? "User", user_id: from.id } });
  }

  injectSticker(from: FakeUser): Update {
    const n = ++this.counter;
    return this.injectFields(from, { sticker: { file_id: `CAAC${n}`, file_unique_id: `s${n}`, type: "regular", width: 512, height: 512,
      is_animated: false, is_video: false, emoji: "👍" } });
  }

  /** A document the user sends (its file can then be fetched with getFile and downloaded). */
  injectDocument(from: FakeUser, filename: string, bytes: Buffer, extra: Partial<Message> = {}): Update {
    const ext = filename.split(".").pop()?.toLowerCase() ?? "";
    const file: SentFile = { filename, bytes, mime: MIME[ext], fileId: `BQACUser${++this.counter}` };
    this.files.set(file.fileId, file);
    const document = { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_size: bytes.length, file_name: filename, ...(file.mime ? { mime_type: file.mime } : {}) };
    return this.injectFields(from, { document, ...extra });
  }

  /** A button press; `message` defaults to the bot's last message in the user's chat. */
  injectCallback(from: FakeUser, data: string, message?: { message_id: number; chat_id: number }): Update {
    const user = this.user(from);
    const last = [...this.sentLog].reverse().find((m) => m.chatId === from.id);
    const ref = message ?? (last ? { chat_id: last.chatId, message_id: last.messageId } : undefined);
    const msg = ref && (this.messages.get(`${ref.chat_id}:${ref.message_id}`)?.msg
      ?? { message_id: ref.message_id, from: this.me, chat: this.chat(ref.chat_id), date: unix(), text: "…" });
    const query = { id: `${from.id}${++this.counter}`, from: user, chat_instance: `ci${ref?.chat_id ?? from.id}`, data, ...(msg ? { message: msg } : {}) };
    return this.injectUpdate({ update_id: this.nextUpdateId++, callback_query: query } as Update);
  }

  private user(from: FakeUser): User {
    const user = { is_bot: false, first_name: "User", ...from } as User;
    const chat = { id: from.id, type: "private", first_name: user.first_name, ...(from.username ? { username: from.username } : {}) };
    this.chats.set(from.id, chat as Chat);
    return user;
  }

  private injectFields(from: FakeUser, fields: Record<string, unknown>): Update {
    const user = this.user(from);
    const st = this.newMessage(from.id, false, fields, undefined, user);
    return this.injectUpdate({ update_id: this.nextUpdateId++, message: st.msg } as Update);
  }

  // ---- test side: failures ----
  blockChat(chatId: number): void { this.blocked.add(chatId); }
  unblockChat(chatId: number): void { this.blocked.delete(chatId); }
  /** The next call of `method` fails once (several calls queue several failures). */
  failNext(method: string, failure: Failure): void { this.failures.set(method, [...(this.failures.get(method) ?? []), failure]); }
  /** The next `count` calls of any method (but getUpdates and getMe) fail this way: an outage of Telegram's front end. */
  failBurst(count: number, failure: Failure): void { for (let i = 0; i < count; i++) this.burstFailures.push(failure); }
  /** From now on, Telegram's answer to bursts in one chat (see ChatBurstLimit); undefined turns it off. */
  limitChatBursts(limit: ChatBurstLimit | undefined): void { this.burstLimit = limit; this.chatCalls.clear(); this.chatHolds.clear(); }
  /** Calls that came back to a chat before the retry_after they were given had passed. */
  get earlyRetries(): number { return this.early; }
  /** Groups the bot left (leaveChat). */
  hasLeft(chatId: number): boolean { return this.leftChats.has(chatId); }

  // ---- test side: what the bot did ----
  get calls(): readonly ApiCall[] { return this.log; }
  sent(chatId?: number): SentMessage[] { return this.sentLog.filter((m) => chatId === undefined || m.chatId === chatId); }
  get rateLimitHits(): number { return this.log.filter((c) => c.status === 429).length; }

  /** The largest number of accepted sends/edits to one chat within any 1-second window. */
  maxPerChatRate(): number {
    let best = 0;
    for (const chatId of new Set(this.sendTimes.map((s) => s.chatId))) {
      const times = this.sendTimes.filter((s) => s.chatId === chatId).map((s) => s.at);
      for (let i = 0, j = 0; j < times.length; j++) {
        while (times[j] - times[i] >= 1000) i++;
        best = Math.max(best, j - i + 1);
      }
    }
    return best;
  }

  /** Forgets recorded calls and messages (the rate windows stay: Telegram would remember them too). */
  clear(): void { this.log.length = 0; this.sentLog.length = 0; this.sendTimes = []; }

  /** Resolves with the first recorded call (past or future) matching `predicate`. */
  waitFor(predicate: (call: ApiCall) => boolean, timeoutMs = 5000): Promise<ApiCall> {
    return this.until(() => this.log.find(predicate), timeoutMs, "matching call");
  }

  /** Resolves with the first message sent/edited to `chatId` (past or future) whose text or caption contains or matches `match`. */
  waitForMessage(chatId: number, match?: string | RegExp, timeoutMs = 5000): Promise<SentMessage> {
    const fits = (s?: string) => s !== undefined && (match === undefined || (typeof match === "string" ? s.includes(match) : match.test(s)));
    const find = () => this.sentLog.find((m) => m.chatId === chatId && (match === undefined || fits(m.text) || fits(m.plain) || fits(m.caption)));
    return this.until(find, timeoutMs, `message to ${chatId} matching ${String(match ?? "anything")}`);
  }

  private until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => { const hit = find(); if (hit !== undefined) { stop(); resolve(hit); } };
      const stop = () => { clearTimeout(timer); this.waiters.delete(check); };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`FakeTelegram: no ${what} within ${timeoutMs} ms. Last calls:\n${this.describeCalls()}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The last calls, one a line, for failure messages. */
  describeCalls(last = 15): string {
    const short = (p: Params) => JSON.stringify(p, (_k, v: unknown) => ((v as { type?: string })?.type === "Buffer" ? "<bytes>" : v)).slice(0, 200);
    return this.log.slice(-last).map((c) => `  ${c.status} ${c.method} ${short(c.params)}`).join("\n") || "  (none)";
  }
}
