/** Words of time, normalized (lower case, ё -> е). Stems end with "*" as in patterns.ts. */

/** Day words and their offset from today. Multi-word English phrases are listed separately. */
export const DAY_OFFSET_WORDS: readonly [string, number][] = [
  ["сегодня", 0],
  ["сегодняшн*", 0],
  ["седня", 0],
  ["завтра", 1],
  ["завтрашн*", 1],
  ["послезавтра", 2],
  ["вчера", -1],
  ["вчерашн*", -1],
  ["позавчера", -2],
  ["today", 0],
  ["tonight", 0],
  ["todays", 0],
  ["tomorrow", 1],
  ["tomorrows", 1],
  ["tmrw", 1],
  ["yesterday", -1],
  ["yesterdays", -1],
];

export const DAY_OFFSET_PHRASES: readonly [string, number][] = [
  ["day after tomorrow", 2],
  ["day before yesterday", -2],
];

/** ISO weekday (1 = Monday) -> its written forms. */
export const WEEKDAY_FORMS: Readonly<Record<number, readonly string[]>> = {
  1: ["понедельник", "понедельника", "понедельнику", "понедельником", "понедельнике", "пн", "monday"],
  2: ["вторник", "вторника", "вторнику", "вторником", "вторнике", "вт", "tuesday"],
  3: ["среда", "среду", "среды", "среде", "средой", "ср", "wednesday"],
  4: ["четверг", "четверга", "четвергу", "четвергом", "четверге", "чт", "thursday"],
  5: ["пятница", "пятницу", "пятницы", "пятнице", "пятницей", "пт", "friday"],
  6: ["суббота", "субботу", "субботы", "субботе", "субботой", "сб", "saturday"],
  7: ["воскресенье", "воскресенья", "воскресенью", "воскресеньем", "вс", "sunday"],
};

/** Month number -> written forms (English "may" only counts next to a day number or after "in"). */
export const MONTH_FORMS: Readonly<Record<number, readonly string[]>> = {
  1: ["январь", "января", "январе", "январю", "january", "jan"],
  2: ["февраль", "февраля", "феврале", "февралю", "february", "feb"],
  3: ["март", "марта", "марте", "марту", "march", "mar"],
  4: ["апрель", "апреля", "апреле", "апрелю", "april", "apr"],
  5: ["май", "мая", "мае", "маю", "may"],
  6: ["июнь", "июня", "июне", "июню", "june", "jun"],
  7: ["июль", "июля", "июле", "июлю", "july", "jul"],
  8: ["август", "августа", "августе", "августу", "august", "aug"],
  9: ["сентябрь", "сентября", "сентябре", "сентябрю", "september", "sep", "sept"],
  10: ["октябрь", "октября", "октябре", "октябрю", "october", "oct"],
  11: ["ноябрь", "ноября", "ноябре", "ноябрю", "november", "nov"],
  12: ["декабрь", "декабря", "декабре", "декабрю", "december", "dec"],
};

/** Words that shift a week, weekday, month or period: this / next / last. */
export type Shift = "this" | "next" | "last";
export const SHIFT_WORDS: readonly [string, Shift][] = [
  ["эт*", "this"],
  ["текущ*", "this"],
  ["нынешн*", "this"],
  ["ближайш*", "this"],
  ["this", "this"],
  ["current", "this"],
  ["следующ*", "next"],
  ["след", "next"],
  ["будущ*", "next"],
  ["next", "next"],
  ["coming", "next"],
  ["прошл*", "last"],
  ["предыдущ*", "last"],
  ["прошедш*", "last"],
  ["last", "last"],
  ["previous", "last"],
  ["past", "last"],
];

export const WEEK_WORDS = ["недел*", "неделька", "week", "weeks"];
export const MONTH_WORDS = ["месяц*", "month"];

export type PeriodName = "quarter" | "trimester" | "half";
/** Reporting periods. "четверть" has its own forms: "четвертн*" is the adjective of finals. */
export const PERIOD_WORDS: readonly [string, PeriodName | null][] = [
  ["четверть", "quarter"],
  ["четверти", "quarter"],
  ["четвертью", "quarter"],
  ["четвертей", "quarter"],
  ["четверточк*", "quarter"],
  ["триместр*", "trimester"],
  ["полугоди*", "half"],
  ["семестр*", "half"],
  ["период*", null],
  ["quarter", "quarter"],
  ["trimester", "trimester"],
  ["semester", "half"],
  ["term", null],
];

export const YEAR_WORDS = ["год", "года", "году", "годом", "year"];

/** Prepositions that tie a time word to the question ("с 1 по 5 декабря", "from ... to"). */
export const RANGE_START_WORDS: ReadonlySet<string> = new Set(["с", "со", "from", "between"]);
export const RANGE_END_WORDS: ReadonlySet<string> = new Set(["по", "до", "to", "till", "until", "and"]);
/** Ordinal words after an English day number: "12th of December". */
export const FILLER_WORDS: ReadonlySet<string> = new Set(["of", "the", "on", "in", "в", "на", "за", "к", "ко"]);
