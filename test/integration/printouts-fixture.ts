/**
 * A small school for the printout and report tests, loaded through the real exchange import: class
 * 7Б (homeroom Иванова) with four students and their guardians, 7А with one, the autumn of 2026.
 * Numbers the tests check by hand are written next to the data that makes them.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Types } from "mongoose";
import { School, SchoolClass, Student, Guardian, Teacher, Grade, Account, type Role } from "../../src/db/models";
import { importBundle } from "../../src/services/exchange/import";
import { createSchool } from "../../src/services/schools";
import type { TelegramAccountDocument } from "../support/fixtures";

/** Friday 18 September 2026, 12:00 in Moscow: the default printout time. */
export const FRIDAY_NOON = new Date("2026-09-18T09:00:00Z");

export const BUNDLE = {
  subjects: [
    { externalId: "alg", name: "Алгебра" },
    { externalId: "rus", name: "Русский язык" },
    { externalId: "phys", name: "Физика" },
    { externalId: "eng", name: "Английский язык" },
  ],
  teachers: [
    { externalId: "t1", fullName: "Иванова Мария Петровна", subjectIds: ["alg"] },
    { externalId: "t2", fullName: "Сидоров Пётр Ильич", subjectIds: ["rus", "phys"] },
    { externalId: "t3", fullName: "Орлова Анна Сергеевна", subjectIds: ["eng"] },
  ],
  classes: [
    { externalId: "7b", name: "7Б", grade: 7, homeroomTeacherId: "t1" },
    { externalId: "7a", name: "7А", grade: 7, homeroomTeacherId: "t3" },
  ],
  groups: [
    { externalId: "7b-eng-1", name: "7Б английский, 1 группа", classId: "7b", subjectId: "eng" },
    { externalId: "7b-eng-2", name: "7Б английский, 2 группа", classId: "7b", subjectId: "eng" },
  ],
  students: [
    { externalId: "s1", fullName: "Петров Артём Сергеевич", classId: "7b", groupIds: ["7b-eng-1"] },
    { externalId: "s2", fullName: "Смирнова Ольга Игоревна", classId: "7b", groupIds: ["7b-eng-2"] },
    { externalId: "s3", fullName: "Кузнецов Илья Андреевич", classId: "7b", groupIds: ["7b-eng-1"] },
    { externalId: "s4", fullName: "Волкова Дарья Павловна", classId: "7b", groupIds: ["7b-eng-2"] },
    { externalId: "s5", fullName: "Зайцев Никита Олегович", classId: "7a" },
  ],
  guardians: [
    { externalId: "g1", fullName: "Петрова Елена Викторовна", studentIds: ["s1"] },
    { externalId: "g2", fullName: "Петров Сергей Иванович", studentIds: ["s1"] },
    { externalId: "g3", fullName: "Смирнова Татьяна Юрьевна", studentIds: ["s2"] },
    { externalId: "g4", fullName: "Кузнецова Наталья Олеговна", studentIds: ["s3"] },
    { externalId: "g5", fullName: "Волков Павел Андреевич", studentIds: ["s4"] },
    { externalId: "g6", fullName: "Зайцева Ирина Львовна", studentIds: ["s5"], delivery: "paper" },
    { externalId: "g7", fullName: "Кузнецов Андрей Ильич", studentIds: ["s3"] },
  ],
  periods: [
    { externalId: "q1", name: "1 четверть", kind: "quarter", start: "2026-09-01", end: "2026-10-25" },
    { externalId: "q2", name: "2 четверть", kind: "quarter", start: "2026-11-04", end: "2026-12-30" },
  ],
  holidays: [{ externalId: "autumn", name: "Осенние каникулы", start: "2026-10-26", end: "2026-11-03" }],
  grades: [
    // Петров, алгебра, 1 четверть: (4·1 + 5·1 + 3·3) / 5 = 3.60 → forecast 4; this week: 14.09 and 16.09.
    { externalId: "gr1", studentId: "s1", subjectId: "alg", date: "2026-09-07", value: "4", weight: 1, workType: "ответ на уроке" },
    { externalId: "gr2", studentId: "s1", subjectId: "alg", date: "2026-09-14", value: "5", weight: 1, workType: "ответ на уроке" },
    { externalId: "gr3", studentId: "s1", subjectId: "alg", date: "2026-09-16", value: "3", weight: 3, workType: "контрольная работа" },
    // Петров, русский: one 2 → average 2.00, forecast 2 (failing).
    { externalId: "gr4", studentId: "s1", subjectId: "rus", date: "2026-09-15", value: "2", weight: 1, workType: "диктант" },
    // Смирнова: a grade of another student must not reach Петров's slip.
    { externalId: "gr5", studentId: "s2", subjectId: "alg", date: "2026-09-15", value: "5", weight: 1, workType: "ответ на уроке" },
  ],
  homework: [
    { externalId: "h1", classId: "7b", subjectId: "alg", assignedOn: "2026-09-18", dueOn: "2026-09-21", text: "№ 112, 114" },
    { externalId: "h2", classId: "7b", groupId: "7b-eng-1", subjectId: "eng", assignedOn: "2026-09-18", dueOn: "2026-09-22", text: "Exercise 5, page 20" },
    { externalId: "h3", classId: "7b", groupId: "7b-eng-2", subjectId: "eng", assignedOn: "2026-09-18", dueOn: "2026-09-22", text: "Exercise 7, page 21" },
    { externalId: "h4", classId: "7b", subjectId: "rus", assignedOn: "2026-09-18", dueOn: "2026-09-30", text: "Сочинение о лете" },
  ],
  lessons: [
    { externalId: "l1", classId: "7b", subjectId: "alg", teacherId: "t1", date: "2026-09-22", start: "09:25", end: "10:10", kind: "lesson", status: "substituted", substituteTeacherId: "t2" },
    { externalId: "l2", classId: "7b", subjectId: "rus", teacherId: "t2", date: "2026-09-23", start: "08:30", end: "09:15", kind: "lesson", status: "cancelled" },
    { externalId: "l3", classId: "7b", subjectId: "phys", teacherId: "t2", date: "2026-09-10", start: "08:30", end: "09:15", kind: "lesson", status: "cancelled" },
  ],
  assessments: [
    { externalId: "a1", classId: "7b", subjectId: "rus", date: "2026-09-25", kind: "dictation", topic: "Причастный оборот" },
    { externalId: "a2", classId: "7b", subjectId: "alg", date: "2026-10-20", kind: "control", topic: "Многочлены" },
  ],
  exams: [{ externalId: "e1", studentId: "s1", name: "ВПР по математике", date: "2026-09-10", score: 15, maxScore: 20, value: "4", resultsAt: "2026-09-15T10:00" }],
};

