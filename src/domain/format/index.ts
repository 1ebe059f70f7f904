/** Pure text-building helpers for the bot's messages (no I/O, no i18n). */
export { splitMessage, splitLine, TELEGRAM_TEXT_LIMIT } from "./split";
export { firstNameOf, shortNameOf, surnameInitialOf } from "./names";
export { formatDecimal, formatScore, localDecimal, type FormatLanguage } from "./numbers";
export { formatDay, formatInstant, type DayPattern } from "./dates";
