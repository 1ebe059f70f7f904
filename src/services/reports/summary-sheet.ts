/**
 * The summary sheet (сводная ведомость) of a class and period (regulation 5): every student's final
 * grade per subject, with deferred and not-attested marked, and per subject the distribution and
 * the quality and success rates (the rules are in src/domain/reports/summary-sheet.ts).
 */
import type { Types } from "mongoose";
import { Curriculum, FinalGrade, Student, Teacher } from "../../db/models";
import { summarySheet, type SummarySheet } from "../../domain/reports";
import { byName, loadSchool, resolvePeriod, subjectNamesOf } from "./school-data";

export interface ReportHeader {
  schoolName: string;
  className: string;
  homeroomTeacher: string | null;
  period: { externalId: string; name: string; start: string; end: string };
  /** The school's day the report was made. */
  today: string;
}

export interface SummarySheetReport extends ReportHeader {
  subjects: Array<{ id: string; name: string }>;
  students: Array<{ id: string; name: string }>;
  sheet: SummarySheet;
}

export interface ClassReportRequest {
  schoolId: Types.ObjectId;
  schoolClass: { _id: Types.ObjectId; name: string; homeroomTeacherId?: Types.ObjectId | null };
  /** The period's externalId; default: the school's period of `today`. */
  periodId?: string;
  today: string;
}

export async function reportHeader(request: ClassReportRequest) {
  const school = await loadSchool(request.schoolId);
  const period = await resolvePeriod(request.schoolId, school.settings.periodKind, request.today, request.periodId);
  const teacher = request.schoolClass.homeroomTeacherId ? await Teacher.findById(request.schoolClass.homeroomTeacherId, { fullName: 1 }).lean() : null;
  const header: ReportHeader = {
    schoolName: school.name,
    className: request.schoolClass.name,
    homeroomTeacher: teacher?.fullName ?? null,
    period: { externalId: period.externalId, name: period.name, start: period.start, end: period.end },
    today: request.today,
  };
  return { school, period, header };
}

export async function summarySheetReport(request: ClassReportRequest): Promise<SummarySheetReport> {
  const { schoolId, schoolClass } = request;
  const { period, header } = await reportHeader(request);
  const students = await Student.find({ schoolId, classId: schoolClass._id, left: null }, { fullName: 1 }).lean();
  const [plan, finals, names] = await Promise.all([
    Curriculum.find({ schoolId, classId: schoolClass._id, periodId: period._id }, { subjectId: 1 }).lean(),
    FinalGrade.find({ schoolId, periodId: period._id, studentId: { $in: students.map((s) => s._id) } }).sort({ resultsAt: 1, _id: 1 }).lean(),
    subjectNamesOf(schoolId),
  ]);
  // The plan's subjects, and any other subject a final grade was given in.
  const subjectIds = [...new Set([...plan.map((c) => String(c.subjectId)), ...finals.map((f) => String(f.subjectId))])];
  const subjects = subjectIds.map((id) => ({ id, name: names.get(id) ?? "—" })).sort((a, b) => byName(a.name, b.name));
  const rows = students.map((s) => ({ id: String(s._id), name: s.fullName })).sort((a, b) => byName(a.name, b.name));
  const sheet = summarySheet(
    rows.map((s) => s.id),
    subjects.map((s) => s.id),
    finals.map((f) => ({ studentId: String(f.studentId), subjectId: String(f.subjectId), status: f.status, value: f.value ?? null, deferredUntil: f.deferredUntil ?? null })),
  );
  return { ...header, subjects, students: rows, sheet };
}
