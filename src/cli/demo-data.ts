/**
 * The demo school as exchange items (pure data, no I/O): five classes (1А, 5А, 7Б, 9А, 11А) of 16
 * students, their guardians and teachers, the 2026/27 year, a curriculum, a timetable of the weeks
 * around `today` with a substitution, a cancellation and a move per class, assessments, homework, a
 * quarter of grades, the first quarter's final grades (one deferred, one not attested) and exams.
 * The same `today` and seed always give the same school.
 */
import type { ExchangeResource } from "../db/models";
import { addDays } from "../domain/time";
import { CLASSES, GRADED, HOLIDAYS, QUARTERS, SLOTS, SUBJECTS, WEEKLY_HOURS, currentQuarter, days, isSchoolDay, monday } from "./demo-calendar";
import { adult, child, family, fatherName, pick, random, type Random } from "./demo-names";

type Item = Record<string, unknown>;
export type DemoData = Record<ExchangeResource, Item[]>;

export const STUDENTS_PER_CLASS = 16;
export const DEMO_SEED = 20262027;

/** Teachers by subject; a subject of 1А is taught by the primary teacher, English by two (one per group). */
const TEACHERS: Array<{ id: string; sex: "m" | "f"; subjects: string[] }> = [
  { id: "t-primary", sex: "f", subjects: ["read", "world"] },
  { id: "t-rus", sex: "f", subjects: ["rus", "lit"] },
  { id: "t-math", sex: "f", subjects: ["math", "alg", "geom"] },
  { id: "t-math2", sex: "m", subjects: ["alg", "geom"] },
  { id: "t-inf", sex: "m", subjects: ["inf"] },
  { id: "t-hist", sex: "m", subjects: ["hist", "soc"] },
  { id: "t-geo", sex: "f", subjects: ["geo"] },
  { id: "t-bio", sex: "f", subjects: ["bio"] },
  { id: "t-phys", sex: "m", subjects: ["phys"] },
  { id: "t-chem", sex: "f", subjects: ["chem"] },
  { id: "t-eng1", sex: "f", subjects: ["eng"] },
  { id: "t-eng2", sex: "f", subjects: ["eng"] },
  { id: "t-pe", sex: "m", subjects: ["pe"] },
  { id: "t-music", sex: "f", subjects: ["music"] },
  { id: "t-art", sex: "f", subjects: ["art", "tech"] },
  { id: "t-obzr", sex: "m", subjects: ["obzr"] },
];

function teacherFor(subject: string, grade: number, group = 1): string {
  if (grade === 1 && ["rus", "math", "read", "world", "tech", "art"].includes(subject)) return "t-primary";
  if (subject === "eng") return group === 1 ? "t-eng1" : "t-eng2";
  if ((subject === "alg" || subject === "geom") && grade >= 9) return "t-math2";
  return TEACHERS.find((t) => t.subjects.includes(subject))!.id;
}

const WORK_TYPES: Array<[string, number]> = [
  ["ответ на уроке", 1], ["ответ на уроке", 1], ["домашняя работа", 1], ["самостоятельная работа", 2], ["проверочная работа", 2], ["практическая работа", 2],
];
const CONTROL: Record<string, [string, string]> = { rus: ["dictation", "диктант"], math: ["control", "контрольная работа"], alg: ["control", "контрольная работа"], phys: ["test", "проверочная работа"] };
/** Who stands in for whom: a colleague of the same subject where the school has one. */
const SUBSTITUTES: Record<string, string> = { "t-eng1": "t-eng2", "t-eng2": "t-eng1", "t-math": "t-math2", "t-math2": "t-math", "t-rus": "t-primary", "t-primary": "t-rus" };
const NO_HOMEWORK = new Set(["pe", "music", "art", "tech", "obzr"]);

/** A class's week: the lessons of each weekday (0 = Monday), each subject spread over the days. */
function week(grade: number, rnd: Random): string[][] {
  const daysOfWeek: string[][] = [[], [], [], [], []];
  let cursor = 0;
  const hours = Object.entries(WEEKLY_HOURS[grade]).sort((a, b) => b[1] - a[1]);
  for (const [subject, n] of hours) for (let i = 0; i < n; i++) daysOfWeek[cursor++ % 5].push(subject);
  return daysOfWeek.map((list) => list.map((s) => [rnd(), s] as const).sort((a, b) => a[0] - b[0]).map(([, s]) => s));
}

/** A mark around the student's level: 2..5. */
const mark = (rnd: Random, level: number) => String(Math.min(5, Math.max(2, Math.round(level + (rnd() - 0.5) * 2))));

