/**
 * What goes on the slips of the classes' weekly printouts, read in a few queries for any number of
 * classes (one for a reprint, a batch of a school's classes for the weekly job): the week's grades
 * with the period's average and forecast, results that arrived since the last printout, the coming
 * week's homework, timetable changes and tests ahead, recommendations, holidays, and every pending
 * paper item of the guardian (see pending-paper.ts).
 */
import type { Types } from "mongoose";
import {
  Assessment,
  ExamResult,
  FinalGrade,
  Grade,
  Holiday,
  Homework,
  Lesson,
  Recommendation,
  Student,
} from "../../db/models";
import { forecastSubject } from "../../domain/forecast";
import { gradingRules, type GradingRules } from "../../domain/grading";
import type { PrintoutWeek } from "../../domain/reports";
import { periodOn, upcomingHolidays } from "../../domain/school-calendar";
import { addDays, schoolDay } from "../../domain/time";
import type { PrintoutView, ResultLine, SlipView, SubjectLine } from "../../print/printout";
import { loadPendingRecords, resolveWith, type PendingItem, type Referenced } from "./pending-paper";
import { byName, periodsOf, subjectNamesOf, teacherNamesOf } from "./school-data";

/** What the classes of one build share: the school, the week and the moment. */
export interface ExtractScope {
  school: { _id: Types.ObjectId; name: string; timezone: string; settings: { periodKind: string } & NonNullable<Parameters<typeof gradingRules>[0]> };
  week: PrintoutWeek;
  /** The school's day of the build: "ahead" means from this day on. */
  today: string;
  now: Date;
}

/** One class of the build. */
export interface ClassExtract {
  schoolClass: { _id: Types.ObjectId; name: string; homeroomTeacherId?: Types.ObjectId | null };
  /** Results and recommendations newer than this are new to the guardian (the previous printout). */
  since: Date;
  /** When the class's previous printout was made, if there was one: grades entered later for earlier days show as late entries. */
  previousAt: Date | null;
  slips: Array<{ id: string; studentId: Types.ObjectId; guardianId: Types.ObjectId; guardianName: string; deliveryReason: string | null; pending: PendingItem[] }>;
}

/** Holidays this close (days) are announced on the slips. */
const HOLIDAY_NOTICE_DAYS = 30;
/** Tests are announced this many days past the coming week. */
const TESTS_AHEAD_DAYS = 7;
/** Timetable changes a slip lists. */
const CHANGED = ["cancelled", "substituted", "moved"] as const;
/** "Too few grades" is worth a guardian's worry only this close to the period's end. */
const TOO_FEW_NOTICE_DAYS = 21;

const inIds = (ids: Types.ObjectId[]) => ({ $in: ids });
const idSet = (ids: Iterable<unknown>) => new Set([...ids].map(String));
const uniqueIds = (ids: Iterable<Types.ObjectId>) => [...new Map([...ids].map((id) => [String(id), id])).values()];
const groupBy = <T>(list: T[], key: (x: T) => unknown) => {
  const map = new Map<string, T[]>();
  for (const x of list) {
    const k = String(key(x));
    const group = map.get(k);
    if (group) group.push(x);
    else map.set(k, [x]);
  }
  return map;
};

/**
 * The views of several classes (one or a school's batch), read together: each collection once, with
 * the union of the classes' windows and referenced records (`$in` of the classes and the paper
 * students), then cut per class in memory with the same conditions a one-class query would have used.
 */
