import type { Composer } from "grammy";
import type { BotContext } from "./context";

/** One capability of the bot: its handlers and the commands it adds to Telegram's menu. */
export interface BotFeature {
  name: string;
  composer: Composer<BotContext>;
  /** Commands shown in Telegram's menu; each is described by the locale key `commands.<name>`. */
  commands?: string[];
}
