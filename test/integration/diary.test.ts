/**
 * The diary queries behind the views, against the fixture school: what each returns, the child's
 * groups and class respected, the school's zone and weights, and a fixed number of queries per
 * answer whatever the amount of data (no N+1).
 */
import mongoose from "mongoose";
import { useTestDb } from "../support/db";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";
import { Homework, Lesson, School } from "../../src/db/models";
import type { AccessibleChild } from "../../src/services/access";
import {
  finalsOf, gradesBetween, holidaysOf, homeworkDue, latestRecommendations, lessonsOn, loadScope, periodSubjects,
  teachersOf, assessmentsBetween, type StudentScope,
} from "../../src/services/diary";
import type { StudentDocument } from "../../src/db/models";

useTestDb();

let fx: SchoolFixture;
const NOON = new Date("2026-12-03T09:00:00Z"); // 12:00 in Moscow
const Q2 = { from: "2026-11-04", to: "2026-12-30" };

beforeAll(async () => {
  fx = await createSchoolFixture();
}, 60_000);

function child(student: StudentDocument, schoolId = fx.school._id): AccessibleChild {
  return { studentId: student._id, schoolId, via: "guardian" };
}

async function scopeOf(student: StudentDocument, now = NOON): Promise<StudentScope> {
  const scope = await loadScope(child(student), now);
  if (!scope) throw new Error("no scope");
  return scope;
}