export async function loadPrintoutViews(scope: ExtractScope, classes: readonly ClassExtract[]): Promise<PrintoutView[]> {
  if (!classes.length) return [];
  const { school, week, today, now } = scope;
  const schoolId = school._id;
  const rules = gradingRules(school.settings);
  const periods = await periodsOf(schoolId);
  const period = (periodOn(today, periods, school.settings.periodKind) ?? periodOn(today, periods))?.period ?? null;
  const studentIds = uniqueIds(classes.flatMap((c) => c.slips.map((s) => s.studentId)));
  const classIds = classes.map((c) => c.schoolClass._id);
  const records = await loadPendingRecords(classes.flatMap((c) => c.slips.flatMap((s) => s.pending)));
  const pendings = classes.map((c) => resolveWith(records, c.slips.flatMap((s) => s.pending), school.timezone));
  const ref = (resource: keyof Referenced) => uniqueIds(pendings.flatMap((p) => p.referenced[resource]));
  const from = period && period.start < week.start ? period.start : addDays(week.start, -7);
  const to = period && period.end > week.end ? period.end : week.end;
  const testsUntil = addDays(week.comingEnd, TESTS_AHEAD_DAYS);
  const since = new Date(Math.min(...classes.map((c) => c.since.getTime())));

  const [students, subjects, teachers, grades, homework, changes, assessments, recommendations, holidays, finals, exams] = await Promise.all([
    Student.find({ schoolId, _id: inIds(studentIds) }).lean(),
    subjectNamesOf(schoolId),
    teacherNamesOf(schoolId),
    Grade.find({ schoolId, studentId: inIds(studentIds), $or: [{ date: { $gte: from, $lte: to } }, { _id: inIds(ref("grades")) }] }).sort({ date: 1 }).lean(),
    Homework.find({ schoolId, classId: inIds(classIds), $or: [{ dueOn: { $gte: week.comingStart, $lte: week.comingEnd } }, { _id: inIds(ref("homework")) }] }).lean(),
    Lesson.find({
      schoolId,
      classId: inIds(classIds),
      $or: [{ date: { $gte: today, $lte: week.comingEnd }, status: { $in: CHANGED } }, { _id: inIds(ref("lessons")) }],
    }).lean(),
    Assessment.find({ schoolId, classId: inIds(classIds), $or: [{ date: { $gte: today, $lte: testsUntil } }, { _id: inIds(ref("assessments")) }] }).lean(),
    Recommendation.find({ schoolId, classId: inIds(classIds), $or: [{ createdAt: { $gt: since, $lte: now } }, { _id: inIds(ref("recommendations")) }] }).sort({ createdAt: 1 }).lean(),
    Holiday.find({ schoolId, end: { $gte: today } }).lean(),
    FinalGrade.find({ schoolId, studentId: inIds(studentIds), $or: [{ resultsAt: { $gt: since, $lte: now } }, { _id: inIds(ref("finalGrades")) }] }).sort({ resultsAt: 1 }).lean(),
    ExamResult.find({ schoolId, studentId: inIds(studentIds), $or: [{ resultsAt: { $gt: since, $lte: now } }, { _id: inIds(ref("exams")) }] }).sort({ resultsAt: 1 }).lean(),
  ]);
  const studentById = new Map(students.map((s) => [String(s._id), s]));
  const gradesOf = groupBy(grades, (g) => g.studentId);
  const finalsOf = groupBy(finals, (f) => f.studentId);
  const examsOf = groupBy(exams, (e) => e.studentId);
  const homeworkOf = groupBy(homework, (h) => h.classId);
  const changesOf = groupBy(changes, (l) => l.classId);
  const assessmentsOf = groupBy(assessments, (a) => a.classId);
  const recommendationsOf = groupBy(recommendations, (r) => r.classId);
  const subject = (id: unknown) => subjects.get(String(id)) ?? "—";
  const periodName = new Map(periods.map((p) => [String(p._id), p.name]));
  const lateFrom = addDays(week.start, -7);

  return classes.map((input, n): PrintoutView => {
    const { schoolClass } = input;
    const classId = String(schoolClass._id);
    const pending = pendings[n];
    // A record is the class's when a one-class query would have found it: in its window, or referenced by one of its items.
    const mine = <T extends { _id: unknown }>(list: T[] | undefined, resource: keyof Referenced, inWindow: (x: T) => boolean) => {
      const referenced = idSet(pending.referenced[resource]);
      return (list ?? []).filter((x) => inWindow(x) || referenced.has(String(x._id)));
    };
    const isNew = (at: Date | null | undefined) => !!at && at > input.since && at <= now;
    const classHomework = mine(homeworkOf.get(classId), "homework", (h) => h.dueOn >= week.comingStart && h.dueOn <= week.comingEnd);
    const classChanges = mine(changesOf.get(classId), "lessons", (l) => l.date >= today && l.date <= week.comingEnd && (CHANGED as readonly string[]).includes(l.status));
    const classAssessments = mine(assessmentsOf.get(classId), "assessments", (a) => a.date >= today && a.date <= testsUntil);
    const classRecommendations = mine(recommendationsOf.get(classId), "recommendations", (r) => isNew(r.createdAt));
    const referencedGrades = idSet(pending.referenced.grades);

    const perStudent = new Map(
      uniqueIds(input.slips.map((s) => s.studentId)).flatMap((studentId) => {
        const student = studentById.get(String(studentId));
        if (!student) return [];
        const id = String(student._id);
        const groups = idSet(student.groupIds);
        const forStudent = (g: { groupId?: unknown }) => !g.groupId || groups.has(String(g.groupId));
        const own = mine(gradesOf.get(id), "grades", (g) => g.date >= from && g.date <= to);
        // The week's grades, late entries of the week before (entered after the last printout), and
        // any grade a pending paper item is about.
        const shownThisWeek = (g: (typeof own)[number]) =>
          (g.date >= week.start && g.date <= week.end) || (!!input.previousAt && g.date >= lateFrom && g.createdAt > input.previousAt) || referencedGrades.has(String(g._id));
        const slip: Omit<SlipView, "id" | "guardianName" | "deliveryReason" | "messages"> = {
          studentName: student.fullName,
          subjects: subjectLines(own, period, shownThisWeek, subject, rules, !!period && addDays(today, TOO_FEW_NOTICE_DAYS) >= period.end),
          results: [
            ...mine(finalsOf.get(id), "finalGrades", (f) => isNew(f.resultsAt)).map((f): ResultLine => ({
              kind: "final", subject: subject(f.subjectId), period: periodName.get(String(f.periodId)) ?? "—", status: f.status,
              ...(f.value ? { value: f.value } : {}), ...(f.deferredUntil ? { deferredUntil: f.deferredUntil } : {}), ...(f.reason ? { reason: f.reason } : {}),
            })),
            ...mine(examsOf.get(id), "exams", (e) => isNew(e.resultsAt)).map((e): ResultLine => ({
              kind: "exam", name: e.name, date: e.date, score: e.score, ...(e.maxScore != null ? { maxScore: e.maxScore } : {}), ...(e.value ? { value: e.value } : {}),
            })),
          ],
          homework: classHomework
            .filter(forStudent)
            .map((h) => ({ dueOn: h.dueOn, subject: subject(h.subjectId), text: h.text, links: h.links ?? [] }))
            .sort((a, b) => (a.dueOn === b.dueOn ? byName(a.subject, b.subject) : a.dueOn < b.dueOn ? -1 : 1)),
          changes: classChanges
            .filter((l) => forStudent(l) && l.status !== "planned" && l.status !== "held")
            .sort((a, b) => (a.date + a.start < b.date + b.start ? -1 : 1))
            .map((l) => ({
              date: l.date, start: l.start, subject: subject(l.subjectId), status: l.status,
              ...(l.substituteTeacherId ? { substitute: teachers.get(String(l.substituteTeacherId)) ?? "—" } : {}),
              ...(l.movedTo ? { movedTo: { date: l.movedTo.date, start: l.movedTo.start } } : {}),
            })),
          assessments: classAssessments
            .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
            .map((a) => ({ date: a.date, subject: subject(a.subjectId), kind: a.kind, ...(a.topic ? { topic: a.topic } : {}) })),
          recommendations: classRecommendations
            .filter((r) => !r.studentId || String(r.studentId) === id)
            .map((r) => ({ date: schoolDay(r.createdAt, school.timezone), subject: subject(r.subjectId), teacher: teachers.get(String(r.teacherId)) ?? "—", text: r.text })),
          holidays: upcomingHolidays(today, holidays.map((h) => ({ ...h, classIds: h.classIds.map(String) })), classId)
            .filter((h) => h.daysLeft <= HOLIDAY_NOTICE_DAYS)
            .map((h) => ({ name: h.holiday.name, start: h.holiday.start, end: h.holiday.end, ongoing: h.ongoing, daysLeft: h.daysLeft })),
        };
        return [[id, slip] as const];
      }),
    );

    const slips: SlipView[] = input.slips
      .filter((s) => perStudent.has(String(s.studentId)))
      .map((s) => ({
        ...perStudent.get(String(s.studentId))!,
        id: s.id,
        guardianName: s.guardianName,
        deliveryReason: s.deliveryReason,
        messages: s.pending.flatMap((p) => pending.messages.get(p.deliveryId) ?? []),
      }));
    return {
      schoolName: school.name,
      className: schoolClass.name,
      homeroomTeacher: schoolClass.homeroomTeacherId ? (teachers.get(String(schoolClass.homeroomTeacherId)) ?? null) : null,
      week,
      producedOn: today,
      period: period ? { name: period.name, start: period.start, end: period.end } : null,
      slips,
    };
  });
}


