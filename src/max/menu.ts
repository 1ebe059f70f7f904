/**
 * The MAX bot's menu (issue 14). MAX has no persistent reply keyboard: the main views are inline
 * buttons under the bot's message, each a view button of the shared views (`v:<code>`, the child
 * chosen last), so they are handled — and checked on the server — like any view button.
 */
import type { Translate } from "../i18n";
import { encodeViewCallback } from "../bot/features/views/callback-data";
import { VIEWS } from "../bot/features/views";
import type { ViewName } from "../bot/features/views/types";
import type { MaxButton } from "./context";

/** The views on the menu, two a row: the ones the issue names for the MAX front end. */
export const MAX_MENU: readonly ViewName[] = ["grades", "homework", "schedule", "forecast", "finals", "recommendations"];

export function menuButtons(t: Translate): MaxButton[][] {
  const buttons: MaxButton[] = MAX_MENU.map((name) => ({
    type: "callback",
    text: t(`views:${name}.button`),
    payload: encodeViewCallback({ code: VIEWS.find((v) => v.name === name)!.code }),
  }));
  const rows: MaxButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}
