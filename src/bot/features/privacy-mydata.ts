/**
 * /mydata: everything stored about the account (152-FZ art. 14), as a readable message and as a
 * JSON document with the same content. The journal's records it acts for appear masked: they may
 * describe another person.
 */
import { InputFile } from "grammy";
import { escapeHtml } from "../../domain/html";
import { splitLongText } from "../../domain/consent";
import { collectMyData, type MyData } from "../../services/privacy";
import type { BotContext } from "../context";

const day = (iso?: string) => (iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "—");

export function formatMyData(t: BotContext["t"], data: MyData): string {
  const e = (v: unknown) => escapeHtml(v === undefined || v === null || v === "" ? "—" : String(v));
  const out: string[] = [t("privacy:mydata.title"), ""];
  const values = { language: data.account.language, since: day(data.account.createdAt) };
  if (data.account.telegramId !== undefined) out.push(t("privacy:mydata.account", { id: data.account.telegramId, ...values }));
  else if (data.account.maxUserId !== undefined) out.push(t("privacy:mydata.accountMax", { id: data.account.maxUserId, ...values }));
  if (data.account.telegramId !== undefined && data.account.maxUserId !== undefined) out.push(t("privacy:mydata.alsoMax", { id: data.account.maxUserId }));
  for (const r of data.account.roles) out.push(`• ${t(`privacy:roles.${r.role}`)}: ${e(r.school)} (${day(r.grantedAt)})`);
  if (data.account.codeEntry.recentWrongCodes || data.account.codeEntry.lockedUntil) {
    out.push(t("privacy:mydata.codeEntry", { count: data.account.codeEntry.recentWrongCodes, until: day(data.account.codeEntry.lockedUntil) }));
  }
  out.push("", t("privacy:mydata.consents"));
  if (!data.consents.length) out.push(t("privacy:mydata.nothing"));
  for (const c of data.consents) {
    const statement = c.document ? `, ${t("privacy:mydata.statement", { number: e(c.document.number), date: c.document.date })}` : "";
    out.push(`• ${day(c.recordedAt)} — ${e(c.school)}: ${t(`privacy:decisions.${c.decision}`)} (${t(`privacy:forms.${c.form}`)}${statement}, ${e(c.textVersion)}, sha256 ${c.textHash.slice(0, 12)}…)`);
  }
  out.push("", t("privacy:mydata.children"));
  if (!data.children.length) out.push(t("privacy:mydata.nothing"));
  for (const c of data.children) out.push(`• ${e(c.name)}, ${e(c.class)} — ${e(c.school)} (${day(c.linkedAt)})`);
  out.push("", t("privacy:mydata.own"));
  out.push(`• ${t("privacy:mydata.channels")}: ${data.account.channelOrder.join(" → ")}`);
  for (const c of data.account.contacts) out.push(`• ${e(c.value)} (${t(`settings:sources.${c.source}`)}${c.verifiedAt ? `, ${t("privacy:mydata.verified")}` : ""})`);
  out.push("", t("privacy:mydata.journal"));
  if (!data.journalRecords.length) out.push(t("privacy:mydata.nothing"));
  for (const g of data.journalRecords) {
    const contacts = g.contacts.map((c) => e(c.value)).join(", ");
    out.push(`• ${e(g.school)}: ${e(g.name)}${g.fromJournal ? "" : ` (${t("privacy:mydata.notFromJournal")})`}${contacts ? `; ${contacts}` : ""}`);
  }
  if (data.pendingEmailChecks.length) {
    out.push("", t("privacy:mydata.pendingEmail"));
    for (const v of data.pendingEmailChecks) out.push(`• ${e(v.email)} (${day(v.expiresAt)})`);
  }
  out.push("", t("privacy:mydata.codes"));
  if (!data.codesRedeemed.length) out.push(t("privacy:mydata.nothing"));
  for (const c of data.codesRedeemed) out.push(`• ${t(`privacy:roles.${c.role}`)}: ${e(c.school)} (${day(c.usedAt)})`);
  out.push("", t("privacy:mydata.messages", { count: data.recentMessages.length }));
  out.push("", t("privacy:mydata.footer"));
  return out.join("\n");
}

export async function sendMyData(ctx: BotContext): Promise<void> {
  if (!ctx.account) {
    await ctx.reply(ctx.t("privacy:notStarted"));
    return;
  }
  const data = await collectMyData(ctx.account);
  // HTML may not be cut inside a tag: the parts are split at line breaks, and each line is whole.
  for (const part of splitLongText(formatMyData(ctx.t, data))) await ctx.reply(part, { parse_mode: "HTML" });
  const json = Buffer.from(JSON.stringify(data, null, 2), "utf8");
  await ctx.replyWithDocument(new InputFile(json, "mydata.json"), { caption: ctx.t("privacy:mydata.document") });
}
