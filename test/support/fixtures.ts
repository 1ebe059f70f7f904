/**
 * A small realistic school for tests and benchmarks, built straight through the models: classes 7А
 * and 3Б, their subjects, teachers and English groups, the 2026/27 year (quarters, holidays, a
 * weekly timetable with every lesson of the year), grades up to `today`, homework, the tests
 * schedule, recommendations, first-quarter finals and exam results.
 *
 * People: Ольга Иванова is the guardian of Мария (7А, English group 1) and Александр (3Б, an
 * individual music plan); Анна Смирнова is the guardian of Пётр (7А, English group 2). Accounts are
 * made separately (`guardianAccount`, `studentAccount`) for the Telegram ids a test uses.
 *
 * Everything is deterministic (a seeded generator); tests compute what they expect from the models
 * or from the hand-made records documented below, never from random luck.
 */
import { Types } from "mongoose";
import {
  Assessment, ConsentRecord, ExamResult, FinalGrade, Grade, Group, Guardian, GuardianLink, Holiday, Homework, Lesson, Period,
  Recommendation, School, SchoolClass, Student, Subject, Teacher, Account,
  type GuardianDocument, type SchoolDocument, type StudentDocument, type AccountDocument,
} from "../../src/db/models";
import { consentTextHash, consentVersionOf } from "../../src/domain/consent";
import { finalMark, weightedSum } from "../../src/domain/grading";
import { isSchoolDay, type HolidayRange } from "../../src/domain/school-calendar";
import { addDays } from "../../src/domain/time";
import { YEAR, type Year } from "./fixture-year";

/** Thursday of the second quarter, the day the parser's phrasings are written for. */
export const FIXTURE_TODAY = "2026-12-03";

type Doc = Record<string, unknown>;

export interface SchoolFixture {
  today: string;
  school: SchoolDocument;
  classIds: { c7a: Types.ObjectId; c3b: Types.ObjectId };
  /** Subject ids by key ("alg", "rus", ...; see fixture-year.ts). */
  subjects: Record<string, Types.ObjectId>;
  subjectNames: Record<string, string>;
  teachers: Record<string, Types.ObjectId>;
  groups: { eng1: Types.ObjectId; eng2: Types.ObjectId };
  periods: Record<string, Types.ObjectId>;
  students: { maria: StudentDocument; alex: StudentDocument; petya: StudentDocument };
  guardians: { parent: GuardianDocument; otherParent: GuardianDocument };
}

export interface FixtureOptions {
  /** The last day with grades (the school's "today" of the test); default FIXTURE_TODAY. */
  today?: string;
  /** "year": a whole year of journal data; "none": the people only (empty views). */
  data?: "year" | "none";
  name?: string;
  timezone?: string;
  /** No quiet hours (messages go out whatever the hour the test runs at). */
  noQuietHours?: boolean;
}

let schoolCounter = 0;