export function demoSchool(today: string, seed = DEMO_SEED): DemoData {
  const rnd = random(seed);
  const data = Object.fromEntries(["subjects", "teachers", "classes", "groups", "students", "guardians", "periods", "curriculum", "lessons", "assessments", "grades", "homework", "holidays", "finalGrades", "exams"].map((r) => [r, []])) as unknown as DemoData;

  data.subjects = Object.entries(SUBJECTS).map(([externalId, name]) => ({ externalId, name }));
  data.teachers = TEACHERS.map((t) => ({ externalId: t.id, fullName: adult(rnd, t.sex).fullName, subjectIds: t.subjects.filter((s) => s !== "world" || t.id === "t-primary") }));
  const homeroom = ["t-primary", "t-rus", "t-bio", "t-math2", "t-hist"];
  data.classes = CLASSES.map((c, i) => ({ ...c, homeroomTeacherId: homeroom[i] }));
  data.periods = [...QUARTERS.map((q) => ({ ...q, kind: "quarter" })), { externalId: "y2026", name: "2026/27 учебный год", kind: "year", start: QUARTERS[0].start, end: QUARTERS[3].end }];
  data.holidays = HOLIDAYS.map((h) => ({ ...h }));

  const levels = new Map<string, number>();
  for (const c of CLASSES) {
    const english = c.grade > 1;
    if (english) for (const g of [1, 2]) data.groups.push({ externalId: `${c.externalId}-eng-${g}`, name: `${c.name} английский, ${g} группа`, classId: c.externalId, subjectId: "eng" });
    for (let i = 1; i <= STUDENTS_PER_CLASS; i++) {
      const id = `${c.externalId}-${String(i).padStart(2, "0")}`;
      const home = family(rnd);
      const kid = child(rnd, home.surname, home.father, rnd() < 0.5 ? "m" : "f");
      levels.set(id, 2.8 + rnd() * 2.3);
      const individual = c.externalId === "7b" && i === 5;
      data.students.push({
        externalId: id, fullName: kid.fullName, classId: c.externalId,
        ...(english && { groupIds: [`${c.externalId}-eng-${(i % 2) + 1}`] }),
        ...(individual && { individualPlan: true, individualTeacherIds: ["t-math", "t-rus"] }),
      });
      const phone = () => `+7916${String(Math.floor(rnd() * 1e7)).padStart(7, "0")}`;
      const mother = adult(rnd, "f", home.surname);
      data.guardians.push({ externalId: `p-${id}-1`, fullName: mother.fullName, studentIds: [id], phone: phone(), ...(rnd() < 0.6 && { email: `parent.${id}@example.org` }), ...(i === 3 && { delivery: "paper" }) });
      if (rnd() < 0.5) data.guardians.push({ externalId: `p-${id}-2`, fullName: fatherName(home.surname, home.father, rnd), studentIds: [id], phone: phone() });
    }
  }

  const weeks = new Map(CLASSES.map((c) => [c.externalId, week(c.grade, rnd)]));
  for (const c of CLASSES) {
    for (const q of QUARTERS) {
      const schoolWeeks = Math.round(days(q.start, q.end).filter((d) => isSchoolDay(d, c.externalId)).length / 5);
      for (const [subject, hours] of Object.entries(WEEKLY_HOURS[c.grade])) {
        data.curriculum.push({ externalId: `${c.externalId}-${subject}-${q.externalId}`, classId: c.externalId, subjectId: subject, periodId: q.externalId, plannedLessons: hours * schoolWeeks });
      }
    }
  }

  // The timetable: last week, this week and next week.
  const first = addDays(monday(today), -7);
  for (const c of CLASSES) {
    const future: Item[] = [];
    for (const day of days(first, addDays(first, 20)).filter((d) => isSchoolDay(d, c.externalId))) {
      weeks.get(c.externalId)![Number(new Date(`${day}T12:00:00Z`).getUTCDay()) - 1].forEach((subject, slot) => {
        const groups = subject === "eng" && c.grade > 1 ? [1, 2] : [0];
        for (const g of groups) {
          const lesson: Item = {
            externalId: `L-${c.externalId}-${day}-${slot + 1}${g ? `-${g}` : ""}`, classId: c.externalId, subjectId: subject, teacherId: teacherFor(subject, c.grade, g || 1),
            date: day, start: SLOTS[slot][0], end: SLOTS[slot][1], room: String(100 + CLASSES.indexOf(c) * 10 + (g || slot)), kind: "lesson", status: day < today ? "held" : "planned",
            ...(g && { groupId: `${c.externalId}-eng-${g}` }),
          };
          data.lessons.push(lesson);
          if (day >= today && day < addDays(today, 7)) future.push(lesson);
        }
      });
    }
    // One substitution, one cancellation and one move in the coming seven days.
    const [sub, cancel, move] = [0.2, 0.5, 0.8].map((f) => future[Math.floor(f * future.length)]).filter(Boolean);
    if (sub) Object.assign(sub, { status: "substituted", substituteTeacherId: SUBSTITUTES[sub.teacherId as string] ?? "t-rus", topic: "Замена: урок проведёт другой учитель" });
    if (cancel && cancel !== sub) cancel.status = "cancelled";
    if (move && move !== cancel && move !== sub) Object.assign(move, { status: "moved", movedTo: { date: move.date, start: SLOTS[6][0], end: SLOTS[6][1] } });
  }

  const quarter = currentQuarter(today);
  const gradeDays = days(quarter.start, quarter.end).filter((d) => d <= (today >= quarter.start ? today : addDays(quarter.start, 27)));
  for (const c of CLASSES.filter((k) => GRADED(k.grade))) {
    const students = data.students.filter((s) => s.classId === c.externalId);
    const template = weeks.get(c.externalId)!;
    for (const [subject, [kind, workType]] of Object.entries(CONTROL).filter(([s]) => WEEKLY_HOURS[c.grade][s])) {
      const lessonDays = days(quarter.start, quarter.end).filter((d) => isSchoolDay(d, c.externalId) && template[new Date(`${d}T12:00:00Z`).getUTCDay() - 1].includes(subject));
      for (const [n, date] of [lessonDays[Math.floor(lessonDays.length * 0.3)], lessonDays[lessonDays.length - 3]].entries()) {
        if (!date) continue;
        data.assessments.push({ externalId: `A-${c.externalId}-${subject}-${quarter.externalId}-${n + 1}`, classId: c.externalId, subjectId: subject, date, kind, topic: `${workType} №${n + 1}` });
        if (date < today) for (const s of students) data.grades.push({ externalId: `G-${s.externalId}-${subject}-${date}-c`, studentId: s.externalId, subjectId: subject, date, value: mark(rnd, levels.get(s.externalId as string)!), weight: 3, workType });
      }
    }
    for (const day of gradeDays.filter((d) => isSchoolDay(d, c.externalId))) {
      for (const subject of new Set(template[new Date(`${day}T12:00:00Z`).getUTCDay() - 1])) {
        for (const s of students.filter(() => rnd() < 0.22)) {
          const [workType, weight] = pick(rnd, WORK_TYPES);
          data.grades.push({ externalId: `G-${s.externalId}-${subject}-${day}`, studentId: s.externalId, subjectId: subject, date: day, value: mark(rnd, levels.get(s.externalId as string)!), weight, workType });
        }
      }
    }
    for (const lesson of data.lessons.filter((l) => l.classId === c.externalId && l.status !== "cancelled" && !NO_HOMEWORK.has(l.subjectId as string))) {
      const n = 1 + Math.floor(rnd() * 40);
      data.homework.push({
        externalId: `H-${lesson.externalId}`, classId: c.externalId, subjectId: lesson.subjectId, ...(lesson.groupId ? { groupId: lesson.groupId } : {}),
        assignedOn: lesson.date, dueOn: addDays(lesson.date as string, rnd() < 0.7 ? 2 : 7), text: `§ ${n}, упражнения ${n * 3}–${n * 3 + 2}`,
        ...(rnd() < 0.15 && { links: [`https://resh.edu.ru/subject/lesson/${1000 + n}/`] }),
      });
    }
    // The first quarter's results: one deferred (illness), one not attested.
    for (const [i, s] of students.entries()) {
      for (const subject of Object.keys(WEEKLY_HOURS[c.grade])) {
        const base = { externalId: `F-${s.externalId}-${subject}-q1`, studentId: s.externalId, subjectId: subject, periodId: "q1", resultsAt: `${QUARTERS[0].end}T15:00` };
        if (c.externalId === "9a" && i === 2 && subject === "phys") data.finalGrades.push({ ...base, status: "deferred", deferredUntil: "2026-11-20", reason: "болезнь в конце четверти" });
        else if (c.externalId === "11a" && i === 4 && subject === "chem") data.finalGrades.push({ ...base, status: "not_attested", reason: "пропущено более половины уроков" });
        else data.finalGrades.push({ ...base, status: "final", value: mark(rnd, levels.get(s.externalId as string)!) });
      }
    }
  }

  // Practice state exams: ОГЭ for 9А, ЕГЭ for 11А.
  for (const [classId, name, maxScore, scale] of [["9a", "Пробный ОГЭ по математике", 31, [8, 15, 22]], ["11a", "Пробный ЕГЭ по русскому языку", 100, undefined]] as const) {
    const date = addDays(quarter.start, 16);
    for (const s of data.students.filter((st) => st.classId === classId)) {
      const score = Math.round((levels.get(s.externalId as string)! - 2) / 3 * maxScore * (0.75 + rnd() * 0.25));
      const value = scale ? String(2 + scale.filter((t) => score >= t).length) : undefined;
      data.exams.push({ externalId: `E-${s.externalId}-${quarter.externalId}`, studentId: s.externalId, name, date, score, maxScore, ...(value && { value }), resultsAt: `${addDays(date, 3)}T16:00` });
    }
  }
  return data;
}
