/**
 * Words that reveal what a guardian asks about, in Russian and English, in the pattern language of
 * patterns.ts ("оценк*" = stem with endings, "дз" = exact word, "кто вед*" = phrase). The number
 * is the word's strength: 3 names the view outright, 2 strongly suggests it, 1 is a hint.
 */

export const INTENTS = [
  "grades",
  "forecast",
  "homework",
  "schedule",
  "tests",
  "teachers",
  "holidays",
  "recommendations",
  "finals",
  "help",
] as const;
export type KnownIntent = (typeof INTENTS)[number];

/** Ties between intents go to the earlier one: the more specific views come first. */
export const INTENT_PRIORITY: readonly KnownIntent[] = [
  "finals",
  "forecast",
  "tests",
  "homework",
  "grades",
  "schedule",
  "recommendations",
  "teachers",
  "holidays",
  "help",
];

export type GradeValueFilter = "5" | "4" | "3" | "2";

export interface IntentWord {
  phrase: string;
  intent: KnownIntent;
  strength: number;
  /** "двойки" asks for the 2s only. */
  gradeValue?: GradeValueFilter;
}

const words = (intent: KnownIntent, strength: number, phrases: string): IntentWord[] =>
  phrases.split(",").map((phrase) => ({ phrase: phrase.trim(), intent, strength }));

const gradeWords = (value: GradeValueFilter, phrases: string): IntentWord[] =>
  words("grades", 3, phrases).map((w) => ({ ...w, gradeValue: value }));

export const INTENT_WORDS: readonly IntentWord[] = [
  ...words("grades", 3, "оценк*, оценок, отметк*, отметок, успеваемост*, grades, marks"),
  ...words("grades", 2, "получил*, поставил*, ставил*, балл*, grade, mark, scores, got"),
  ...words("grades", 1, "журнал*, get, doing"),
  ...gradeWords("2", "двойк*, двоек, двояк*, fails, twos"),
  ...gradeWords("3", "тройк*, троек, трояк*, threes"),
  ...gradeWords("4", "четверк*, четверок, fours"),
  ...gradeWords("5", "пятерк*, пятерок, fives"),

  ...words("homework", 4, "как* урок* задал*, урок* задал*"),
  ...words("homework", 3, "домашк*, дз, домашн* задани*, homework, hw, homeworks"),
  ...words("homework", 2, "задан*, задал*, задают, задает, домашн*, assignment, assignments, assigned, due"),
  ...words("homework", 1, "упражнени*, параграф*, выучить, учить, сделать, подготовить"),

  ...words("schedule", 3, "расписани*, как* урок*, сколько урок*, перв* урок*, timetable, schedule"),
  ...words("schedule", 2, "во сколько, звонк*, кабинет*, замен*, отмен*, what time, room, substitution, substitutions, cancelled, canceled"),
  ...words("schedule", 1, "урок*, перенес*, перенос*, начинается, lessons, lesson, classes"),

  ...words("tests", 3, "контрольн*, контрош*, кр, проверочн*, самостоятельн*, самостоялк*, диктант*, впр"),
  ...words("tests", 3, "test, tests, quiz, quizzes, exam, exams, assessment, assessments, dictation"),
  ...words("tests", 2, "тест*, сочинени*, изложени*, срез*, экзамен*, огэ, егэ, essay"),

  ...words("forecast", 3, "прогноз*, forecast, forecasts, prediction, predicted, predict, projected"),
  ...words("forecast", 3, "выйдет, выходит, светит"),
  ...words("forecast", 2, "средн* балл*, average, averages"),
  ...words("forecast", 1, "средн*, получится, исправить, шанс*, chance, chances"),

  ...words("finals", 3, "итогов*, четвертн*, годов*, триместров*, полугодов*, final, finals, report card"),
  ...words("finals", 2, "аттестаци*, неаттестаци*, аттестован*, результат* экзамен*, exam results, results"),

  ...words("teachers", 3, "учител*, учительниц*, училк*, преподавател*, препод*, кто ведет, кто ведут, кто преподает"),
  ...words("teachers", 3, "классн* руководител*, классрук*, teacher, teachers, who teaches, homeroom, tutor"),
  ...words("teachers", 2, "руководител*, классн*"),

  ...words("holidays", 3, "каникул*, holiday, holidays, vacation, vacations"),
  ...words("holidays", 2, "праздник*, праздничн*, break, breaks, halfterm"),
  ...words("holidays", 1, "выходн*, отдых*, отдыхаем, зимн*, осенн*, весенн*, летн*, winter, autumn, spring, summer"),

  ...words("recommendations", 3, "рекомендаци*, recommendation, recommendations"),
  ...words("recommendations", 3, "рекомендует, рекомендуют, советует, советуют, замечани*, advice, tips, feedback, remarks"),
  ...words("recommendations", 2, "рекомендовал*, совет*, отзыв*"),
  ...words("recommendations", 1, "пожелани*, comments"),

  ...words("help", 3, "помощь, помоги*, помогите, справк*, что умеешь, help, what can you do, commands"),
  ...words("help", 2, "умеешь, команд*, меню, menu, start"),
];

/** Words of the future: "какая будет четвертная" is a forecast, "будет ли физра" a timetable question. */
export const FUTURE_WORDS: ReadonlySet<string> = new Set([
  "будет",
  "будут",
  "выйдет",
  "выйдут",
  "выходит",
  "получится",
  "светит",
  "ожидается",
  "есть",
  "will",
  "gonna",
  "going",
]);

/** Words that carry no slot: they are neither used nor reported as misunderstood. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "а ах бы был была были было в во вообще вот все всё где да дай дайте для до его ее еще её же за и из или их " +
    "к как какая какие каким каких какое какой каку какую когда ко кто ли ль между мне мной мои мой моего моей моя моих " +
    "мы на нам нас наш наша наше наши не нет ну о об обо он она они от по под подскажи подскажите покажи покажите " +
    "пожалуйста плиз плз привет здравствуйте добрый день вечер утро доброе спасибо про с со сейчас скажи скажите " +
    "сколько там то тоже у уже хочу хотим хотела хотел узнать посмотреть можно что чего чем что-то это этот эта эти " +
    "сын сына сыну сыном дочь дочери дочка дочки дочке дочку ребенок ребенка ребенку дети детей детям нашего нашей " +
    "ребят ребята как-то какие-нибудь что-нибудь список все-таки вся всего всем всех предмет предмета предметы " +
    "предметов предметам предметах ты вы работа работы работу зовут дней дня день начнутся начнется начинаются " +
    "следующая следующий следующее следующую среди через после перед около кроме также только очень всегда " +
    "никогда почему зачем потому теперь ничего нибудь разве неужели может могу можете нужно надо " +
    "a an and are at be by can could did do does for from have has how i in is it its me my of on or our please " +
    "show tell the there this to was were what whats when where which who with you your kid kids son daughter child " +
    "children about any list let see hello hi hey thanks"
  ).split(/\s+/).map((w) => w.replace(/ё/g, "е").replace(/-/g, "")),
);