/** Runs `fn` and counts the MongoDB operations mongoose issued meanwhile. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  mongoose.set("debug", () => void count++);
  try {
    await fn();
  } finally {
    mongoose.set("debug", false);
  }
  return count;
}

describe("scope", () => {
  test("today is the school's day in its zone", async () => {
    expect((await scopeOf(fx.students.maria, new Date("2026-12-03T20:59:00Z"))).today).toBe("2026-12-03"); // 23:59 MSK
    expect((await scopeOf(fx.students.maria, new Date("2026-12-03T21:00:00Z"))).today).toBe("2026-12-04"); // 00:00 MSK
    const far = await createSchoolFixture({ data: "none", timezone: "Asia/Vladivostok" });
    expect((await loadScope(child(far.students.maria, far.school._id), new Date("2026-12-03T14:30:00Z")))?.today).toBe("2026-12-04");
  });

  test("a child of another school or a deleted student has no scope", async () => {
    const other = await createSchoolFixture({ data: "none" });
    expect(await loadScope(child(fx.students.maria, other.school._id), NOON)).toBeNull();
  });

  test("names and class: first name from \"Фамилия Имя Отчество\"", async () => {
    const scope = await scopeOf(fx.students.maria);
    expect([scope.firstName, scope.className, scope.timezone, scope.rules.minGrades]).toEqual(["Мария", "7А", "Europe/Moscow", 3]);
  });
});

describe("grades", () => {
  test("the week's grades by day, with subject names; the school's weight for a work type overrides the grade's", async () => {
    const scope = await scopeOf(fx.students.maria);
    const week = await gradesBetween(scope, { from: "2026-11-30", to: "2026-12-06" });
    expect(week.map((g) => [g.date, g.subjectName, g.value, g.weight])).toEqual([
      ["2026-11-30", "Алгебра", "5", 1], ["2026-11-30", "Русский язык", "4", 2],
      ["2026-12-01", "География", "3", 1], ["2026-12-01", "Физика", "4", 1],
      ["2026-12-02", "История", "5", 3], ["2026-12-03", "Английский язык", "5", 1],
    ]);
    await School.updateOne({ _id: fx.school._id }, { $set: { "settings.workTypeWeights": { "Диктант": 5 } } });
    try {
      const weighted = await gradesBetween(await scopeOf(fx.students.maria), { from: "2026-11-30", to: "2026-11-30" });
      expect(weighted.find((g) => g.subjectName === "Русский язык")?.weight).toBe(5);
    } finally {
      await School.updateOne({ _id: fx.school._id }, { $unset: { "settings.workTypeWeights": 1 } });
    }
  });

  test("a grade-value filter and a subject filter", async () => {
    const scope = await scopeOf(fx.students.maria);
    expect((await gradesBetween(scope, Q2, { value: "3" })).every((g) => g.value === "3")).toBe(true);
    const physics = await gradesBetween(scope, Q2, { subjectId: String(fx.subjects.phys) });
    expect(physics.map((g) => g.value)).toEqual(["5", "4"]);
  });

  test("every subject the class is taught in the period appears, with or without grades", async () => {
    const scope = await scopeOf(fx.students.maria);
    const taught = (await Lesson.distinct("subjectId", { classId: fx.classIds.c7a, date: { $gte: Q2.from, $lte: Q2.to } })).map(String).sort();
    const subjects = await periodSubjects(scope, Q2);
    expect(subjects.map((s) => s.subjectId).sort()).toEqual(taught);
    const physics = subjects.find((s) => s.subjectName === "Физика")!;
    expect(physics.forecast).toMatchObject({ count: 2, averageText: "4.50", grade: 5, atRisk: true, riskReasons: ["too-few-grades"] });
    // A period before any lesson: nothing taught, nothing graded.
    expect(await periodSubjects(scope, { from: "2026-08-01", to: "2026-08-20" })).toEqual([]);
  });
});

describe("timetable, homework and tests respect the child's class and groups", () => {
  test("only the child's English group; the moved lesson shows on both days", async () => {
    const maria = await lessonsOn(await scopeOf(fx.students.maria), ["2026-12-03", "2026-12-04", "2026-12-07"]);
    const petya = await lessonsOn(await scopeOf(fx.students.petya), ["2026-12-03"]);
    const english = (lessons: typeof maria, day: string) => lessons.get(day)!.filter((l) => l.subjectName === "Английский язык").map((l) => l.teacherName);
    expect(english(maria, "2026-12-03")).toEqual(["Новикова Мария Александровна"]);
    expect(english(petya, "2026-12-03")).toEqual(["Фёдорова Ксения Олеговна"]);
    const moved = maria.get("2026-12-04")!.find((l) => l.status === "moved")!;
    expect(moved).toMatchObject({ subjectName: "История", movedTo: { date: "2026-12-07", start: "14:20", end: "15:05" } });
    expect(maria.get("2026-12-07")!.at(-1)).toMatchObject({ subjectName: "История", start: "14:20", movedFrom: { date: "2026-12-04", start: "11:35" } });
    expect(maria.get("2026-12-04")!.find((l) => l.status === "substituted")).toMatchObject({ subjectName: "География", substituteName: "Орлов Павел Сергеевич" });
  });

  test("homework of the other group never reaches the child", async () => {
    const scope = await scopeOf(fx.students.maria);
    const due = await homeworkDue(scope, { from: "2026-11-01", to: "2026-12-31" });
    const ids = new Set(due.map((h) => h.id));
    const otherGroup = await Homework.find({ groupId: fx.groups.eng2, dueOn: { $gte: "2026-11-01", $lte: "2026-12-31" } }).lean();
    expect(otherGroup.length).toBeGreaterThan(0);
    for (const h of otherGroup) expect(ids.has(String(h._id))).toBe(false);
    expect(due.some((h) => h.subjectName === "Английский язык")).toBe(true);
    expect(due.every((h, i) => i === 0 || due[i - 1].dueOn <= h.dueOn)).toBe(true);
  });

  test("the tests schedule of the child's class only, by date", async () => {
    const maria = await assessmentsBetween(await scopeOf(fx.students.maria), Q2);
    const alex = await assessmentsBetween(await scopeOf(fx.students.alex), Q2);
    expect(maria.length).toBeGreaterThan(3);
    expect(new Set(alex.map((a) => a.subjectName))).toEqual(new Set(["Русский язык", "Математика"]));
    expect(maria.map((a) => a.date)).toEqual([...maria.map((a) => a.date)].sort());
  });
});

describe("teachers, holidays, recommendations, finals", () => {
  test("teachers by subject with groups, the homeroom teacher and the individual plan", async () => {
    const maria = await teachersOf(await scopeOf(fx.students.maria), Q2);
    expect(maria.homeroom).toBe("Соколова Ирина Петровна");
    expect(maria.bySubject.find((s) => s.subjectName === "Английский язык")?.teachers).toEqual([{ name: "Новикова Мария Александровна", groupName: "7А английский, группа 1" }]);
    // A one-off substitute is not one of the class's teachers.
    expect(maria.bySubject.flatMap((s) => s.teachers.map((t) => t.name))).not.toContain("Орлов Павел Сергеевич");
    expect(maria.individual).toEqual([]);
    const alex = await teachersOf(await scopeOf(fx.students.alex), Q2);
    expect(alex.individual).toEqual([{ name: "Лебедева Ольга Андреевна", subjects: ["Музыка"] }]);
  });

  test("holidays: class-only ones for that class; past, ongoing and ahead", async () => {
    const maria = await holidaysOf(await scopeOf(fx.students.maria, new Date("2027-01-05T09:00:00Z")));
    expect(maria.next).toMatchObject({ name: "Зимние каникулы", state: "ongoing", daysLeft: 7, lengthDays: 12 });
    expect(maria.year.map((h) => h.name)).not.toContain("Дополнительные каникулы");
    const alex = await holidaysOf(await scopeOf(fx.students.alex));
    expect(alex.year.find((h) => h.name === "Дополнительные каникулы")).toMatchObject({ classOnly: true, state: "ahead" });
    expect(alex.year[0]).toMatchObject({ name: "Осенние каникулы", state: "past" });
  });

  test("recommendations: the child's own and the class's, newest first", async () => {
    const items = await latestRecommendations(await scopeOf(fx.students.maria));
    expect(items.map((r) => [r.subjectName, r.forClass])).toEqual([["Алгебра", false], ["Литература", true], ["Физика", false]]);
    expect(await latestRecommendations(await scopeOf(fx.students.maria), 10, String(fx.subjects.phys))).toHaveLength(1);
  });

  test("finals by period with the deferral, and exams by date", async () => {
    const finals = await finalsOf(await scopeOf(fx.students.maria));
    expect(finals.periods.map((p) => p.periodName)).toEqual(["1 четверть"]);
    expect(finals.periods[0].finals.find((f) => f.subjectName === "Физика")).toEqual({ subjectName: "Физика", status: "deferred", deferredUntil: "2026-11-20", reason: "по болезни" });
    expect(finals.exams.map((e) => e.date)).toEqual(["2026-10-08", "2026-11-26"]);
    const alex = await finalsOf(await scopeOf(fx.students.alex));
    expect(alex.periods[0].finals.find((f) => f.status === "not_attested")?.subjectName).toBe("Музыка");
  });
});

describe("no N+1: the number of queries does not grow with the data", () => {
  test.each([
    ["timetable", (s: StudentScope) => lessonsOn(s, ["2026-12-03"]), (s: StudentScope) => lessonsOn(s, ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])],
    ["grades", (s: StudentScope) => gradesBetween(s, { from: "2026-12-03", to: "2026-12-03" }), (s: StudentScope) => gradesBetween(s, { from: "2026-09-01", to: "2026-12-31" })],
    ["period", (s: StudentScope) => periodSubjects(s, { from: "2026-12-03", to: "2026-12-03" }), (s: StudentScope) => periodSubjects(s, Q2)],
    ["homework", (s: StudentScope) => homeworkDue(s, { from: "2026-12-04", to: "2026-12-04" }), (s: StudentScope) => homeworkDue(s, { from: "2026-09-01", to: "2027-05-31" })],
    ["teachers", (s: StudentScope) => teachersOf(s, { from: "2026-12-03", to: "2026-12-03" }), (s: StudentScope) => teachersOf(s, Q2)],
  ])("%s", async (_name, small, large) => {
    const scope = await scopeOf(fx.students.maria);
    const few = await countQueries(() => small(scope));
    const many = await countQueries(() => large(scope));
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(4);
  });
});
