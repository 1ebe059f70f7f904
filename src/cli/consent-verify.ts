/**
 * `npm run --silent consent:verify -- [--school <id>] [--json]`: checks the hash chains of the consent
 * records (issue #16.8). Every record must carry the hash of the previous record of the same person
 * and school and its own hash over its content; a record changed, removed or slipped in outside the
 * application breaks its chain. Prints the counts (and, with --json, each chain's last hash: keep a
 * copy elsewhere to notice later that a chain's last record was removed), and exits 1 naming the
 * first broken record.
 */
import { verifyConsentChains } from "../services/consent-records";
import { findSchool } from "../services/schools";
import { formatTable, option, runCli } from "./common";

const USAGE = "Usage: npm run --silent consent:verify -- [--school <schoolId>] [--json]";

void runCli(USAGE, { values: ["school"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school");
  await ctx.connectDb();
  const school = schoolId ? await findSchool(schoolId) : null;
  const report = await verifyConsentChains(school?._id);
  const first = report.broken[0];
  if (first) {
    console.error(`Consent records: chain broken at record ${first.id} (${first.chain || "no chain"}${first.seq === null ? "" : `, #${first.seq}`}): ${first.problem}; ${report.broken.length} chain(s) broken`);
    process.exitCode = 1;
  }
  const json = { ok: !first, records: report.records, chains: report.chains, broken: report.broken, heads: report.heads };
  const summary = formatTable([{ records: report.records, chains: report.chains, broken: report.broken.length }]);
  const details = report.broken.length ? `\n${formatTable(report.broken.map((b) => ({ record: b.id, chain: b.chain, seq: b.seq ?? "", problem: b.problem })))}` : "";
  return { json, text: summary + details };
});
