/** Synthetic journal data for the ingest benchmark: students in classes, subjects, and their grades. */
import { GRADE_VALUES } from "../../src/db/models/enums";
import { addDays } from "../../src/domain/time";

type Item = Record<string, unknown>;

const WORK_TYPES: Array<[string, number]> = [["ответ на уроке", 1], ["самостоятельная работа", 2], ["контрольная работа", 3], ["домашняя работа", 1]];

export function benchDirectory(students: number): { subjects: Item[]; classes: Item[]; students: Item[] } {
  const classes = Array.from({ length: Math.ceil(students / 25) }, (_, i) => ({ externalId: `c${i}`, name: `${(i % 11) + 1}${"АБВГД"[Math.floor(i / 11) % 5]}`, grade: (i % 11) + 1 }));
  return {
    subjects: Array.from({ length: 12 }, (_, i) => ({ externalId: `subj${i}`, name: `Предмет ${i + 1}` })),
    classes,
    students: Array.from({ length: students }, (_, i) => ({ externalId: `st${i}`, fullName: `Ученик ${i + 1}`, classId: `c${Math.floor(i / 25)}` })),
  };
}

/** `count` grades spread evenly over the students, subjects and the days of a quarter. */
export function benchGrades(count: number, students: number): Item[] {
  return Array.from({ length: count }, (_, i) => {
    const [workType, weight] = WORK_TYPES[i % WORK_TYPES.length];
    return {
      externalId: `gr${i}`,
      studentId: `st${i % students}`,
      subjectId: `subj${Math.floor(i / students) % 12}`,
      date: addDays("2026-09-01", Math.floor(i / students) % 54),
      value: GRADE_VALUES[(i * 7) % 5],
      weight,
      workType,
      ...(i % 10 === 0 && { comment: "Работа выполнена с недочётами" }),
    };
  });
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
