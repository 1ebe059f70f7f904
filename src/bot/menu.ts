/**
 * The persistent main menu (a reply keyboard) with the most used views. A button press arrives as
 * plain text, so handlers match the label in either language (a user may switch /language while an
 * old keyboard is still on screen).
 */
import { Keyboard } from "grammy";
import type { i18n } from "i18next";
import { LANGUAGES, type Translate } from "../i18n";

export const MENU_BUTTONS = ["grades", "homework", "schedule", "forecast", "more"] as const;
export type MenuButton = (typeof MENU_BUTTONS)[number];

export function mainMenu(t: Translate): Keyboard {
  return new Keyboard()
    .text(t("menu.grades")).text(t("menu.homework")).row()
    .text(t("menu.schedule")).text(t("menu.forecast")).row()
    .text(t("menu.more"))
    .resized()
    .persistent();
}

/** Every label of a button, in all languages, for `composer.hears(...)`. */
export function menuLabels(instance: i18n, button: MenuButton): string[] {
  return LANGUAGES.map((lang) => instance.getFixedT(lang)(`menu.${button}`));
}