export async function createSchoolFixture(options: FixtureOptions = {}): Promise<SchoolFixture> {
  const today = options.today ?? FIXTURE_TODAY;
  const year: Year = YEAR;
  const school = await School.create({
    name: options.name ?? `Школа №${++schoolCounter}`, address: "г. Москва, ул. Школьная, 1", timezone: options.timezone ?? "Europe/Moscow",
    ...(options.noQuietHours ? { settings: { quietHours: { start: "00:00", end: "00:00" } } } : {}),
  });
  const schoolId = school._id;
  const ext = (() => { let n = 0; return (prefix: string) => `${prefix}-${++n}`; })();
  const ids = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, new Types.ObjectId()])) as Record<K, Types.ObjectId>;

  const subjects = ids(Object.keys(year.subjects));
  const teachers = ids(Object.keys(year.teachers));
  const classIds = { c7a: new Types.ObjectId(), c3b: new Types.ObjectId() };
  const groups = { eng1: new Types.ObjectId(), eng2: new Types.ObjectId() };
  await Subject.insertMany(Object.entries(year.subjects).map(([k, name]) => ({ _id: subjects[k], schoolId, externalId: `s-${k}`, name })));
  await Teacher.insertMany(Object.entries(year.teachers).map(([k, t]) => ({ _id: teachers[k], schoolId, externalId: `t-${k}`, fullName: t.fullName, subjectIds: t.subjects.map((s) => subjects[s]) })));
  await SchoolClass.insertMany([
    { _id: classIds.c7a, schoolId, externalId: "c-7a", name: "7А", grade: 7, homeroomTeacherId: teachers.sokolova },
    { _id: classIds.c3b, schoolId, externalId: "c-3b", name: "3Б", grade: 3, homeroomTeacherId: teachers.morozova },
  ]);
  await Group.insertMany([
    { _id: groups.eng1, schoolId, externalId: "g-eng1", name: "7А английский, группа 1", classId: classIds.c7a, subjectId: subjects.eng },
    { _id: groups.eng2, schoolId, externalId: "g-eng2", name: "7А английский, группа 2", classId: classIds.c7a, subjectId: subjects.eng },
  ]);
  const [maria, alex, petya] = await Student.create([
    { schoolId, externalId: "st-maria", fullName: "Иванова Мария Сергеевна", classId: classIds.c7a, groupIds: [groups.eng1] },
    { schoolId, externalId: "st-alex", fullName: "Иванов Александр Сергеевич", classId: classIds.c3b, individualPlan: true, individualTeacherIds: [teachers.lebedeva] },
    { schoolId, externalId: "st-petya", fullName: "Смирнов Пётр Андреевич", classId: classIds.c7a, groupIds: [groups.eng2] },
  ]);
  const [parent, otherParent] = await Guardian.create([
    { schoolId, externalId: "p-ivanova", fullName: "Иванова Ольга Николаевна", studentIds: [maria._id, alex._id] },
    { schoolId, externalId: "p-smirnova", fullName: "Смирнова Анна Викторовна", studentIds: [petya._id] },
  ]);
  const fixture: SchoolFixture = {
    today, school, classIds, subjects, subjectNames: { ...year.subjects }, teachers, groups, periods: {},
    students: { maria, alex, petya }, guardians: { parent, otherParent },
  };
  if (options.data !== "none") await fillYear(fixture, year, ext);
  return fixture;
}

