/**
 * Curriculum statistics of a class and period (regulation 5): lessons planned by the curriculum
 * against those held, cancelled, substituted and moved, by lesson kind, with the grades given at
 * the lessons held; subjects behind the plan flagged (rule in src/domain/reports/curriculum.ts), pro
 * rata by the school's own week (`settings.sixDayWeek`).
 */
import { Curriculum, Grade, Group, Holiday, Lesson, Student } from "../../db/models";
import { curriculumStats, expectedByNow, schoolDaysBetween, type CurriculumRow } from "../../domain/reports";
import { weekOf } from "../../domain/school-calendar";
import { byName, subjectNamesOf } from "./school-data";
import { reportHeader, type ClassReportRequest, type ReportHeader } from "./summary-sheet";

export interface CurriculumReport extends ReportHeader {
  rows: Array<CurriculumRow & { subject: string; group: string | null }>;
  /** Lesson kinds that occur among the held lessons, in the vocabulary's order. */
  kinds: string[];
  /** School days of the period, and those elapsed before today: the pro-rata base. */
  schoolDays: number;
  elapsedDays: number;
}

const KIND_ORDER = ["lesson", "lab", "practice", "test", "excursion", "consultation", "elective", "online", "other"];

export async function curriculumReport(request: ClassReportRequest): Promise<CurriculumReport> {
  const { schoolId, schoolClass, today } = request;
  const { school, period, header } = await reportHeader(request);
  const range = { $gte: period.start, $lte: period.end };
  const students = await Student.find({ schoolId, classId: schoolClass._id, left: null }, { groupIds: 1 }).lean();
  const [plan, lessons, grades, holidays, names, groups] = await Promise.all([
    Curriculum.find({ schoolId, classId: schoolClass._id, periodId: period._id }).lean(),
    Lesson.find({ schoolId, classId: schoolClass._id, date: range }, { subjectId: 1, groupId: 1, date: 1, kind: 1, status: 1, movedTo: 1 }).lean(),
    Grade.find({ schoolId, studentId: { $in: students.map((s) => s._id) }, date: range }, { studentId: 1, subjectId: 1, date: 1, value: 1, lessonId: 1 }).lean(),
    Holiday.find({ schoolId, start: { $lte: period.end }, end: { $gte: period.start } }).lean(),
    subjectNamesOf(schoolId),
    Group.find({ schoolId, classId: schoolClass._id }, { name: 1 }).lean(),
  ]);
  const groupsOf = new Map(students.map((s) => [String(s._id), s.groupIds.map(String)]));
  const groupName = new Map(groups.map((g) => [String(g._id), g.name]));
  const classId = String(schoolClass._id);
  const holidayRanges = holidays.map((h) => ({ start: h.start, end: h.end, classIds: h.classIds.map(String) }));
  const input = {
    period: { start: period.start, end: period.end },
    today,
    classId,
    holidays: holidayRanges,
    week: weekOf(school),
    planned: new Map(plan.map((c) => [String(c.subjectId), c.plannedLessons])),
    lessons: lessons.map((l) => ({ id: String(l._id), subjectId: String(l.subjectId), groupId: l.groupId ? String(l.groupId) : null, date: l.date, kind: l.kind, status: l.status, movedToDate: l.movedTo?.date ?? null })),
    grades: grades.map((g) => ({ subjectId: String(g.subjectId), date: g.date, value: g.value, lessonId: g.lessonId ? String(g.lessonId) : null, studentGroupIds: groupsOf.get(String(g.studentId)) ?? [] })),
  };
  const rows = curriculumStats(input)
    .map((row) => ({ ...row, subject: names.get(row.subjectId) ?? "—", group: row.groupId ? (groupName.get(row.groupId) ?? null) : null }))
    .sort((a, b) => byName(a.subject, b.subject) || byName(a.group ?? "", b.group ?? ""));
  const used = new Set(rows.flatMap((r) => Object.keys(r.heldByKind)));
  const schoolDays = schoolDaysBetween(period.start, period.end, holidayRanges, classId, input.week);
  // The pro-rata base: expectedByNow(all days) = elapsed days (a plan of one lesson per school day).
  const elapsedDays = expectedByNow(schoolDays, input);
  return { ...header, rows, kinds: KIND_ORDER.filter((k) => used.has(k)), schoolDays, elapsedDays };
}
