/**
 * The school year 2026/27 of the test school (fixtures.ts): its people, timetable and calendar, and
 * the hand-made records tests check by value. Quarters and holidays as in most Russian schools.
 */

type ClassKey = "c7a" | "c3b";
type StudentKey = "maria" | "alex" | "petya";

const SUBJECTS = {
  rus: "Русский язык", lit: "Литература", alg: "Алгебра", geom: "Геометрия", inf: "Информатика", hist: "История",
  geo: "География", bio: "Биология", phys: "Физика", eng: "Английский язык", pe: "Физическая культура", music: "Музыка",
  read: "Литературное чтение", math: "Математика", world: "Окружающий мир", art: "Изобразительное искусство", tech: "Труд (технология)",
};

const TEACHERS: Record<string, { fullName: string; subjects: string[] }> = {
  sokolova: { fullName: "Соколова Ирина Петровна", subjects: ["rus", "lit"] },
  morozova: { fullName: "Морозова Елена Викторовна", subjects: ["rus", "read", "math", "world", "art", "tech"] },
  kuznetsov: { fullName: "Кузнецов Дмитрий Олегович", subjects: ["alg", "geom"] },
  volkova: { fullName: "Волкова Наталья Игоревна", subjects: ["phys", "inf"] },
  popova: { fullName: "Попова Светлана Юрьевна", subjects: ["hist"] },
  vasiliev: { fullName: "Васильев Андрей Михайлович", subjects: ["geo", "bio"] },
  eng1: { fullName: "Новикова Мария Александровна", subjects: ["eng"] },
  eng2: { fullName: "Фёдорова Ксения Олеговна", subjects: ["eng"] },
  pe: { fullName: "Козлов Игорь Викторович", subjects: ["pe"] },
  music: { fullName: "Зайцева Татьяна Павловна", subjects: ["music"] },
  lebedeva: { fullName: "Лебедева Ольга Андреевна", subjects: ["music"] },
  orlov: { fullName: "Орлов Павел Сергеевич", subjects: ["alg", "geom"] },
};

/** Lessons by weekday (1 = Monday .. 5 = Friday). In 7А English splits into two groups. */
const TIMETABLE: Record<ClassKey, Record<number, string[]>> = {
  c7a: {
    1: ["rus", "alg", "eng", "hist", "pe", "lit"],
    2: ["alg", "phys", "rus", "geo", "geom", "music"],
    3: ["rus", "eng", "alg", "bio", "hist", "inf"],
    4: ["geom", "rus", "phys", "lit", "eng", "pe"],
    5: ["alg", "geo", "rus", "hist", "lit", "geom"],
  },
  c3b: {
    1: ["rus", "math", "read", "world", "pe"],
    2: ["rus", "math", "eng", "art"],
    3: ["read", "math", "rus", "music", "pe"],
    4: ["rus", "math", "read", "tech"],
    5: ["read", "eng", "world", "pe"],
  },
};

const SUBJECT_TEACHER: Record<ClassKey, Record<string, string>> = {
  c7a: { rus: "sokolova", lit: "sokolova", alg: "kuznetsov", geom: "kuznetsov", phys: "volkova", inf: "volkova", hist: "popova", geo: "vasiliev", bio: "vasiliev", eng: "eng1", pe: "pe", music: "music" },
  c3b: { rus: "morozova", read: "morozova", math: "morozova", world: "morozova", art: "morozova", tech: "morozova", eng: "eng1", pe: "pe", music: "music" },
};

export interface HandMadeGrade {
  date: string;
  subject: string;
  value: string;
  weight: number;
  workType: string;
  comment?: string;
}

export interface SpecialFinal {
  period: string;
  student: StudentKey;
  subject: string;
  record: { status: "deferred" | "not_attested"; deferredUntil?: string; reason?: string };
}

