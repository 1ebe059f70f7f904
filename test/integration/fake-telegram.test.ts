/**
 * The fake Telegram Bot API used by bot and end-to-end tests: first driven with plain fetch (so its
 * answers are checked against what Telegram answers), then with a real grammY bot.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Bot, InputFile, InlineKeyboard } from "grammy";
import { FakeTelegram } from "../support/fake-telegram";

interface ApiReply { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } }

async function call(fake: FakeTelegram, method: string, params: Record<string, unknown> = {}, token = fake.token) {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as ApiReply };
}

describe("FakeTelegram over plain HTTP", () => {
  let fake: FakeTelegram;
  beforeEach(async () => { fake = await FakeTelegram.start(); });
  afterEach(async () => { await fake.stop(); });

  it("answers getMe and rejects a wrong token and an unknown method like Telegram", async () => {
    const me = await call(fake, "getMe");
    expect(me.body).toMatchObject({ ok: true, result: { is_bot: true, id: fake.me.id } });
    const wrong = await call(fake, "getMe", {}, "1:nope");
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    const unknown = await call(fake, "sendTelepathy");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    // GET with a query string and method names in any case work, as they do on Telegram.
    const get = await fetch(`${fake.apiRoot}/bot${fake.token}/getme`);
    expect(get.status).toBe(200);
  });

  it("sends messages with per-chat message ids and a realistic Message", async () => {
    const first = await call(fake, "sendMessage", { chat_id: 11, text: "<b>Привет</b> &amp; всё", parse_mode: "HTML" });
    expect(first.body.result).toMatchObject({ message_id: 1, chat: { id: 11, type: "private" }, from: { id: fake.me.id, is_bot: true }, text: "Привет & всё" });
    const other = await call(fake, "sendMessage", { chat_id: 12, text: "x" });
    expect(other.body.result).toMatchObject({ message_id: 1, chat: { id: 12 } });
    expect(fake.sent(11)).toEqual([expect.objectContaining({ text: "<b>Привет</b> &amp; всё", plain: "Привет & всё", parse_mode: "HTML" })]);
  });

  it("parses urlencoded and multipart bodies, with JSON fields sent as strings", async () => {
    const markup = { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] };
    const form = new URLSearchParams({ chat_id: "21", text: "форма", reply_markup: JSON.stringify(markup) });
    const r1 = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, { method: "POST", body: form });
    expect(await r1.json()).toMatchObject({ ok: true, result: { chat: { id: 21 }, text: "форма", reply_markup: markup } });

    const fd = new FormData();
    fd.append("chat_id", "22");
    fd.append("caption", "отчёт");
    fd.append("reply_markup", JSON.stringify(markup));
    fd.append("document", new Blob([Buffer.from("a;b\r\n1;2\r\n")]), "отчёт.csv");
    const r2 = (await (await fetch(`${fake.apiRoot}/bot${fake.token}/sendDocument`, { method: "POST", body: fd })).json()) as ApiReply;
    expect(r2).toMatchObject({ ok: true, result: { caption: "отчёт", reply_markup: markup, document: { file_name: "отчёт.csv", mime_type: "text/csv", file_size: 10 } } });
    expect(fake.sent(22)[0]).toMatchObject({ method: "sendDocument", caption: "отчёт", reply_markup: markup, document: { filename: "отчёт.csv" } });
    expect(fake.sent(22)[0].document?.bytes.toString()).toBe("a;b\r\n1;2\r\n");

    // A file_id returned by Telegram can be sent again; an unknown one cannot.
    const fileId = (r2.result as { document: { file_id: string } }).document.file_id;
    expect((await call(fake, "sendDocument", { chat_id: 23, document: fileId })).status).toBe(200);
    expect(fake.sent(23)[0].document?.bytes.toString()).toBe("a;b\r\n1;2\r\n");
    expect((await call(fake, "sendDocument", { chat_id: 24, document: "nope" })).body.description).toBe("Bad Request: wrong file identifier/HTTP URL specified");
  });

  it("validates what Telegram validates", async () => {
    const fake2 = await FakeTelegram.start({ enforceLimits: false });
    try {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ text: "hi" }, "Bad Request: chat_id is empty"],
        [{ chat_id: 1 }, "Bad Request: message text is empty"],
        [{ chat_id: 1, text: "   " }, "Bad Request: message text is empty"],
        [{ chat_id: 1, text: "я".repeat(4097) }, "Bad Request: message is too long"],
        [{ chat_id: 1, text: "<b>bold", parse_mode: "HTML" }, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""],
        [{ chat_id: 1, text: "<b>x</i>", parse_mode: "HTML" }, "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""],
        [{ chat_id: 1, text: "a<br>b", parse_mode: "HTML" }, "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 1"],
        [{ chat_id: 1, text: "Tom & Jerry", parse_mode: "HTML" }, "can't parse entities"],
        [{ chat_id: 1, text: "ok", reply_markup: { inline_keyboard: [[{ text: "b", callback_data: "x".repeat(65) }]] } }, "Bad Request: BUTTON_DATA_INVALID"],
      ];
      for (const [params, description] of cases) {
        const r = await call(fake2, "sendMessage", params);
        expect({ params, status: r.status }).toEqual({ params, status: 400 });
        expect(r.body.description).toContain(description);
      }
      expect((await call(fake2, "sendMessage", { chat_id: 1, text: "я".repeat(4096) })).status).toBe(200);
      const html = "<b>b</b><i>i</i><a href=\"https://x.org\">a</a><pre><code class=\"language-ts\">&lt;T&gt;</code></pre><span class=\"tg-spoiler\">s</span>&#128512;";
      expect((await call(fake2, "sendMessage", { chat_id: 1, text: html, parse_mode: "HTML" })).status).toBe(200);

      const markup = { inline_keyboard: [[{ text: "b", callback_data: "d" }]] };
      const sent = await call(fake2, "sendMessage", { chat_id: 2, text: "v1", reply_markup: markup });
      const id = (sent.body.result as { message_id: number }).message_id;
      expect((await call(fake2, "editMessageText", { chat_id: 2, message_id: 999, text: "x" })).body.description).toBe("Bad Request: message to edit not found");
      const same = await call(fake2, "editMessageText", { chat_id: 2, message_id: id, text: "v1", reply_markup: markup });
      expect(same.body.description).toMatch(/^Bad Request: message is not modified: /);
      const edited = await call(fake2, "editMessageText", { chat_id: 2, message_id: id, text: "v2", reply_markup: markup });
      expect(edited.body.result).toMatchObject({ text: "v2", reply_markup: markup });
      const removed = await call(fake2, "editMessageReplyMarkup", { chat_id: 2, message_id: id });
      expect(removed.body.result).not.toHaveProperty("reply_markup");
      expect((await call(fake2, "editMessageReplyMarkup", { chat_id: 2, message_id: id })).body.description).toMatch(/not modified/);
      expect(fake2.sent(2).map((m) => m.method)).toEqual(["sendMessage", "editMessageText", "editMessageReplyMarkup"]);
    } finally {
      await fake2.stop();
    }
  });

  it("answers 429 with retry_after when one chat gets two messages within a second", async () => {
    expect((await call(fake, "sendMessage", { chat_id: 5, text: "one" })).status).toBe(200);
    const second = await call(fake, "sendMessage", { chat_id: 5, text: "two" });
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${second.body.parameters?.retry_after}`, parameters: { retry_after: expect.any(Number) } });
    expect(second.body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
    expect(fake.rateLimitHits).toBe(1);
    // Other chats and non-send methods are not affected.
    expect((await call(fake, "sendMessage", { chat_id: 6, text: "one" })).status).toBe(200);
    expect((await call(fake, "sendChatAction", { chat_id: 5, action: "typing" })).status).toBe(200);
    expect(fake.maxPerChatRate()).toBe(1);
  });

  it("answers 429 when more than 30 messages a second go out in total", async () => {
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => call(fake, "sendMessage", { chat_id: 1000 + i, text: "hi" })));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
    expect(fake.rateLimitHits).toBe(limited.length);
    // Whatever the timing, no 1-second window holds more than 30 accepted sends.
    const okTimes = fake.calls.filter((c) => c.method === "sendMessage" && c.status === 200).map((c) => c.at).sort((a, b) => a - b);
    for (const t of okTimes) expect(okTimes.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(30);
  });

  it("answers 403 for a blocked chat and injects one-off failures", async () => {
    fake.blockChat(77);
    expect(await call(fake, "sendMessage", { chat_id: 77, text: "hi" })).toEqual({
      status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
    });
    fake.failNext("sendMessage", { status: 500, description: "Internal Server Error" });
    expect((await call(fake, "sendMessage", { chat_id: 78, text: "hi" })).status).toBe(500);
    fake.failNext("sendMessage", { status: 429, retryAfter: 3 });
    expect((await call(fake, "sendMessage", { chat_id: 78, text: "hi" })).body.parameters).toEqual({ retry_after: 3 });
    fake.failNext("getMe", { status: 0, destroySocket: true });
    await expect(call(fake, "getMe")).rejects.toThrow();
    expect((await call(fake, "sendMessage", { chat_id: 78, text: "hi" })).status).toBe(200);
    expect(fake.calls.map((c) => c.status)).toEqual([403, 500, 429, 0, 200]);
  });

  it("long-polls getUpdates: returns as soon as an update arrives; offset confirms", async () => {
    const started = Date.now();
    const poll = call(fake, "getUpdates", { timeout: 20 });
    await new Promise((r) => setTimeout(r, 200));
    const update = fake.injectMessage({ id: 42, first_name: "Анна", language_code: "ru" }, "/start abc");
    const { body } = await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(body.result).toEqual([update]);
    expect(update.message).toMatchObject({
      text: "/start abc", chat: { id: 42, type: "private", first_name: "Анна" }, from: { id: 42, is_bot: false, language_code: "ru" },
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    });
    // Not confirmed yet: delivered again; confirmed with offset = update_id + 1: gone.
    expect((await call(fake, "getUpdates")).body.result).toEqual([update]);
    expect((await call(fake, "getUpdates", { offset: update.update_id + 1 })).body.result).toEqual([]);
    const u2 = fake.injectMessage({ id: 42 }, "two");
    fake.injectMessage({ id: 42 }, "three");
    expect((await call(fake, "getUpdates", { limit: 1 })).body.result).toEqual([u2]);
  });

  it("long-polls getUpdates: returns [] after the timeout", async () => {
    const started = Date.now();
    const { body } = await call(fake, "getUpdates", { timeout: 1 });
    expect(body.result).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("answers 409 to concurrent getUpdates and while a webhook is set", async () => {
    const first = call(fake, "getUpdates", { timeout: 20 });
    await new Promise((r) => setTimeout(r, 200)); // let the first poll arrive
    const second = call(fake, "getUpdates", { timeout: 1 });
    // Telegram terminates the older request: one of the two gets the 409.
    expect((await first).body).toMatchObject({ ok: false, error_code: 409, description: expect.stringMatching(/^Conflict: terminated by other getUpdates request/) });
    expect((await second).status).toBe(200);

    const hook = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
        received.push({ secret: req.headers["x-telegram-bot-api-secret-token"], body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.end();
      });
    });
    const received: Array<{ secret: unknown; body: unknown }> = [];
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/tg`;
      expect((await call(fake, "setWebhook", { url, secret_token: "s3cret" })).body.result).toBe(true);
      expect((await call(fake, "getUpdates")).body).toMatchObject({ error_code: 409, description: expect.stringMatching(/webhook is active/) });
      const update = fake.injectMessage({ id: 9 }, "hello");
      expect((await call(fake, "getWebhookInfo")).body.result).toMatchObject({ url, pending_update_count: 1 });
      expect(await fake.pushToWebhook(update)).toBe(200);
      expect(received).toEqual([{ secret: "s3cret", body: update }]);
      expect((await call(fake, "getWebhookInfo")).body.result).toMatchObject({ pending_update_count: 0 });
      await call(fake, "deleteWebhook");
      expect((await call(fake, "getUpdates")).status).toBe(200);
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });

  it("stores commands by scope and language", async () => {
    const commands = [{ command: "start", description: "Начать" }];
    await call(fake, "setMyCommands", { commands, language_code: "ru" });
    expect((await call(fake, "getMyCommands", { language_code: "ru" })).body.result).toEqual(commands);
    expect((await call(fake, "getMyCommands")).body.result).toEqual([]);
    expect((await call(fake, "setMyCommands", { commands: [{ command: "Bad Name", description: "x" }] })).body.description).toBe("Bad Request: BOT_COMMAND_INVALID");
    await call(fake, "deleteMyCommands", { language_code: "ru" });
    expect((await call(fake, "getMyCommands", { language_code: "ru" })).body.result).toEqual([]);
  });

  it("waitFor rejects with the last calls listed", async () => {
    await call(fake, "getMe");
    await expect(fake.waitFor((c) => c.method === "sendMessage", 200)).rejects.toThrow(/200 getMe/);
  });
});

describe("FakeTelegram with a real grammY bot", () => {
  let fake: FakeTelegram;
  let bot: Bot;
  let running: Promise<void>;
  const errors: unknown[] = [];

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.command("file", (ctx) => ctx.replyWithDocument(new InputFile(Buffer.from("hello"), "a.txt"), { caption: "Файл" }));
    bot.command("menu", (ctx) => ctx.reply("Выберите", { reply_markup: new InlineKeyboard().text("Оценки", "grades") }));
    bot.callbackQuery("grades", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "ok" });
      await ctx.editMessageText("Оценки: 5");
    });
    bot.on("message:text", (ctx) => ctx.reply("echo: " + ctx.message.text));
    bot.catch((err) => { errors.push(err.error); });
    await new Promise<void>((resolve) => { running = bot.start({ timeout: 10, onStart: () => resolve() }); });
  });

  afterAll(async () => {
    await bot.stop();
    await running;
    await fake.stop();
    expect(errors).toEqual([]);
  });

  it("receives a message by long polling and its echo arrives", async () => {
    fake.injectMessage({ id: 501, first_name: "Анна" }, "привет");
    const echo = await fake.waitForMessage(501, "echo: привет", 10_000);
    expect(echo).toMatchObject({ method: "sendMessage", chatId: 501, text: "echo: привет" });
  });

  it("uploads a document with its filename and bytes (multipart)", async () => {
    fake.injectMessage({ id: 502 }, "/file");
    const sent = await fake.waitForMessage(502, "Файл", 10_000);
    expect(sent.document).toMatchObject({ filename: "a.txt", mime: "text/plain" });
    expect(sent.document?.bytes.toString()).toBe("hello");
    const callRecord = await fake.waitFor((c) => c.method === "sendDocument");
    expect(callRecord.params).toMatchObject({ chat_id: 502, caption: "Файл", document: { filename: "a.txt", size: 5 } });
  });

  it("records a callback query answered with answerCallbackQuery, and the edit", async () => {
    fake.injectMessage({ id: 503 }, "/menu");
    const menu = await fake.waitForMessage(503, "Выберите", 10_000);
    expect(menu.reply_markup).toEqual({ inline_keyboard: [[{ text: "Оценки", callback_data: "grades" }]] });
    await new Promise((r) => setTimeout(r, 1100)); // one message a second per chat
    const update = fake.injectCallback({ id: 503 }, "grades");
    expect(update.callback_query).toMatchObject({ data: "grades", message: { message_id: menu.messageId, chat: { id: 503 } }, chat_instance: expect.any(String) });
    const answer = await fake.waitFor((c) => c.method === "answerCallbackQuery", 10_000);
    expect(answer).toMatchObject({ status: 200, params: { callback_query_id: update.callback_query?.id, text: "ok" } });
    const edit = await fake.waitForMessage(503, "Оценки: 5", 10_000);
    expect(edit).toMatchObject({ method: "editMessageText", messageId: menu.messageId });
  });
});
