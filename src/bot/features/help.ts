import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { BotFeature } from "../feature";
import { escapeHtml } from "../../domain/html";

/** /help lists the commands of every feature wired into the bot, in the user's language. */
export function helpFeature(commandsOf: () => string[]): BotFeature {
  const composer = new Composer<BotContext>();
  composer.command("help", async (ctx) => {
    const lines = commandsOf().map((command) => `/${command} — ${escapeHtml(ctx.t(`commands.${command}`))}`);
    await ctx.reply([ctx.t("help.title"), "", ctx.t("help.commands"), ...lines, "", ctx.t("help.footer")].join("\n"), {
      parse_mode: "HTML",
    });
  });
  return { name: "help", composer, commands: ["help"] };
}
