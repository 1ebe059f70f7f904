/** The demo school's year 2026/27 (quarters and holidays as in most Russian schools) and its weekly plan. */
import { addDays, dayjs } from "../domain/time";

export const QUARTERS = [
  { externalId: "q1", name: "1 четверть", start: "2026-09-01", end: "2026-10-25" },
  { externalId: "q2", name: "2 четверть", start: "2026-11-04", end: "2026-12-30" },
  { externalId: "q3", name: "3 четверть", start: "2027-01-12", end: "2027-03-22" },
  { externalId: "q4", name: "4 четверть", start: "2027-04-01", end: "2027-05-26" },
];

export const HOLIDAYS = [
  { externalId: "autumn-2026", name: "Осенние каникулы", start: "2026-10-26", end: "2026-11-03" },
  { externalId: "winter-2026", name: "Зимние каникулы", start: "2026-12-31", end: "2027-01-11" },
  { externalId: "february-2027", name: "Дополнительные каникулы для первоклассников", start: "2027-02-15", end: "2027-02-21", classIds: ["1a"] },
  { externalId: "spring-2027", name: "Весенние каникулы", start: "2027-03-23", end: "2027-03-31" },
];

export const SUBJECTS: Record<string, string> = {
  rus: "Русский язык", read: "Литературное чтение", lit: "Литература", math: "Математика", alg: "Алгебра", geom: "Геометрия",
  inf: "Информатика", world: "Окружающий мир", hist: "История", soc: "Обществознание", geo: "География", bio: "Биология",
  phys: "Физика", chem: "Химия", eng: "Английский язык", pe: "Физическая культура", music: "Музыка", art: "Изобразительное искусство",
  tech: "Труд (технология)", obzr: "Основы безопасности и защиты Родины",
};

export const CLASSES = [
  { externalId: "1a", name: "1А", grade: 1 },
  { externalId: "5a", name: "5А", grade: 5 },
  { externalId: "7b", name: "7Б", grade: 7 },
  { externalId: "9a", name: "9А", grade: 9 },
  { externalId: "11a", name: "11А", grade: 11 },
];

/** Lessons a week per subject and year of study (close to the federal curriculum). */
export const WEEKLY_HOURS: Record<number, Record<string, number>> = {
  1: { rus: 5, read: 4, math: 4, world: 2, music: 1, art: 1, tech: 1, pe: 3 },
  5: { rus: 5, lit: 3, math: 5, hist: 2, bio: 1, geo: 1, eng: 3, music: 1, art: 1, tech: 2, pe: 2 },
  7: { rus: 4, lit: 2, alg: 3, geom: 2, inf: 1, hist: 2, soc: 1, geo: 2, bio: 1, phys: 2, eng: 3, tech: 1, music: 1, pe: 2 },
  9: { rus: 3, lit: 3, alg: 3, geom: 2, inf: 1, hist: 2, soc: 1, geo: 2, bio: 2, phys: 3, chem: 2, eng: 3, pe: 2, obzr: 1 },
  11: { rus: 2, lit: 3, alg: 3, geom: 2, inf: 1, hist: 2, soc: 2, geo: 1, bio: 1, phys: 2, chem: 1, eng: 3, pe: 2, obzr: 1 },
};

/** Start and end of the lesson slots (45 minutes, breaks of 10-20 minutes). */
export const SLOTS: Array<[string, string]> = [
  ["08:30", "09:15"], ["09:25", "10:10"], ["10:30", "11:15"], ["11:35", "12:20"], ["12:30", "13:15"], ["13:25", "14:10"], ["14:20", "15:05"],
];

/** Grades mean nothing in the first year of study in Russian schools: 1А gets no marks and no homework. */
export const GRADED = (grade: number) => grade > 1;

export function isHoliday(day: string, classId: string): boolean {
  return HOLIDAYS.some((h) => day >= h.start && day <= h.end && (!h.classIds || h.classIds.includes(classId)));
}

export function isSchoolDay(day: string, classId: string): boolean {
  const weekday = dayjs.utc(day).isoWeekday();
  return weekday <= 5 && !isHoliday(day, classId) && day >= QUARTERS[0].start && day <= QUARTERS[3].end;
}

/** The quarter whose grades the demo shows: the one containing `today`, else the last one begun, else the first. */
export function currentQuarter(today: string) {
  return [...QUARTERS].reverse().find((q) => q.start <= today) ?? QUARTERS[0];
}

/** Every day from `start` to `end` inclusive. */
export function days(start: string, end: string): string[] {
  const out: string[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) out.push(day);
  return out;
}

/** Monday of the ISO week of `day`. */
export function monday(day: string): string {
  return addDays(day, 1 - dayjs.utc(day).isoWeekday());
}
