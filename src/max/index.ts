/**
 * The MAX messenger front end (issue 14), started by the `bot` role when MAX_BOT_TOKEN is set: its
 * own client, long polling, the router. Off without the token.
 */
import type { Config } from "../config";
import type { Logger } from "../logger";
import { createI18n } from "../i18n";
import type { CodeAlarm } from "../services/code-alarm";
import { createMaxApi } from "./api";
import type { MaxDeps } from "./context";
import { startMaxPolling, type MaxPoller } from "./poller";

export function startMaxFrontEnd(input: { config: Config; logger: Logger; codeAlarm?: CodeAlarm }): MaxPoller | null {
  const { config, logger } = input;
  if (!config.MAX_BOT_TOKEN) return null;
  const deps: MaxDeps = {
    config, logger, i18n: createI18n(config.DEFAULT_LOCALE), now: () => new Date(), codeAlarm: input.codeAlarm,
    api: createMaxApi(config.MAX_BOT_TOKEN, config.MAX_API_ROOT),
  };
  logger.info("MAX bot receives updates by long polling");
  return startMaxPolling(deps);
}
