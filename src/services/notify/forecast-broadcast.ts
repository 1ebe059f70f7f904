/**
 * Forecast broadcasts (regulation 4): on the school's schedule (weekly, daily in the last days of a
 * period), each person gets one message per child with the forecast per subject, the subjects at
 * risk first (the forecast engine in src/domain/forecast.ts). Each person opts out in /settings.
 * Children whose class is on holiday that day get none (issue 15: holidays are quiet days).
 */
import { Types } from "mongoose";
import { Curriculum, Grade, Holiday, Period, School, Student, Subject } from "../../db/models";
import { forecastStudent, type SubjectForecast, type SubjectGrades } from "../../domain/forecast";
import { gradingRules } from "../../domain/grading";
import { isQuietDay } from "../../domain/rhythm";
import { daysBetween, isoWeekday, periodOn } from "../../domain/school-calendar";
import { schoolDay } from "../../domain/time";
import type { ForecastLine } from "./notice";
import { familiesOf } from "../people";
import { enqueueDeliveries, planForPerson, type EnqueueCounts, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { yieldToUrgent } from "./urgent";

/** Students planned per round: a big school starts sending while the rest is still being planned. */
const STUDENTS_PER_CHUNK = 250;

type PeriodLean = { _id: Types.ObjectId; name: string; kind: string; start: string; end: string };

/** The current period if today is a forecast day of the school (its weekday, or one of the period's last days). */
type ScheduleSchool = {
  _id: Types.ObjectId;
  timezone: string;
  settings: { periodKind: string; forecastSchedule: { enabled: boolean; weeklyDay: number; dailyLastDays: number } };
};

export async function forecastPeriodToday(school: ScheduleSchool, now: Date): Promise<PeriodLean | null> {
  const plan = school.settings.forecastSchedule;
  if (!plan.enabled) return null;
  const day = schoolDay(now, school.timezone);
  const periods = (await Period.find({ schoolId: school._id }, { name: 1, kind: 1, start: 1, end: 1 }).lean()) as PeriodLean[];
  const found = periodOn(day, periods, school.settings.periodKind);
  if (!found || found.relation !== "current") return null;
  const lastDays = daysBetween(day, found.period.end) < plan.dailyLastDays;
  return lastDays || isoWeekday(day) === plan.weeklyDay ? found.period : null;
}

/** A subject's forecast as a notice carries it: "what moves it" is the fives of weight 1 that lift it. */
export function forecastLineOf(f: SubjectForecast): ForecastLine {
  return {
    subject: f.subjectName ?? "",
    average: f.averageText,
    grade: f.grade,
    passFail: f.passFail,
    atRisk: f.atRisk,
    risks: f.riskReasons,
    lift: f.lift.weight1 ? { count: f.lift.weight1.count, toGrade: f.lift.weight1.toGrade } : null,
  };
}

export interface BroadcastOptions {
  /** Broadcast for this period whatever the day (admins, benchmarks). */
  period?: PeriodLean;
}

export async function broadcastForecasts(env: NotifyEnv, schoolId: Types.ObjectId, options: BroadcastOptions = {}): Promise<EnqueueCounts> {
  const total: EnqueueCounts = { planned: 0, created: 0, jobs: 0, paper: 0 };
  const school = await School.findById(schoolId).lean();
  if (!school) return total;
  const now = env.now();
  const period = options.period ?? (await forecastPeriodToday(school, now));
  if (!period) return total;
  const day = schoolDay(now, school.timezone);
  const rules = gradingRules(school.settings);
  const [everyone, curriculum, subjects, holidays] = await Promise.all([
    Student.find({ schoolId, left: null }, { fullName: 1, classId: 1 }).sort({ _id: 1 }).lean(),
    Curriculum.find({ schoolId, periodId: period._id }, { classId: 1, subjectId: 1 }).lean(),
    Subject.find({ schoolId }, { name: 1 }).lean(),
    Holiday.find({ schoolId }, { start: 1, end: 1, classIds: 1 }).lean(),
  ]);
  const calendar = holidays.map((h) => ({ start: h.start, end: h.end, classIds: h.classIds.map(String) }));
  const students = options.period ? everyone : everyone.filter((s) => !isQuietDay(day, calendar, String(s.classId)));
  const subjectName = new Map(subjects.map((s) => [String(s._id), s.name]));
  const planOf = new Map<string, string[]>();
  for (const c of curriculum) planOf.set(String(c.classId), [...(planOf.get(String(c.classId)) ?? []), String(c.subjectId)]);

  // Finals and exams being planned or sent go first on the database (urgent.ts).
  const yieldToFinals = () => yieldToUrgent(env.redis, env.prefix);
  for (let i = 0; i < students.length; i += STUDENTS_PER_CHUNK) {
    await yieldToFinals();
    const chunk = students.slice(i, i + STUDENTS_PER_CHUNK);
    const ids = chunk.map((s) => s._id);
    const [targets, grades] = await Promise.all([
      familiesOf(schoolId, ids),
      Grade.find({ schoolId, studentId: { $in: ids }, date: { $gte: period.start, $lte: period.end } }, { studentId: 1, subjectId: 1, value: 1, weight: 1, workType: 1, date: 1 }).lean(),
    ]);
    const planned: PlannedDelivery[] = [];
    for (const student of chunk) {
      const wanted = (targets.get(String(student._id)) ?? []).flatMap((f) => f.persons).filter((p) => p.mode === "electronic" && p.notify.forecast);
      if (!wanted.length) continue;
      const mine = grades.filter((g) => g.studentId.equals(student._id));
      const subjectIds = new Set([...(planOf.get(String(student.classId)) ?? []), ...mine.map((g) => String(g.subjectId))]);
      const input: SubjectGrades[] = [...subjectIds].map((id) => ({
        subjectId: id,
        subjectName: subjectName.get(id),
        grades: mine.filter((g) => String(g.subjectId) === id).map((g) => ({ value: g.value, weight: g.weight, workType: g.workType, date: g.date })),
      }));
      const lines: ForecastLine[] = forecastStudent(input, rules).map((f) => forecastLineOf(f));
      const base = {
        source: `forecast-${day}-${student._id}`,
        schoolId,
        kind: "forecast" as const,
        studentId: student._id,
        notice: { template: "forecast" as const, student: student.fullName, period: period.name, lines },
      };
      for (const person of wanted) planned.push(...planForPerson(person, base));
    }
    const counts = await enqueueDeliveries(env.deliveries, planned, now, undefined, env.bulk, 0, yieldToFinals);
    for (const key of Object.keys(total) as Array<keyof EnqueueCounts>) total[key] += counts[key];
  }
  env.logger.info({ schoolId: String(schoolId), periodId: String(period._id), ...total }, "forecast broadcast planned");
  return total;
}