/** A seeded generator (mulberry32): the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function fillYear(fx: SchoolFixture, year: Year, ext: (prefix: string) => string): Promise<void> {
  const schoolId = fx.school._id;
  const rnd = random(20262027);
  const { today } = fx;
  const classOf = { c7a: fx.classIds.c7a, c3b: fx.classIds.c3b };

  const periods = await Period.insertMany(year.periods.map((p) => ({ schoolId, externalId: ext("period"), ...p })));
  year.periods.forEach((p, i) => (fx.periods[p.key] = periods[i]._id));
  const holidays: HolidayRange[] = year.holidays.map((h) => ({ ...h, classIds: h.classKeys?.map((k) => String(classOf[k])) }));
  await Holiday.insertMany(year.holidays.map((h) => ({ schoolId, externalId: ext("holiday"), name: h.name, start: h.start, end: h.end, classIds: (h.classKeys ?? []).map((k) => classOf[k]) })));

  const lessons: Doc[] = [];
  const homework: Doc[] = [];
  const assessments: Doc[] = [];
  const grades: Doc[] = [];
  const q2Start = year.periods.find((p) => p.key === "q2")!.start;
  const currentWeekMonday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  const pupils = { c7a: [fx.students.maria, fx.students.petya], c3b: [fx.students.alex] };

  for (const classKey of ["c7a", "c3b"] as const) {
    const classId = classOf[classKey];
    const week = year.timetable[classKey];
    const seen: Record<string, number> = {}; // lessons of each subject so far (homework numbering, tests)
    const pending = new Map<string, Doc[]>(); // homework waiting for the next lesson of its subject/group
    for (let day = year.start; day <= year.end; day = addDays(day, 1)) {
      if (!isSchoolDay(day, holidays, String(classId))) continue;
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      (week[weekday] ?? []).forEach((subject, slotIndex) => {
        const [start, end] = year.slots[slotIndex];
        const split = subject === "eng" && classKey === "c7a";
        for (const groupKey of split ? (["eng1", "eng2"] as const) : [null]) {
          const teacher = groupKey === "eng2" ? "eng2" : year.subjectTeacher[classKey][subject];
          const lessonId = new Types.ObjectId();
          const key = `${subject}:${groupKey ?? ""}`;
          seen[key] = (seen[key] ?? 0) + 1;
          const groupId = groupKey ? fx.groups[groupKey] : undefined;
          lessons.push({ _id: lessonId, schoolId, externalId: ext("lesson"), classId, subjectId: fx.subjects[subject], teacherId: fx.teachers[teacher], date: day, start, end, room: year.rooms[subject] ?? (classKey === "c3b" ? "105" : "214"), status: day < today ? "held" : "planned", ...(groupId ? { groupId } : {}) });
          for (const due of pending.get(key) ?? []) homework.push({ ...due, dueOn: day });
          pending.set(key, year.noHomework.includes(subject) ? [] : [{ schoolId, externalId: ext("hw"), classId, subjectId: fx.subjects[subject], assignedOn: day, text: `§ ${seen[key]}, упражнения ${seen[key] * 2}–${seen[key] * 2 + 3}`, ...(groupId ? { groupId } : {}) }]);
          const isTest = !groupKey && year.tested[classKey].includes(subject) && seen[key] % 12 === 0;
          const dictation = classKey === "c3b" && subject === "rus";
          if (isTest) assessments.push({ schoolId, externalId: ext("test"), classId, subjectId: fx.subjects[subject], date: day, kind: dictation ? "dictation" : "control", topic: year.testTopic(subject, seen[key] / 12) });
          if (day > today) continue;
          for (const pupil of pupils[classKey]) {
            if (groupId && !pupil.groupIds.some((g) => g.equals(groupId))) continue;
            const handMade = pupil === fx.students.maria && (day >= currentWeekMonday || (subject === "phys" && day >= q2Start));
            if (handMade || (!isTest && rnd() > 0.3)) continue;
            const value = year.gradeOf(subject, pupil === fx.students.maria ? rnd() * 0.8 + 0.2 : rnd());
            grades.push({ schoolId, externalId: ext("grade"), studentId: pupil._id, subjectId: fx.subjects[subject], date: day, lessonId, value, weight: isTest ? 3 : 1, workType: isTest ? "контрольная работа" : "ответ на уроке" });
          }
        }
      });
    }
  }
  // Today's and the next school day's specials: a cancellation, a substitution, a move.
  const c7aLessons = (day: string) => lessons.filter((l) => l.classId === fx.classIds.c7a && l.date === day && !l.groupId);
  const next = (day: string) => { let d = addDays(day, 1); while (!isSchoolDay(d, holidays, String(fx.classIds.c7a))) d = addDays(d, 1); return d; };
  const [todayFirst] = c7aLessons(today);
  if (todayFirst) todayFirst.status = "cancelled";
  const tomorrowLessons = c7aLessons(next(today));
  if (tomorrowLessons[1]) Object.assign(tomorrowLessons[1], { status: "substituted", substituteTeacherId: fx.teachers.orlov });
  if (tomorrowLessons[3]) Object.assign(tomorrowLessons[3], { status: "moved", movedTo: { date: next(next(today)), start: "14:20", end: "15:05" } });

  for (const { subject, ...grade } of year.mariaGrades(currentWeekMonday, q2Start)) {
    if (grade.date <= today) grades.push({ schoolId, externalId: ext("grade"), studentId: fx.students.maria._id, subjectId: fx.subjects[subject], ...grade });
  }
  await Lesson.insertMany(lessons);
  await Homework.insertMany(homework);
  await Assessment.insertMany(assessments);
  await Grade.insertMany(grades);
  await addFinals(fx, year, grades);
  await addRecommendations(fx, year);
}

async function addFinals(fx: SchoolFixture, year: Year, grades: Doc[]): Promise<void> {
  const schoolId = fx.school._id;
  const closed = year.periods.filter((p) => p.kind !== "year" && p.end < fx.today);
  const finals: Doc[] = [];
  for (const period of closed) {
    for (const student of Object.values(fx.students)) {
      const own = grades.filter((g) => g.studentId === student._id && (g.date as string) >= period.start && (g.date as string) <= period.end);
      for (const subjectId of new Set(own.map((g) => String(g.subjectId)))) {
        const key = Object.keys(fx.subjects).find((k) => String(fx.subjects[k]) === subjectId)!;
        const special = year.specialFinals.find((s) => s.period === period.key && s.student === studentKey(fx, student) && s.subject === key);
        const mark = finalMark(weightedSum(own.filter((g) => String(g.subjectId) === subjectId) as never));
        finals.push({
          schoolId, externalId: `final-${period.key}-${student.externalId}-${key}`, studentId: student._id, subjectId: fx.subjects[key], periodId: fx.periods[period.key],
          resultsAt: new Date(`${addDays(period.end, 1)}T09:00:00Z`),
          ...(special ? special.record : mark === null ? { value: "зачёт", status: "final" } : { value: String(mark), status: "final" }),
        });
      }
    }
  }
  await FinalGrade.insertMany(finals);
  await ExamResult.insertMany(year.exams.filter((e) => e.date <= fx.today).map((e) => ({ schoolId, externalId: `exam-${e.student}-${e.date}`, studentId: fx.students[e.student]._id, name: e.name, date: e.date, score: e.score, maxScore: e.maxScore, value: e.value, resultsAt: new Date(`${e.date}T15:00:00Z`) })));
}

function studentKey(fx: SchoolFixture, student: StudentDocument): "maria" | "alex" | "petya" {
  return (Object.keys(fx.students) as Array<"maria" | "alex" | "petya">).find((k) => fx.students[k]._id.equals(student._id))!;
}

async function addRecommendations(fx: SchoolFixture, year: Year): Promise<void> {
  const author = new Types.ObjectId(); // the teachers' accounts are not part of this fixture
  await Recommendation.insertMany(year.recommendations(fx.today).map((r) => ({
    schoolId: fx.school._id, teacherId: fx.teachers[r.teacher], authorAccountId: author, classId: fx.classIds[r.classKey],
    subjectId: fx.subjects[r.subject], text: r.text, createdAt: r.createdAt, ...(r.student ? { studentId: fx.students[r.student]._id } : {}),
  })));
}

export interface AccountOptions {
  /** "granted" (default): consent to the school's current text; "outdated": to an old version. */
  consent?: "granted" | "declined" | "outdated" | "none";
  language?: "ru" | "en";
}

