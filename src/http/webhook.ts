/**
 * The Telegram webhook route. Telegram sends the secret in X-Telegram-Bot-Api-Secret-Token; it is
 * checked when the request arrives, before the body is read, and the body may be small (an update
 * is a few KB; 256 KB leaves room for the longest message with its reply and entities). Without
 * this, anyone could make the server read and parse bodies as large as the exchange API's limit.
 */
import { webhookCallback, type Bot } from "grammy";
import type { FastifyInstance } from "fastify";
import { sameSecret } from "./server";

export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;
/** Telegram waits for the webhook's answer; within this the update is answered even if still handled. */
export const WEBHOOK_ANSWER_MS = 9_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any bot context: the route only hands updates over
export function registerWebhook(app: FastifyInstance, bot: Bot<any>, options: { path: string; secret: string }): void {
  app.post(
    options.path,
    {
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      onRequest: async (request, reply) => {
        const given = request.headers["x-telegram-bot-api-secret-token"];
        if (!sameSecret(typeof given === "string" ? given : undefined, options.secret)) return reply.status(401).send({ error: "Unauthorized" });
      },
    },
    // grammY checks the secret again (defence in depth) and answers Telegram. An update still being
    // handled after 9 s (a reply waiting out a 429: src/channels/telegram-retry.ts) is answered 200
    // and goes on: an error would make Telegram send the same update again, and the dialog would
    // take it twice.
    webhookCallback(bot, "fastify", { secretToken: options.secret, onTimeout: "return", timeoutMilliseconds: WEBHOOK_ANSWER_MS }),
  );
}