const RESULTS_AT = "2026-10-24T15:00";

const fin = (student: string, subject: string, value: string) => ({ externalId: `f-${student}-${subject}`, studentId: student, subjectId: subject, periodId: "q1", status: "final", value, resultsAt: RESULTS_AT });

/** The first quarter's results of 7Б (hand-computed numbers in test/integration/reports.test.ts). */
export const FINALS_Q1 = {
  curriculum: ["alg", "rus", "phys", "eng"].map((s) => ({ externalId: `c-${s}`, classId: "7b", subjectId: s, periodId: "q1", plannedLessons: 10 })),
  finalGrades: [
    fin("s1", "alg", "5"), fin("s1", "rus", "4"), fin("s1", "phys", "5"), fin("s1", "eng", "5"), // good
    fin("s2", "alg", "5"), fin("s2", "rus", "5"), fin("s2", "phys", "5"), fin("s2", "eng", "5"), // excellent
    fin("s3", "alg", "3"), fin("s3", "rus", "2"), fin("s3", "eng", "4"), // not attested in physics
    { externalId: "f-s3-phys", studentId: "s3", subjectId: "phys", periodId: "q1", status: "not_attested", reason: "пропущено более половины уроков", resultsAt: RESULTS_AT },
    { externalId: "f-s4-alg", studentId: "s4", subjectId: "alg", periodId: "q1", status: "deferred", deferredUntil: "2026-11-15", reason: "болезнь", resultsAt: RESULTS_AT },
    fin("s4", "rus", "4"), fin("s4", "phys", "3"), fin("s4", "eng", "4"), // undecided (deferred algebra)
  ],
};

export interface FixtureSchool {
  schoolId: Types.ObjectId;
  id(kind: "class" | "student" | "guardian" | "teacher", externalId: string): Promise<Types.ObjectId>;
}

export async function loadFixtureSchool(options: { timezone?: string; name?: string } = {}): Promise<FixtureSchool> {
  const { schoolId } = await createSchool({ name: options.name ?? "Школа № 7", timezone: options.timezone ?? "Europe/Moscow" });
  const school = (await School.findById(schoolId))!;
  await importBundle({ _id: school._id, timezone: school.timezone, loadedResources: [] }, BUNDLE, { notify: false });
  const models = { class: SchoolClass, student: Student, guardian: Guardian, teacher: Teacher } as const;
  return {
    schoolId: school._id,
    async id(kind, externalId) {
      const doc = await (models[kind] as typeof Student).findOne({ schoolId: school._id, externalId }, { _id: 1 }).lean();
      if (!doc) throw new Error(`fixture: no ${kind} ${externalId}`);
      return doc._id;
    },
  };
}

let nextTelegramId = 5_100_000;

/** A staff account (admin, or the teacher with this externalId) as an invite code would leave it. */
export async function staffAccount(fixture: FixtureSchool, role: Extract<Role, "admin" | "teacher">, teacherExternalId?: string) {
  const telegramId = nextTelegramId++;
  const teacherId = teacherExternalId ? await fixture.id("teacher", teacherExternalId) : undefined;
  return <Promise<TelegramAccountDocument>>Account.create({ telegramId, chatId: telegramId, language: "ru", roles: [{ role, schoolId: fixture.schoolId, ...(teacherId ? { teacherId } : {}) }] });
}

export const gradeId = async (fixture: FixtureSchool, externalId: string) => (await Grade.findOne({ schoolId: fixture.schoolId, externalId }, { _id: 1 }).lean())!._id;

/** A PDF's text as pdftotext (poppler) extracts it: proves the text is real text, in Cyrillic. */
export function pdfText(pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdf-text-"));
  const file = path.join(dir, "doc.pdf");
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
