/**
 * Missing finals (regulation 5: every student must receive final grades): per period that has
 * ended (or the one asked for, e.g. before closing it), every student without a final grade of a
 * subject they study, and every deferral whose day has passed. Subjects come from the curriculum;
 * a class without one falls back to the subjects of its lessons in the period (group-aware).
 * First-year classes are left out: they get no marks.
 */
import type { Types } from "mongoose";
import { Curriculum, FinalGrade, Lesson, SchoolClass, Student } from "../../db/models";
import { missingFinals, type MissingFinal } from "../../domain/reports";
import { addDays } from "../../domain/time";
import { ReportInputError, byName, loadSchool, periodsOf, subjectNamesOf, type PeriodDoc } from "./school-data";

export interface MissingFinalsRequest {
  schoolId: Types.ObjectId;
  /** One class, or the whole school. */
  classId?: Types.ObjectId;
  /** A period's externalId; default: every period that ended within the last year. */
  periodId?: string;
  today: string;
}

export interface MissingFinalRow extends MissingFinal {
  period: string;
  periodExternalId: string;
  className: string;
  classId: string;
  student: string;
  subject: string;
}

export interface MissingFinalsReport {
  schoolName: string;
  className: string | null;
  today: string;
  periods: Array<{ externalId: string; name: string; start: string; end: string }>;
  rows: MissingFinalRow[];
}

export async function missingFinalsReport(request: MissingFinalsRequest): Promise<MissingFinalsReport> {
  const { schoolId, today } = request;
  const school = await loadSchool(schoolId);
  const all = await periodsOf(schoolId);
  const periods = request.periodId ? all.filter((p) => p.externalId === request.periodId) : all.filter((p) => p.end < today && p.end >= addDays(today, -365));
  if (request.periodId && !periods.length) {
    throw new ReportInputError(`unknown period "${request.periodId}"; the periods are: ${all.map((p) => p.externalId).join(", ") || "none"}`);
  }
  // First graders get no marks (безотметочное обучение, ФГОС НОО): no final grades are expected.
  const classes = await SchoolClass.find({ schoolId, grade: { $gt: 1 }, ...(request.classId ? { _id: request.classId } : {}) }).lean();
  const requested = request.classId ? await SchoolClass.findOne({ schoolId, _id: request.classId }, { name: 1 }).lean() : null;
  const students = await Student.find({ schoolId, classId: { $in: classes.map((c) => c._id) }, left: null }, { fullName: 1, classId: 1, groupIds: 1 }).lean();
  const names = await subjectNamesOf(schoolId);
  const rows: MissingFinalRow[] = [];
  // Periods in order (oldest first), then by class, student and subject.
  for (const period of periods) {
    const found = await periodRows(schoolId, period, classes, students, names, today);
    rows.push(...found.sort((a, b) => byName(a.className, b.className) || byName(a.student, b.student) || byName(a.subject, b.subject)));
  }
  return {
    schoolName: school.name,
    className: requested?.name ?? null,
    today,
    periods: periods.map((p) => ({ externalId: p.externalId, name: p.name, start: p.start, end: p.end })),
    rows,
  };
}

type ClassDoc = { _id: Types.ObjectId; name: string };
type StudentDoc = { _id: Types.ObjectId; fullName: string; classId: Types.ObjectId; groupIds: Types.ObjectId[] };

async function periodRows(schoolId: Types.ObjectId, period: PeriodDoc, classes: ClassDoc[], students: StudentDoc[], names: Map<string, string>, today: string): Promise<MissingFinalRow[]> {
  const classIds = classes.map((c) => c._id);
  const [plan, finals] = await Promise.all([
    Curriculum.find({ schoolId, periodId: period._id, classId: { $in: classIds }, plannedLessons: { $gt: 0 } }, { classId: 1, subjectId: 1 }).lean(),
    FinalGrade.find({ schoolId, periodId: period._id, studentId: { $in: students.map((s) => s._id) } }).sort({ resultsAt: 1, _id: 1 }).lean(),
  ]);
  const entries = finals.map((f) => ({ studentId: String(f.studentId), subjectId: String(f.subjectId), status: f.status, value: f.value ?? null, deferredUntil: f.deferredUntil ?? null }));
  const rows: MissingFinalRow[] = [];
  for (const schoolClass of classes) {
    const classStudents = students.filter((s) => s.classId.equals(schoolClass._id));
    let subjects: Array<{ subjectId: string; groupIds?: string[] | null }> = plan.filter((c) => c.classId.equals(schoolClass._id)).map((c) => ({ subjectId: String(c.subjectId) }));
    if (!subjects.length) subjects = await subjectsFromLessons(schoolId, schoolClass._id, period);
    const found = missingFinals(classStudents.map((s) => ({ id: String(s._id), groupIds: s.groupIds.map(String) })), subjects, entries, today);
    const student = new Map(classStudents.map((s) => [String(s._id), s.fullName]));
    rows.push(...found.map((m) => ({ ...m, period: period.name, periodExternalId: period.externalId, className: schoolClass.name, classId: String(schoolClass._id), student: student.get(m.studentId) ?? "—", subject: names.get(m.subjectId) ?? "—" })));
  }
  return rows;
}

/** Subjects taught in the period; a subject taught only in groups is for those groups' students. */
async function subjectsFromLessons(schoolId: Types.ObjectId, classId: Types.ObjectId, period: PeriodDoc) {
  const lessons = await Lesson.find({ schoolId, classId, date: { $gte: period.start, $lte: period.end }, status: { $ne: "cancelled" } }, { subjectId: 1, groupId: 1 }).lean();
  const bySubject = new Map<string, Set<string | null>>();
  for (const l of lessons) {
    const set = bySubject.get(String(l.subjectId)) ?? new Set<string | null>();
    set.add(l.groupId ? String(l.groupId) : null);
    bySubject.set(String(l.subjectId), set);
  }
  return [...bySubject].map(([subjectId, groups]) => ({ subjectId, groupIds: groups.has(null) ? null : ([...groups] as string[]) }));
}
