/**
 * The weekly digest (issue 15): on the school's day and time (default Sunday 18:00), one message
 * per person covering all their children of the school — the week's grades by subject, the coming
 * week's tests and homework, forecasts that moved by a grade, the week's recommendations. A person
 * switches it off in /settings (`notify.weeklyDigest`, on by default, also for instant mode). The
 * message goes the person's own way (planForPerson: consent, channel order, e-mail for e-mail
 * persons; quiet hours at send time); nothing goes when there is nothing to say or the child's
 * class is on holiday. Keyed by school, day and person: a re-run sends nothing twice.
 */
import { Types } from "mongoose";
import { Assessment, Grade, Holiday, Homework, Period, Recommendation, School, Student, Subject, Teacher } from "../../db/models";
import { forecastStudent, type SubjectGrades } from "../../domain/forecast";
import { gradingRules, type GradingRules } from "../../domain/grading";
import { periodOn } from "../../domain/school-calendar";
import { schoolDay, zonedInstant } from "../../domain/time";
import { digestQuiet, digestWeeks, weeklyChild, type WeeklyChild } from "../../domain/weekly-digest";
import { familiesOf, type Person } from "../people";
import { enqueueDeliveries, planForPerson, type EnqueueCounts } from "./deliveries";
import type { NotifyEnv } from "./env";

const STUDENTS_PER_CHUNK = 250;

type GradeLean = { studentId: Types.ObjectId; subjectId: Types.ObjectId; date: string; value: string; weight: number; workType: string };

function forecastGrades(grades: readonly GradeLean[], name: (id: string) => string, rules: GradingRules) {
  const bySubject = new Map<string, GradeLean[]>();
  for (const g of grades) bySubject.set(String(g.subjectId), [...(bySubject.get(String(g.subjectId)) ?? []), g]);
  const input: SubjectGrades[] = [...bySubject.entries()].map(([id, list]) => ({
    subjectId: id,
    subjectName: name(id),
    grades: list.map((g) => ({ value: g.value, weight: g.weight, workType: g.workType, date: g.date })),
  }));
  return forecastStudent(input, rules).map((f) => ({ subject: f.subjectName ?? "", grade: f.grade }));
}

