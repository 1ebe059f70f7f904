/**
 * `npm run --silent paper-consent -- --school <id> --guardian <externalId> --decision granted|declined|withdrawn
 * --form paper|edoc [--note "<statement no.>"] [--email <address>] [--phone <number>] [--json]`: registers a
 * decision a guardian gave on paper or through an electronic document system (with the contacts
 * the statement hands over), as the bot's /paperconsent does.
 */
import { CONSENT_DECISIONS, Guardian, type ConsentDecision } from "../db/models";
import { createI18n, translator } from "../i18n";
import { findSchool } from "../services/schools";
import { PAPER_FORMS, PaperConsentError, registerPaperDecision, type PaperForm } from "../services/paper-consent";
import { formatTable, InputError, option, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent paper-consent -- --school <schoolId> --guardian <externalId> --decision ${CONSENT_DECISIONS.join("|")} --form ${PAPER_FORMS.join("|")} [--note "<text>"] [--email <address>] [--phone <number>] [--json]`;

void runCli(USAGE, { values: ["school", "guardian", "decision", "form", "note", "email", "phone"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  const guardianExternalId = option(ctx.args, "guardian", true);
  const decision = option(ctx.args, "decision", true);
  const form = option(ctx.args, "form", true);
  if (!(CONSENT_DECISIONS as readonly string[]).includes(decision)) throw new UsageError(`--decision must be one of ${CONSENT_DECISIONS.join(", ")}`);
  if (!(PAPER_FORMS as readonly string[]).includes(form)) throw new UsageError(`--form must be one of ${PAPER_FORMS.join(", ")}`);
  const email = option(ctx.args, "email");
  const phone = option(ctx.args, "phone");
  if ((email !== undefined || phone !== undefined) && decision !== "granted") throw new UsageError("--email and --phone go with --decision granted");
  await ctx.connectDb();
  const school = await findSchool(schoolId);
  const guardian = await Guardian.findOne({ schoolId: school._id, externalId: guardianExternalId }, { _id: 1 }).lean();
  if (!guardian) throw new InputError(`Guardian "${guardianExternalId}" not found`);
  let result;
  try {
    result = await registerPaperDecision({
      schoolId: school._id, guardianId: guardian._id, decision: decision as ConsentDecision, form: form as PaperForm,
      t: translator(createI18n("ru"), "ru"), now: new Date(), note: option(ctx.args, "note"), contacts: { email, phone },
    });
  } catch (error) {
    if (error instanceof PaperConsentError) throw new InputError(error.message);
    throw error;
  }
  const json = { recordId: result.recordId, guardianExternalId, decision, form, unlinkedAccounts: result.unlinkedAccounts };
  return { json, text: formatTable([json]) };
});
