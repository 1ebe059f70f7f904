/**
 * `npm run --silent paper-consent -- --school <id> --guardian <externalId> --decision granted|declined|withdrawn
 * --form paper|edoc [--signer-account <accountId|telegramId>] [--note "<statement no.>"] [--email <address>]
 * [--phone <number>] [--number <statement no.> --date YYYY-MM-DD [--file <signed e-document>]] [--json]`: registers a decision a guardian gave on paper or through an electronic
 * document system (with the contacts the statement hands over), as the bot's /paperconsent does.
 * The decision is the guardian record's (the record person's); `--signer-account` says that the
 * signer is also that bot account (one acting for the record), whose processing it then governs too
 * (a written withdrawal stops it). Without it, the accounts acting for the record keep their own
 * decisions: the output says how many there are. `--number` and `--date` record the written
 * statement (as the web console does); for an e-document, `--file` is the signed file, of which only
 * the SHA-256 is stored (read as a stream, never copied).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Types } from "mongoose";
import { CONSENT_DECISIONS, Guardian, type ConsentDecision } from "../db/models";
import { createI18n, translator } from "../i18n";
import { findSchool } from "../services/schools";
import { PAPER_FORMS, PaperConsentError, accountsOfRecord, registerPaperDecision, type PaperForm } from "../services/paper-consent";
import { formatTable, InputError, option, refusalsAsInput, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent paper-consent -- --school <schoolId> --guardian <externalId> --decision ${CONSENT_DECISIONS.join("|")} --form ${PAPER_FORMS.join("|")} [--signer-account <accountId|telegramId>] [--note "<text>"] [--email <address>] [--phone <number>] [--number <statement no.> --date YYYY-MM-DD [--file <signed e-document>]] [--json]`;

void runCli(USAGE, { values: ["school", "guardian", "decision", "form", "note", "email", "phone", "signer-account", "number", "date", "file"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  const guardianExternalId = option(ctx.args, "guardian", true);
  const decision = option(ctx.args, "decision", true);
  const form = option(ctx.args, "form", true);
  if (!(CONSENT_DECISIONS as readonly string[]).includes(decision)) throw new UsageError(`--decision must be one of ${CONSENT_DECISIONS.join(", ")}`);
  if (!(PAPER_FORMS as readonly string[]).includes(form)) throw new UsageError(`--form must be one of ${PAPER_FORMS.join(", ")}`);
  const email = option(ctx.args, "email");
  const phone = option(ctx.args, "phone");
  if ((email !== undefined || phone !== undefined) && decision !== "granted") throw new UsageError("--email and --phone go with --decision granted");
  const signer = option(ctx.args, "signer-account")?.trim();
  if (signer !== undefined && !/^([0-9a-f]{24}|\d{1,20})$/i.test(signer)) throw new UsageError("--signer-account takes an account id (24 hex digits) or a Telegram user id (digits)");
  const number = option(ctx.args, "number");
  const date = option(ctx.args, "date");
  const file = option(ctx.args, "file");
  if ((number === undefined) !== (date === undefined)) throw new UsageError("--number and --date go together (the written statement's number and date)");
  if (file !== undefined && (form !== "edoc" || number === undefined)) throw new UsageError("--file goes with --form edoc, --number and --date");
  const fileHash = file !== undefined ? await sha256Of(file) : undefined;
  await ctx.connectDb();
  const school = await findSchool(schoolId);
  const guardian = await Guardian.findOne({ schoolId: school._id, externalId: guardianExternalId }, { _id: 1 }).lean();
  if (!guardian) throw new InputError(`Guardian "${guardianExternalId}" not found`);
  let signerAccountId: Types.ObjectId | undefined;
  if (signer !== undefined) {
    const acting = await accountsOfRecord(school._id, guardian._id);
    const found = acting.find((a) => a.id === signer.toLowerCase() || String(a.telegramId) === signer);
    if (!found) throw new InputError(`Account "${signer}" does not act for guardian "${guardianExternalId}" (accounts acting for it: ${acting.length})`);
    signerAccountId = new Types.ObjectId(found.id);
  }
  const result = await refusalsAsInput(PaperConsentError, () =>
    registerPaperDecision({
      schoolId: school._id, guardianId: guardian._id, decision: decision as ConsentDecision, form: form as PaperForm,
      t: translator(createI18n("ru"), "ru"), now: new Date(), note: option(ctx.args, "note"), contacts: { email, phone }, signerAccountId,
      ...(number !== undefined ? { document: { number, date: date!, ...(fileHash ? { fileHash } : {}) } } : {}),
    }),
  );
  const json = {
    recordId: result.recordId, guardianExternalId, decision, form, signerAccountId: signerAccountId ? String(signerAccountId) : null,
    unlinkedAccounts: result.unlinkedAccounts, otherAccounts: result.otherAccounts,
  };
  return { json, text: formatTable([json]) };
});

/** The file's SHA-256, read as a stream (a signed e-document may be large); a file that cannot be read is one clear line. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    throw new InputError(`Cannot read --file "${path}"`);
  }
  return hash.digest("hex");
}
