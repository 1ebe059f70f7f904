/**
 * `npm run --silent school:settings -- --school <id> [--set key=value ...] [--json]`: prints the
 * school's settings (dotted keys, src/domain/school-settings.ts); with `--set`, changes them first,
 * all or nothing. An unknown key or an invalid value exits 1 with one line naming it, and nothing is
 * changed. Every change is in the audit log with actor `cli school:settings`.
 */
import { formatSetting, SCHOOL_SETTINGS, settingErrorText, splitAssignment, type SettingChange, type SettingValue } from "../domain/school-settings";
import { changeSchoolSettings, schoolSettings, type SchoolSettingsView } from "../services/school-settings";
import { formatTable, InputError, option, runCli, UsageError } from "./common";

const USAGE = `Usage: npm run --silent school:settings -- --school <schoolId> [--set key=value ...] [--json]
Keys: ${SCHOOL_SETTINGS.map((s) => s.key).join(", ")}`;

const ACTOR = { kind: "cli" as const, name: "school:settings" };

/** A table cell: one line, at most 70 characters (the JSON has the whole value). */
function cell(value: SettingValue): string {
  const text = formatSetting(value).replace(/\s*\n\s*/g, " ⏎ ");
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function output(view: SchoolSettingsView, changes: SettingChange[] | null, consentVersion: { before: string; after: string } | null) {
  const json = {
    schoolId: view.schoolId,
    consentVersion: view.consentVersion,
    settings: view.values,
    ...(changes ? { changed: changes } : {}),
  };
  const rows = SCHOOL_SETTINGS.map((s) => ({ group: s.group, key: s.key, value: cell(view.values[s.key]) }));
  let text = formatTable(rows) + `\nconsent text version: ${view.consentVersion}\n`;
  if (changes) {
    text += changes.length
      ? `\nChanged:\n${changes.map((c) => `  ${c.key}: ${cell(c.before) || "(empty)"} -> ${cell(c.after) || "(empty)"}`).join("\n")}\n`
      : "\nNothing changed: the values were already so.\n";
    if (consentVersion) text += `The consent text has a new version (${consentVersion.before} -> ${consentVersion.after}): guardians who agreed in the bot are asked again.\n`;
  }
  return { json, text };
}

void runCli(USAGE, { values: ["school"], repeated: ["set"] }, async (ctx) => {
  const schoolId = option(ctx.args, "school", true);
  if (ctx.args.positional.length) throw new UsageError(`unexpected argument ${ctx.args.positional[0]}`);
  const given = (ctx.args.lists.get("set") ?? []).map((arg) => {
    const pair = splitAssignment(arg);
    if (!pair) throw new UsageError(`--set needs key=value, got ${JSON.stringify(arg)}`);
    return pair;
  });
  await ctx.connectDb();
  if (!given.length) return output(await schoolSettings(schoolId), null, null);
  const result = await changeSchoolSettings({ schoolId, given, actor: ACTOR, now: new Date() });
  if (result.status === "invalid") throw new InputError(`Nothing changed: ${result.errors.map(settingErrorText).join("; ")}`);
  return output(result.view, result.changes, result.consentVersion);
});
