/**
 * The written statement's steps of /paperconsent: its number, its date and, for an e-document, the
 * signed file — the same details the console's form and the paper-consent CLI record
 * (`document: {number, date, fileHash?}` on the consent record). The file is hashed while it
 * streams in from Telegram and never kept (docs/decisions.md), as in the console.
 */
import { createHash } from "node:crypto";
import { InlineKeyboard } from "grammy";
import { Types } from "mongoose";
import { School } from "../../db/models";
import { readStatementDate, readStatementNumber, type Read, type StatementProblem } from "../../domain/statement";
import { schoolDay } from "../../domain/time";
import type { WrittenDocument } from "../../services/paper-consent";
import type { BotContext, BotDeps } from "../context";
import { dialogNow, dialogT, dropButtons, unusableAnswer, waitStep, type Dialog, type DialogContext } from "../dialog";

/** Bots may download files of up to 20 MB (Bot API getFile); the console takes as much. */
export const BOT_FILE_LIMIT = 20 * 1024 * 1024;

const PROBLEM_KEYS: Record<StatementProblem, string> = {
  number: "admin:paper.badNumber", date: "admin:paper.badDate", dateFuture: "admin:paper.dateFuture",
};

export interface StatementDetails extends WrittenDocument {
  /** The signed file's name, shown in the summary only (not stored). */
  fileName?: string;
}

/** A question with a Cancel button under it. */
async function ask(dialog: Dialog, deps: BotDeps, ctx: DialogContext, key: string): Promise<void> {
  const t = await dialogT(dialog, deps);
  await ctx.reply(t(key), { parse_mode: "HTML", reply_markup: new InlineKeyboard().text(t("admin:paper.cancel"), "pc:x") });
}

/** The answer to a question of `ask`, or null when Cancel was pressed (the dialog says so). */
async function answerTo(dialog: Dialog, deps: BotDeps, step: { text?: boolean; document?: boolean; hint: string }): Promise<DialogContext | null> {
  const answer = await waitStep(dialog, deps, { ...step, buttons: /^pc:x$/, own: /^pc:/ });
  if (!answer.callbackQuery) return answer;
  await answer.answerCallbackQuery();
  await dropButtons(answer);
  await answer.reply((await dialogT(dialog, deps))("admin:paper.cancelled"));
  return null;
}

/** Asks until `read` accepts the text (each refusal says why and counts as an unusable answer); null on Cancel. */
async function askText(dialog: Dialog, deps: BotDeps, ctx: DialogContext, key: string, read: (text: string) => Read<string>): Promise<string | null> {
  await ask(dialog, deps, ctx, key);
  for (;;) {
    const answer = await answerTo(dialog, deps, { text: true, hint: key });
    if (!answer) return null;
    const result = read(answer.message!.text!);
    if ("value" in result) return result.value;
    await unusableAnswer(dialog, deps, answer);
    await answer.reply((await dialogT(dialog, deps))(PROBLEM_KEYS[result.problem]), { parse_mode: "HTML" });
  }
}

/** The number, the date and (e-document) the signed file's SHA-256; null on Cancel. */
export async function askStatement(dialog: Dialog, deps: BotDeps, ctx: DialogContext, schoolId: string, form: "paper" | "edoc"): Promise<StatementDetails | null> {
  const number = await askText(dialog, deps, ctx, "admin:paper.askNumber", readStatementNumber);
  if (number === null) return null;
  const now = await dialogNow(dialog);
  const zone = await dialog.external(async () => (await School.findById(new Types.ObjectId(schoolId), { timezone: 1 }).lean())?.timezone ?? "Europe/Moscow");
  const today = schoolDay(now, zone);
  const date = await askText(dialog, deps, ctx, "admin:paper.askDate", (text) => readStatementDate(text, today));
  if (date === null) return null;
  if (form === "paper") return { number, date };
  await ask(dialog, deps, ctx, "admin:paper.askFile");
  for (;;) {
    const answer = await answerTo(dialog, deps, { document: true, hint: "admin:paper.askFile" });
    if (!answer) return null;
    const document = answer.message!.document!;
    const hashed = await dialog.external((outer) => fileSha256(outer, document.file_id, document.file_size));
    if (typeof hashed === "string") return { number, date, fileHash: hashed, fileName: document.file_name ?? "" };
    await unusableAnswer(dialog, deps, answer);
    await answer.reply((await dialogT(dialog, deps))(hashed.problem === "tooBig" ? "admin:paper.fileTooBig" : "admin:paper.fileFailed"), { parse_mode: "HTML" });
  }
}

/** Downloads the file from the Bot API and hashes it on the way; nothing is written to disk. */
async function fileSha256(ctx: BotContext, fileId: string, size: number | undefined): Promise<string | { problem: "tooBig" | "failed" }> {
  if (size !== undefined && size > BOT_FILE_LIMIT) return { problem: "tooBig" };
  const { config, logger } = ctx.deps;
  try {
    const file = await ctx.api.getFile(fileId);
    if (!file.file_path) return { problem: "failed" };
    const response = await fetch(`${config.TELEGRAM_API_ROOT}/file/bot${config.BOT_TOKEN}/${file.file_path}`);
    if (!response.ok || !response.body) throw new Error(`file download answered ${response.status}`);
    const hash = createHash("sha256");
    let read = 0;
    for await (const chunk of response.body) {
      read += (chunk as Uint8Array).length;
      if (read > BOT_FILE_LIMIT) return { problem: "tooBig" };
      hash.update(chunk as Uint8Array);
    }
    return hash.digest("hex");
  } catch (error) {
    // "file is too big" from getFile, a network failure: the admin may send it again.
    const tooBig = /too big/i.test((error as Error).message);
    logger.warn({ err: (error as Error).message.replace(/bot[^/\s]+/g, "bot…"), tooBig }, "statement file not downloaded");
    return { problem: tooBig ? "tooBig" : "failed" };
  }
}