export async function sendWeeklyDigests(env: NotifyEnv, schoolId: Types.ObjectId): Promise<EnqueueCounts> {
  const total: EnqueueCounts = { planned: 0, created: 0, jobs: 0, paper: 0 };
  const school = await School.findById(schoolId).lean();
  if (!school) return total;
  const now = env.now();
  const day = schoolDay(now, school.timezone);
  const weeks = digestWeeks(day);
  const rules = gradingRules(school.settings);
  const [holidays, periods, subjects, teachers] = await Promise.all([
    Holiday.find({ schoolId }, { start: 1, end: 1, classIds: 1 }).lean(),
    Period.find({ schoolId }, { name: 1, kind: 1, start: 1, end: 1 }).lean(),
    Subject.find({ schoolId }, { name: 1 }).lean(),
    Teacher.find({ schoolId }, { fullName: 1 }).lean(),
  ]);
  const calendar = holidays.map((h) => ({ start: h.start, end: h.end, classIds: h.classIds.map(String) }));
  const current = periodOn(day, periods, school.settings.periodKind);
  const period = current?.relation === "current" ? current.period : null;
  const subjectName = new Map(subjects.map((s) => [String(s._id), s.name]));
  const name = (id: string) => subjectName.get(id) ?? "";
  const teacherName = new Map(teachers.map((t) => [String(t._id), t.fullName]));
  const from = period && period.start < weeks.past.from ? period.start : weeks.past.from;
  const weekStart = zonedInstant(weeks.past.from, "00:00", school.timezone);

  const students = (await Student.find({ schoolId, left: null }, { fullName: 1, classId: 1, groupIds: 1 }).sort({ _id: 1 }).lean()).filter((s) => !digestQuiet(day, calendar, String(s.classId)));
  const byPerson = new Map<string, { person: Person; children: WeeklyChild[] }>();
  const seen = new Set<string>();
  for (let i = 0; i < students.length; i += STUDENTS_PER_CHUNK) {
    const chunk = students.slice(i, i + STUDENTS_PER_CHUNK);
    const ids = chunk.map((s) => s._id);
    const classIds = [...new Map(chunk.map((s) => [String(s.classId), s.classId])).values()];
    const [families, grades, tests, homework, recommendations] = await Promise.all([
      familiesOf(schoolId, ids),
      Grade.find({ schoolId, studentId: { $in: ids }, date: { $gte: from, $lte: weeks.past.to } }, { studentId: 1, subjectId: 1, value: 1, weight: 1, workType: 1, date: 1 }).lean<GradeLean[]>(),
      Assessment.find({ schoolId, classId: { $in: classIds }, date: { $gte: weeks.coming.from, $lte: weeks.coming.to } }, { classId: 1, subjectId: 1, date: 1, kind: 1 }).lean(),
      Homework.find({ schoolId, classId: { $in: classIds }, dueOn: { $gte: weeks.coming.from, $lte: weeks.coming.to } }, { classId: 1, groupId: 1, subjectId: 1, dueOn: 1 }).lean(),
      Recommendation.find({ schoolId, classId: { $in: classIds }, createdAt: { $gte: weekStart, $lte: now } }, { classId: 1, studentId: 1, subjectId: 1, teacherId: 1, text: 1 }).sort({ createdAt: 1 }).lean(),
    ]);
    for (const student of chunk) {
      const wanted = (families.get(String(student._id)) ?? []).flatMap((f) => f.persons).filter((p) => p.mode === "electronic" && p.notify.weeklyDigest !== false);
      if (!wanted.length) continue;
      const mine = grades.filter((g) => g.studentId.equals(student._id));
      const inPeriod = (g: GradeLean) => !!period && g.date >= period.start && g.date <= period.end;
      const groups = new Set((student.groupIds ?? []).map(String));
      const summary = weeklyChild({
        student: student.fullName,
        grades: mine.filter((g) => g.date >= weeks.past.from).map((g) => ({ subject: name(String(g.subjectId)), date: g.date, value: g.value })),
        tests: tests.filter((t) => t.classId.equals(student.classId)).map((t) => ({ subject: name(String(t.subjectId)), date: t.date, kind: t.kind })),
        homework: homework
          .filter((h) => h.classId.equals(student.classId) && (!h.groupId || groups.has(String(h.groupId))))
          .map((h) => ({ subject: name(String(h.subjectId)), date: h.dueOn })),
        forecastBefore: period ? forecastGrades(mine.filter((g) => inPeriod(g) && g.date < weeks.past.from), name, rules) : [],
        forecastNow: period ? forecastGrades(mine.filter(inPeriod), name, rules) : [],
        recommendations: recommendations
          .filter((r) => r.classId.equals(student.classId) && (!r.studentId || r.studentId.equals(student._id)))
          .map((r) => ({ subject: name(String(r.subjectId)), teacher: teacherName.get(String(r.teacherId)) ?? "", text: r.text })),
      });
      if (!summary) continue;
      for (const person of wanted) {
        const entry = byPerson.get(person.key) ?? { person, children: [] };
        if (!seen.has(`${person.key}:${String(student._id)}`)) entry.children.push(summary); // a person linked through two records
        seen.add(`${person.key}:${String(student._id)}`);
        byPerson.set(person.key, entry);
      }
    }
  }
  const planned = [...byPerson.values()].flatMap(({ person, children }) =>
    planForPerson(person, {
      source: `weekly-${String(schoolId)}-${day}`,
      schoolId,
      kind: "grade",
      notice: { template: "weekly", from: weeks.past.from, to: weeks.past.to, children },
    }),
  );
  const counts = await enqueueDeliveries(env.deliveries, planned, now, undefined, env.bulk);
  env.logger.info({ schoolId: String(schoolId), ...counts }, "weekly digest planned");
  return counts;
}