/** An account made with a Telegram identity (accounts may also be MAX-only, where these are absent). */
export type TelegramAccountDocument = AccountDocument & { telegramId: number; chatId: number };

/** A guardian's Telegram account linked to the given children (with consent unless told otherwise). */
export async function guardianAccount(fx: SchoolFixture, telegramId: number, guardian: GuardianDocument, children: StudentDocument[], options: AccountOptions = {}): Promise<TelegramAccountDocument> {
  const account = <TelegramAccountDocument>await Account.create({ telegramId, chatId: telegramId, language: options.language ?? "ru", roles: [{ role: "guardian", schoolId: fx.school._id, guardianId: guardian._id }] });
  await GuardianLink.insertMany(children.map((c, i) => ({ accountId: account._id, guardianId: guardian._id, studentId: c._id, schoolId: fx.school._id, linkedAt: new Date(Date.UTC(2026, 8, 1, 10, i)) })));
  await giveConsent(fx, account, options.consent ?? "granted");
  return account;
}

/** A student's own account (sees only themselves; no consent record needed). */
export async function studentAccount(fx: SchoolFixture, telegramId: number, student: StudentDocument, language: "ru" | "en" = "ru"): Promise<TelegramAccountDocument> {
  return <Promise<TelegramAccountDocument>>Account.create({ telegramId, chatId: telegramId, language, roles: [{ role: "student", schoolId: fx.school._id, studentId: student._id }] });
}

export async function giveConsent(fx: SchoolFixture, account: AccountDocument, consent: NonNullable<AccountOptions["consent"]>): Promise<void> {
  if (consent === "none") return;
  const textVersion = consent === "outdated" ? "2020-01" : consentVersionOf(fx.school);
  await ConsentRecord.create({ accountId: account._id, schoolId: fx.school._id, decision: consent === "declined" ? "declined" : "granted", form: "telegram", textVersion, textHash: consentTextHash(`consent ${textVersion}`) });
}
