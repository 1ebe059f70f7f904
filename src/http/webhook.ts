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
    // grammY checks the secret again (defence in depth) and answers Telegram.
    webhookCallback(bot, "fastify", { secretToken: options.secret }),
  );
}