const plus = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export const YEAR = {
  start: "2026-09-01",
  end: "2027-05-26",
  subjects: SUBJECTS as Record<string, string>,
  teachers: TEACHERS,
  timetable: TIMETABLE,
  subjectTeacher: SUBJECT_TEACHER,
  slots: [["08:30", "09:15"], ["09:25", "10:10"], ["10:30", "11:15"], ["11:35", "12:20"], ["12:30", "13:15"], ["13:25", "14:10"]] as Array<[string, string]>,
  rooms: { phys: "305", inf: "310", pe: "спортзал", music: "актовый зал", eng: "201" } as Record<string, string>,
  /** Subjects with assessments in the tests schedule (every 12th lesson). */
  tested: { c7a: ["alg", "rus", "phys", "geom", "hist"], c3b: ["rus", "math"] } as Record<ClassKey, string[]>,
  noHomework: ["pe", "music", "art"],
  periods: [
    { key: "q1", name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" },
    { key: "q2", name: "2 четверть", kind: "quarter", start: "2026-11-04", end: "2026-12-30" },
    { key: "q3", name: "3 четверть", kind: "quarter", start: "2027-01-12", end: "2027-03-22" },
    { key: "q4", name: "4 четверть", kind: "quarter", start: "2027-04-01", end: "2027-05-26" },
    { key: "year", name: "2026/27 учебный год", kind: "year", start: "2026-09-01", end: "2027-05-26" },
  ],
  holidays: [
    { name: "Осенние каникулы", start: "2026-10-26", end: "2026-11-03" },
    { name: "День народного единства", start: "2026-11-04", end: "2026-11-04" },
    { name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
    { name: "Дополнительные каникулы", start: "2027-02-15", end: "2027-02-21", classKeys: ["c3b"] as ClassKey[] },
    { name: "Весенние каникулы", start: "2027-03-23", end: "2027-03-31" },
    { name: "Летние каникулы", start: "2027-05-27", end: "2027-08-31" },
  ] as Array<{ name: string; start: string; end: string; classKeys?: ClassKey[] }>,

  /** The topic of the n-th assessment of a subject. */
  testTopic(subject: string, n: number): string {
    const topics: Record<string, string[]> = {
      alg: ["Линейные уравнения", "Степень с натуральным показателем", "Многочлены", "Формулы сокращённого умножения", "Линейная функция", "Системы уравнений"],
      geom: ["Начальные геометрические сведения", "Треугольники", "Параллельные прямые", "Соотношения в треугольнике"],
      rus: ["Причастие", "Причастный оборот", "Деепричастие", "Наречие", "Предлог", "Союз", "Частица", "Повторение"],
      phys: ["Строение вещества", "Механическое движение", "Плотность вещества", "Силы в природе"],
      hist: ["Великие географические открытия", "Реформация", "Смутное время", "Россия при первых Романовых"],
      math: ["Сложение и вычитание", "Умножение", "Деление", "Задачи на движение", "Площадь"],
    };
    const list = topics[subject] ?? ["Итоговая проверка"];
    return list[(n - 1) % list.length];
  },

  /** A value for a random draw r in [0, 1): 2s are rare, 4s common; "Труд" is pass/fail. */
  gradeOf(subject: string, r: number): string {
    if (subject === "tech") return r < 0.05 ? "незачёт" : "зачёт";
    return r < 0.06 ? "2" : r < 0.3 ? "3" : r < 0.65 ? "4" : "5";
  },

  /**
   * Мария's grades of the current week (Monday `monday` on) and her only two physics grades of
   * the second quarter (so physics is at risk of "not attested": fewer than 3 grades).
   */
  mariaGrades(monday: string, q2Start: string): HandMadeGrade[] {
    return [
      { date: plus(q2Start, 8), subject: "phys", value: "5", weight: 1, workType: "ответ на уроке" },
      { date: monday, subject: "alg", value: "5", weight: 1, workType: "ответ на уроке" },
      { date: monday, subject: "rus", value: "4", weight: 2, workType: "диктант", comment: "Две ошибки на безударные гласные" },
      { date: plus(monday, 1), subject: "phys", value: "4", weight: 1, workType: "лабораторная работа" },
      { date: plus(monday, 1), subject: "geo", value: "3", weight: 1, workType: "ответ на уроке", comment: "Ответ <неполный> & без вывода" },
      { date: plus(monday, 2), subject: "hist", value: "5", weight: 3, workType: "контрольная работа" },
      { date: plus(monday, 3), subject: "eng", value: "5", weight: 1, workType: "ответ на уроке" },
      { date: plus(monday, 4), subject: "alg", value: "2", weight: 2, workType: "самостоятельная работа" },
    ];
  },

  specialFinals: [
    { period: "q1", student: "maria", subject: "phys", record: { status: "deferred", deferredUntil: "2026-11-20", reason: "по болезни" } },
    { period: "q1", student: "alex", subject: "music", record: { status: "not_attested", reason: "пропущено больше половины уроков" } },
  ] as SpecialFinal[],

  exams: [
    { student: "alex", name: "Входная диагностика по русскому языку", date: "2026-09-15", score: 8, maxScore: 10, value: "4" },
    { student: "maria", name: "ВПР по математике", date: "2026-10-08", score: 14, maxScore: 19, value: "4" },
    { student: "petya", name: "ВПР по математике", date: "2026-10-08", score: 10, maxScore: 19, value: "3" },
    { student: "maria", name: "Региональная диагностика по физике", date: "2026-11-26", score: 9, maxScore: 15, value: "3" },
  ] as Array<{ student: StudentKey; name: string; date: string; score: number; maxScore: number; value: string }>,

  recommendations(today: string) {
    const at = (daysBefore: number) => new Date(`${plus(today, -daysBefore)}T12:00:00Z`);
    return [
      { teacher: "volkova", classKey: "c7a" as ClassKey, student: "maria" as StudentKey, subject: "phys", text: "Принести тетрадь для лабораторных работ.", createdAt: new Date("2026-09-20T12:00:00Z") },
      { teacher: "sokolova", classKey: "c7a" as ClassKey, subject: "lit", text: "Прочитать «Капитанскую дочку» к 15 декабря.", createdAt: at(6) },
      { teacher: "morozova", classKey: "c3b" as ClassKey, subject: "read", text: "Выучить стихотворение к понедельнику.", createdAt: at(3) },
      { teacher: "kuznetsov", classKey: "c7a" as ClassKey, student: "maria" as StudentKey, subject: "alg", text: "Повторить формулы сокращённого умножения перед контрольной.", createdAt: at(2) },
      { teacher: "kuznetsov", classKey: "c7a" as ClassKey, student: "petya" as StudentKey, subject: "alg", text: "Пётр, нужно пересдать самостоятельную работу.", createdAt: at(1) },
    ].filter((r) => r.createdAt.toISOString().slice(0, 10) <= today);
  },
};

export type Year = typeof YEAR;
