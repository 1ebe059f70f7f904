/**
 * The child a view is about, with what every view needs to know: class, groups, school zone and
 * grading rules, and "today" in the school's zone. Loaded once per answer: from the update's
 * snapshot when it has the child (no query; the school's calendar and names come with it as
 * `reference`), else three small queries.
 */
import type { Types } from "mongoose";
import { School, SchoolClass, Student } from "../../db/models";
import type { AccessibleChild } from "../access";
import type { AccessSnapshot, SchoolReference } from "../access-snapshot";
import { gradingRules, type GradingRules } from "../../domain/grading";
import { previousSchoolYear, schoolYearLabel, schoolYearOfLabel, schoolYearStart } from "../../domain/school-year";
import { schoolDay } from "../../domain/time";
import { weekOf, type WeekOptions } from "../../domain/school-calendar";
import { firstNameOf } from "../../domain/format";

export interface StudentScope {
  studentId: Types.ObjectId;
  schoolId: Types.ObjectId;
  classId: Types.ObjectId;
  groupIds: Types.ObjectId[];
  individualTeacherIds: Types.ObjectId[];
  homeroomTeacherId: Types.ObjectId | null;
  fullName: string;
  firstName: string;
  className: string;
  timezone: string;
  rules: GradingRules;
  /** The school's reporting-period kind (quarter / trimester / half). */
  periodKind: string;
  /** The school's day of `now`, YYYY-MM-DD. */
  today: string;
  now: Date;
  via: AccessibleChild["via"];
  /** The school's week (Saturday a school day or not). */
  week: WeekOptions;
  /** The school's calendar, subjects and teachers as read with the account (absent: ask MongoDB). */
  reference?: SchoolReference;
  /** The child's class of the last school year, when the journal rolled the year over (issue 15). */
  previousYear?: { label: string; classId: Types.ObjectId; className: string } | null;
  /** Set on the scope of the last school year (`lastYearScope`): its label and last day. */
  lastYear?: { label: string; to: string } | null;
}

/** Null when the student, their class or school is gone (e.g. deleted by the journal). */
export async function loadScope(child: AccessibleChild, now: Date, access?: AccessSnapshot | null): Promise<StudentScope | null> {
  const known = access?.students.get(String(child.studentId));
  const student = known ?? (await Student.findOne({ _id: child.studentId, schoolId: child.schoolId }).lean());
  if (!student || !student.schoolId.equals(child.schoolId)) return null;
  const [schoolClass, school] = known
    ? [access!.classes.get(String(student.classId)) ?? null, access!.schools.get(String(child.schoolId)) ?? null]
    : await Promise.all([
        SchoolClass.findOne({ _id: student.classId, schoolId: child.schoolId }).lean(),
        School.findById(child.schoolId, { timezone: 1, settings: 1, schoolYear: 1 }).lean(),
      ]);
  if (!schoolClass || !school || !schoolClass.schoolId.equals(child.schoolId)) return null;
  const reference = known ? access!.reference.get(String(child.schoolId)) : undefined;
  const today = schoolDay(now, school.timezone);
  // The year before the one the journal rolled the school into (or before today's school year).
  const previous = previousSchoolYear(school.schoolYear?.current ?? schoolYearLabel(schoolYearStart(today)));
  const history = (student.classHistory ?? []).find((h) => h.year === previous);
  return {
    studentId: student._id,
    schoolId: school._id,
    classId: schoolClass._id,
    groupIds: student.groupIds ?? [],
    individualTeacherIds: student.individualPlan ? (student.individualTeacherIds ?? []) : [],
    homeroomTeacherId: schoolClass.homeroomTeacherId ?? null,
    fullName: student.fullName,
    firstName: firstNameOf(student.fullName),
    className: schoolClass.name,
    timezone: school.timezone,
    rules: gradingRules(school.settings ?? undefined),
    periodKind: school.settings?.periodKind ?? "quarter",
    week: weekOf(school),
    today,
    now,
    via: child.via,
    ...(reference ? { reference } : {}),
    previousYear: history ? { label: previous, classId: history.classId, className: history.className } : null,
  };
}

/**
 * The child's last school year as a scope of its own ("прошлый учебный год"): the class of that
 * year, its periods and holidays only, "today" its last day (31 August), so that every view shows it
 * as a finished year. Null when the child has no class history for it.
 */
export function lastYearScope(scope: StudentScope): StudentScope | null {
  const previous = scope.previousYear;
  if (!previous) return null;
  const to = `${schoolYearOfLabel(previous.label) + 1}-08-31`;
  return { ...scope, classId: previous.classId, className: previous.className, groupIds: [], individualTeacherIds: [], today: to, previousYear: null, lastYear: { label: previous.label, to } };
}

/** First names of several children in one query (the child switcher's buttons). */
export async function firstNamesOf(studentIds: readonly Types.ObjectId[], access?: AccessSnapshot | null): Promise<Map<string, string>> {
  const known = studentIds.map((id) => access?.students.get(String(id)));
  if (known.every((s) => !!s)) return new Map(known.map((s) => [String(s!._id), firstNameOf(s!.fullName)]));
  const students = await Student.find({ _id: { $in: studentIds } }, { fullName: 1 }).lean();
  return new Map(students.map((s) => [String(s._id), firstNameOf(s.fullName)]));
}

/** Lessons and homework for the whole class or for one of the student's groups. */
export function forStudentGroups(scope: StudentScope): Record<string, unknown> {
  return { $or: [{ groupId: null }, { groupId: { $in: scope.groupIds } }] };
}