type GradeDoc = { subjectId: Types.ObjectId; date: string; value: string; weight: number; workType: string };

/** Per subject with grades in the period or this week: the week's grades, average and forecast. */
function subjectLines<G extends GradeDoc>(
  grades: G[],
  period: { start: string; end: string } | null,
  shownThisWeek: (g: G) => boolean,
  subject: (id: unknown) => string,
  rules: GradingRules,
  nearPeriodEnd: boolean,
): SubjectLine[] {
  const bySubject = new Map<string, G[]>();
  for (const g of grades) bySubject.set(String(g.subjectId), [...(bySubject.get(String(g.subjectId)) ?? []), g]);
  const lines: SubjectLine[] = [];
  for (const [subjectId, list] of bySubject) {
    const inPeriod = period ? list.filter((g) => g.date >= period.start && g.date <= period.end) : [];
    const week = list.filter(shownThisWeek);
    if (inPeriod.length === 0 && week.length === 0) continue;
    const forecast = forecastSubject({ subjectId, grades: inPeriod.map((g) => ({ value: g.value, weight: g.weight, workType: g.workType, date: g.date })) }, rules);
    lines.push({
      subject: subject(subjectId),
      week: week.map((g) => ({ date: g.date, value: g.value, weight: g.weight, workType: g.workType })),
      average: forecast.averageText,
      grade: period ? forecast.grade : null,
      passFail: period ? forecast.passFail : null,
      riskReasons: period ? forecast.riskReasons.filter((r) => r !== "too-few-grades" || nearPeriodEnd) : [],
      count: forecast.count,
      minGrades: rules.minGrades,
      lift: forecast.lift.weight1 ? { count: forecast.lift.weight1.count, toGrade: forecast.lift.weight1.toGrade } : null,
    });
  }
  return lines.sort((a, b) => byName(a.subject, b.subject));
}
